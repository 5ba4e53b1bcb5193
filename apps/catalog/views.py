"""Catalog over REST: reads for anyone, writes for merchants. Translation only: no rules here."""

from apps.actors import ANYONE
from apps.catalog import selectors, services
from apps.catalog.dto import ProductOut, ProductQuery
from apps.catalog.errors import ProductNotFound
from servicelayer.rest.views import ServiceAPIView, read_endpoint, service_endpoint

PK = {"pk": "product_id"}


class ProductCollection(ServiceAPIView):
    get = read_endpoint(
        selectors.product_list,
        actor=ANYONE,
        params=ProductQuery,
        output=ProductOut,
        paginated=True,
    )
    post = service_endpoint(services.product_create, status=201)


class ProductDetail(ServiceAPIView):
    get = read_endpoint(
        selectors.product_get,
        actor=ANYONE,
        output=ProductOut,
        url_kwargs=PK,
        errors=[ProductNotFound],
    )
    patch = service_endpoint(services.product_update, url_kwargs=PK)


class ProductStock(ServiceAPIView):
    post = service_endpoint(services.product_stock_change, url_kwargs=PK)


class ProductArchive(ServiceAPIView):
    post = service_endpoint(services.product_archive, url_kwargs=PK)


class ProductRestore(ServiceAPIView):
    post = service_endpoint(services.product_restore, url_kwargs=PK)
