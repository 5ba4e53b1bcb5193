"""Baskets and orders over REST. Translation only: every rule lives in services and models."""

from apps.actors import SHOPPER
from apps.ordering import selectors, services
from apps.ordering.dto import BasketOut, OrderOut, OrderQuery
from apps.ordering.errors import OrderNotFound
from servicelayer.rest.views import ServiceAPIView, read_endpoint, service_endpoint

PK = {"pk": "order_id"}
PRODUCT = {"product_id": "product_id"}


class BasketView(ServiceAPIView):
    get = read_endpoint(selectors.basket_get, actor=SHOPPER, output=BasketOut)
    delete = service_endpoint(services.basket_empty)


class BasketItems(ServiceAPIView):
    post = service_endpoint(services.basket_add_item)


class BasketItem(ServiceAPIView):
    patch = service_endpoint(services.basket_change_quantity, url_kwargs=PRODUCT)
    delete = service_endpoint(services.basket_remove_item, url_kwargs=PRODUCT)


class BasketConfirm(ServiceAPIView):
    post = service_endpoint(services.order_confirm, status=201, idempotent=True)


class OrderCollection(ServiceAPIView):
    get = read_endpoint(
        selectors.order_list, actor=SHOPPER, params=OrderQuery, output=OrderOut, paginated=True
    )
    post = service_endpoint(services.order_place, status=201, idempotent=True)


class OrderDetail(ServiceAPIView):
    get = read_endpoint(
        selectors.order_get, actor=SHOPPER, output=OrderOut, url_kwargs=PK, errors=[OrderNotFound]
    )


class OrderChangeQuantity(ServiceAPIView):
    post = service_endpoint(services.order_change_quantity, url_kwargs=PK)


class OrderCancel(ServiceAPIView):
    post = service_endpoint(services.order_cancel, url_kwargs=PK)


class OrderShip(ServiceAPIView):
    post = service_endpoint(services.order_ship, url_kwargs=PK)


class OrderDeliver(ServiceAPIView):
    post = service_endpoint(services.order_deliver, url_kwargs=PK)
