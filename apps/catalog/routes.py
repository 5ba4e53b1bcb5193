"""Catalog over REST: reads for anyone, writes for merchants. Translation only: no rules here."""

from django.conf import settings

from apps.catalog import selectors, services
from servicelayer.rest.routes import Routes

# an image's multipart body: the file, its form fields and the multipart framing
UPLOAD_OVERHEAD = 64 * 1024


def max_upload() -> int:
    return int(settings.AGORA_IMAGE_MAX_BYTES) + UPLOAD_OVERHEAD


routes = Routes(tag="catalog")
routes.get("products/", selectors.product_list, name="product-list")
routes.post("products/", services.product_create, status=201)
routes.get("products/<pk:product_id>/", selectors.product_get, name="product-detail")
routes.patch("products/<pk:product_id>/", services.product_update)
routes.post("products/<pk:product_id>/stock/", services.product_stock_change, name="product-stock")
routes.post(
    "products/<pk:product_id>/variants/",
    services.variant_create,
    status=201,
    name="product-variants",
)
routes.patch(
    "products/<pk:product_id>/variants/<int:variant_id>/",
    services.variant_update,
    name="product-variant",
)
routes.post(
    "products/<pk:product_id>/variants/<int:variant_id>/archive/",
    services.variant_archive,
    name="product-variant-archive",
)
routes.post(
    "products/<pk:product_id>/variants/<int:variant_id>/stock/",
    services.variant_stock_change,
    name="product-variant-stock",
)
routes.post("products/<pk:product_id>/archive/", services.product_archive, name="product-archive")
routes.post("products/<pk:product_id>/restore/", services.product_restore, name="product-restore")
routes.put(
    "products/<pk:product_id>/attributes/",
    services.product_attributes_set,
    name="product-attributes",
)
routes.post(
    "products/<pk:product_id>/images/",
    services.product_image_add,
    status=201,
    name="product-images",
    files=("image",),
    max_upload=max_upload,
)
routes.put("products/<pk:product_id>/images/order/", services.product_image_order)
routes.delete(
    "products/<pk:product_id>/images/<int:image_id>/",
    services.product_image_delete,
    status=204,
    name="product-image",
)
routes.get("categories/", selectors.category_list, name="category-list")
routes.post("categories/", services.category_create, status=201)
routes.get("categories/<pk:category_id>/", selectors.category_get, name="category-detail")
routes.patch("categories/<pk:category_id>/", services.category_update)
routes.post(
    "categories/<pk:category_id>/archive/", services.category_archive, name="category-archive"
)
routes.get("attributes/", selectors.attribute_list, name="attribute-list")
routes.post("attributes/", services.attribute_create, status=201)
routes.patch("attributes/<pk:attribute_id>/", services.attribute_update, name="attribute")
routes.post(
    "attributes/<pk:attribute_id>/archive/", services.attribute_archive, name="attribute-archive"
)

urlpatterns = routes.urls()
