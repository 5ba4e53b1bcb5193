from servicelayer.errors import Conflict, InvalidInput, NotFound, Unavailable


class HotelNotFound(NotFound):
    code = "hotel_not_found"
    default_message = "There is no such hotel, or it takes no bookings."


class BookingNotFound(NotFound):
    code = "booking_not_found"
    default_message = "There is no such booking."


class InvalidStay(InvalidInput):
    code = "invalid_stay"
    default_message = "These dates do not make a stay we can book."


class BookingRefused(Conflict):
    code = "booking_refused"
    default_message = "The hotel's supplier refused the booking."


class BookingNotCancelable(Conflict):
    code = "booking_not_cancelable"
    default_message = "Only a confirmed booking, or one awaiting payment, can be canceled."


class SupplierUnavailable(Unavailable):
    code = "supplier_unavailable"
    default_message = "The hotel's supplier is unavailable; nothing was booked. Try again."


class HotelExists(Conflict):
    code = "hotel_exists"
    default_message = "A hotel with this supplier hotel id exists already."


class RateChanged(Conflict):
    code = "rate_changed"
    default_message = (
        "The price of this stay has changed since it was quoted; nothing was booked. "
        "Book again at the new price (details.new_total) if it suits you."
    )


class StayStarted(Conflict):
    code = "stay_started"
    default_message = "The stay has started (or is over): it can no longer be canceled."


class StayAwaitingPayment(Conflict):
    code = "booking_awaiting_payment"
    transient = True  # paid, canceled or expired soon: a retry under the same key may then book
    default_message = (
        "You hold an unpaid booking of this stay (details.booking_id): pay it or cancel it "
        "before booking the stay again."
    )
