"""Baskets and orders over REST. Translation only: every rule lives in services and models."""

from apps.ordering import selectors, services
from servicelayer.rest.routes import Routes

routes = Routes(tag="ordering")
routes.get("basket/", selectors.basket_get, name="basket")
routes.delete("basket/", services.basket_empty)
routes.post("basket/items/", services.basket_add_item, name="basket-items")
routes.patch("basket/items/<int:product_id>/", services.basket_change_quantity, name="basket-item")
routes.delete("basket/items/<int:product_id>/", services.basket_remove_item)
routes.post(
    "basket/confirm/",
    services.order_confirm,
    status=201,
    idempotent=True,
    name="basket-confirm",
)
routes.get("orders/", selectors.order_list, name="order-list")
routes.post("orders/", services.order_place, status=201, idempotent=True)
routes.get("orders/<pk:order_id>/", selectors.order_get, name="order-detail")
routes.get("orders/<pk:order_id>/events/", selectors.order_events, name="order-events")
routes.post(
    "orders/<pk:order_id>/quantity/",
    services.order_change_quantity,
    name="order-change-quantity",
)
routes.post("orders/<pk:order_id>/address/", services.order_set_address, name="order-address")
routes.post("orders/<pk:order_id>/shipping/", services.order_choose_shipping, name="order-shipping")
routes.post("orders/<pk:order_id>/cancel/", services.order_cancel, name="order-cancel")
routes.post("orders/<pk:order_id>/ship/", services.order_ship, name="order-ship")
routes.post("orders/<pk:order_id>/deliver/", services.order_deliver, name="order-deliver")

urlpatterns = routes.urls()
