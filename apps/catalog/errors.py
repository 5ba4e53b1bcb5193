from servicelayer.errors import Conflict, InvalidInput, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = "There is no such product, or it is no longer sold."


class OutOfStock(Conflict):
    code = "out_of_stock"
    default_message = "There is not enough stock for this quantity."


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Stock cannot go below zero."


class StockLimitExceeded(InvalidInput):
    code = "stock_limit_exceeded"
    default_message = "Stock cannot go above its limit."
