"""Calling the outside world (a payment gateway, a supplier) from a service: three steps.

    return call_outside(
        record=lambda: Payment.objects.create(...),      # 1. the intent, committed
        call=lambda payment: gateway.charge(...),        # 2. no transaction open
        settle=lambda payment, charge: ...,              # 3. the outcome, committed
        on_error=lambda payment, error: ...,             #    or what the failure means
    )

1. `record()` runs in a transaction of its own, committed before anything leaves: the payment
   exists before the gateway is called, the booking before the supplier is. A worker that dies
   later leaves that row, which a reconciliation job settles by the reference it carries.
   `record` raising (the order cannot be paid) ends it there: nothing is called.
2. `call(intent)` runs in no transaction, so no lock is held while the outside world takes its
   time. A caller that opened one gets a RuntimeError before step 1.
3. `settle(intent, answer)` runs in a transaction of its own: it locks the intent row (or
   changes it by a conditional update, which locks it) and records the outcome. An exception
   from `call` goes to `on_error(intent, error)` instead, in the same kind of transaction; it
   re-raises what it does not know, and without `on_error` the exception propagates with the
   intent left as it was recorded (for reconciliation).

`settle` and `on_error` return the service's result, or the ServiceError that is the outcome
(declined, refused). That error is raised after the commit, so the settled row is never
rolled back with it: the payment stays `declined` when the shopper is told 402.
"""

from collections.abc import Callable
from typing import TypeVar

from servicelayer import transactions
from servicelayer.errors import ServiceError

Intent = TypeVar("Intent")
Answer = TypeVar("Answer")
Result = TypeVar("Result")


def call_outside(
    *,
    record: Callable[[], Intent],
    call: Callable[[Intent], Answer],
    settle: Callable[[Intent, Answer], Result | ServiceError],
    on_error: Callable[[Intent, Exception], Result | ServiceError] | None = None,
) -> Result:
    """Record the intent, call outside any transaction, settle (see the module docstring)."""
    if transactions.caller_transaction_open():
        raise RuntimeError(
            "call_outside runs in no transaction: its intent must commit before the outside "
            "call, and the call must hold no lock. Call the service outside transaction.atomic()."
        )
    with transactions.atomic():
        intent = record()
    failure: Exception | None = None
    try:
        answer = call(intent)
    except Exception as error:
        if on_error is None:
            raise
        failure = error
    with transactions.atomic():
        if failure is not None:
            assert on_error is not None
            outcome = on_error(intent, failure)
        else:
            outcome = settle(intent, answer)
    if isinstance(outcome, ServiceError):
        raise outcome  # after the commit: the settled row stays
    return outcome
