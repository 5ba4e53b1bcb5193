from servicelayer.errors import Conflict, InvalidInput, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = "There is no such order."


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = "The order cannot move to that status from its current one."


class OrderNotEditable(Conflict):
    code = "order_not_editable"
    default_message = "Only an order awaiting payment can be changed."


class LineNotInOrder(InvalidInput):
    code = "line_not_in_order"
    default_message = "The order has no line for this product."


class OrderTotalTooLarge(Conflict):
    code = "order_total_too_large"
    default_message = "The order's total would exceed the largest total an order may have."


class BasketEmpty(Conflict):
    code = "basket_empty"
    default_message = "The basket is empty: there is nothing to confirm."


class ItemNotInBasket(NotFound):
    code = "item_not_in_basket"
    default_message = "This product is not in the basket."


class BasketLinesUnavailable(Conflict):
    code = "basket_lines_unavailable"
    default_message = "Some lines of the basket cannot be served; nothing was ordered."


class ShippingNotNeeded(Conflict):
    code = "shipping_not_needed"
    default_message = "This order has only digital goods: it needs no address or shipping."


class ShippingAddressNotSet(Conflict):
    code = "shipping_address_not_set"
    default_message = "Set the order's shipping address before choosing how it is shipped."


class ShippingCountryNotServed(Conflict):
    code = "shipping_country_not_served"
    default_message = "This shipping method does not ship to the order's country."
