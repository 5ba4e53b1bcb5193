"""Catalog over REST: reads for anyone, writes for merchants. Translation only: no rules here."""

from apps.catalog import selectors, services
from servicelayer.rest.routes import Routes

routes = Routes(tag="catalog")
routes.get("products/", selectors.product_list, name="product-list")
routes.post("products/", services.product_create, status=201)
routes.get("products/<pk:product_id>/", selectors.product_get, name="product-detail")
routes.patch("products/<pk:product_id>/", services.product_update)
routes.post("products/<pk:product_id>/stock/", services.product_stock_change, name="product-stock")
routes.post("products/<pk:product_id>/archive/", services.product_archive, name="product-archive")
routes.post("products/<pk:product_id>/restore/", services.product_restore, name="product-restore")

urlpatterns = routes.urls()
