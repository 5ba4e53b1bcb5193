"""Shipping methods over REST: reads for anyone, writes for merchants. Translation only."""

from apps.shipping import selectors, services
from servicelayer.rest.routes import Routes

routes = Routes(tag="shipping")
routes.get("shipping-methods/", selectors.shipping_method_list, name="shipping-method-list")
routes.post("shipping-methods/", services.shipping_method_create, status=201)
routes.get(
    "shipping-methods/<pk:shipping_method_id>/",
    selectors.shipping_method_get,
    name="shipping-method-detail",
)
routes.patch("shipping-methods/<pk:shipping_method_id>/", services.shipping_method_update)
routes.post(
    "shipping-methods/<pk:shipping_method_id>/archive/",
    services.shipping_method_archive,
    name="shipping-method-archive",
)
routes.post(
    "shipping-methods/<pk:shipping_method_id>/restore/",
    services.shipping_method_restore,
    name="shipping-method-restore",
)

urlpatterns = routes.urls()
