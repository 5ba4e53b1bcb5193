"""The address book over REST. Translation only: every rule lives in services."""

from apps.addresses import selectors, services
from servicelayer.rest.routes import Routes

routes = Routes(tag="addresses")
routes.get("addresses/", selectors.address_list, name="address-list")
routes.post("addresses/", services.address_create, status=201)
routes.get("addresses/<pk:address_id>/", selectors.address_get, name="address-detail")
routes.patch("addresses/<pk:address_id>/", services.address_update)
routes.delete("addresses/<pk:address_id>/", services.address_delete, status=204)
routes.post(
    "addresses/<pk:address_id>/default/", services.address_set_default, name="address-default"
)

urlpatterns = routes.urls()
