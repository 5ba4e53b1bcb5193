import functools

from servicelayer.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaymentRequired,
    Unavailable,
    Unprocessable,
)


class PaymentDeclined(PaymentRequired):
    code = "payment_declined"
    default_message = "The card was declined; the order still awaits payment."


class CardTokenInvalid(InvalidInput):
    code = "card_token_invalid"
    default_message = "The payment provider knows no such card token; nothing was charged."


class WebhookSignatureInvalid(InvalidInput):
    code = "webhook_signature_invalid"
    default_message = "The webhook's signature is missing, wrong or too old."


class PaymentProviderUnavailable(Unavailable):
    code = "payment_provider_unavailable"
    default_message = "The payment provider is unavailable; nothing was charged. Try again."


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_message = "This order cannot be paid: it is not awaiting payment."


class PayableNotPayable(Conflict):
    """What a payment is for may not be paid now (details.status says why). Each payable kind
    but orders has its own subclass (not_payable_error), coded after the kind."""


@functools.cache
def not_payable_error(kind: str) -> type[Conflict]:
    """The not-payable error of payable `kind`: OrderNotPayable for "order",
    `booking_not_payable` for "booking"."""
    if kind == "order":
        return OrderNotPayable
    return type(
        f"{kind.title()}NotPayable",
        (PayableNotPayable,),
        {
            "code": f"{kind}_not_payable",
            "default_message": f"This {kind} cannot be paid: it is not awaiting payment.",
        },
    )


class PaymentAmountTooSmall(Unprocessable):
    code = "payment_amount_too_small"
    default_message = (
        "The amount to pay is below what the payment provider can charge; nothing was charged."
    )


class RefundExceedsCaptured(Conflict):
    code = "refund_exceeds_captured"
    default_message = "A refund may not exceed what was charged and not yet refunded."


class PayableNotReady(Conflict):
    """What a payment is for lacks something it needs before it is paid (details.missing names
    it). Each payable kind has its own subclass (not_ready_error), coded after the kind."""


@functools.cache
def not_ready_error(kind: str) -> type[PayableNotReady]:
    """The not-ready error of payable `kind`: `order_not_ready` for "order"."""
    return type(
        f"{kind.title()}NotReady",
        (PayableNotReady,),
        {
            "code": f"{kind}_not_ready",
            "default_message": f"This {kind} cannot be paid yet: details.missing says what it "
            "lacks.",
        },
    )


class PaymentInProgress(Conflict):
    code = "payment_in_progress"
    default_message = "A payment for this is being processed; try again in a moment."
    transient = True  # the payment is settled soon: the order is then paid, or free again


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    default_message = "There is no such payment."


class RefundNotFound(NotFound):
    code = "refund_not_found"
    default_message = "There is no such refund."


class PayableNotFound(NotFound):
    """What a payment is for does not exist, or is not the actor's. Each payable kind has its
    own subclass (not_found_error), coded after the kind."""


@functools.cache
def not_found_error(kind: str) -> type[PayableNotFound]:
    """The not-found error of payable `kind`: `order_not_found` for "order", as the owning
    app's own error reads. Payments declares it on its services by the kind's name, before
    the kind is registered and without importing the app that owns it."""
    return type(
        f"{kind.title()}NotFound",
        (PayableNotFound,),
        {"code": f"{kind}_not_found", "default_message": f"There is no such {kind}."},
    )
