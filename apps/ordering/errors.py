from servicelayer.errors import Conflict, InvalidInput, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = "There is no such order."


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = "The order cannot move to that status from its current one."


class OrderNotEditable(Conflict):
    code = "order_not_editable"
    default_message = "Only a pending order can be changed."


class LineNotInOrder(InvalidInput):
    code = "line_not_in_order"
    default_message = "The order has no line for this product."
