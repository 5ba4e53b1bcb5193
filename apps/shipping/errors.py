from servicelayer.errors import NotFound


class ShippingMethodNotFound(NotFound):
    code = "shipping_method_not_found"
    default_message = "There is no such shipping method, or it is no longer offered."
