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
