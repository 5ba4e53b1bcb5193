from django.urls import include, path
from rest_framework.routers import SimpleRouter

from bench import baselines

router = SimpleRouter()
router.register("products", baselines.NaiveProductViewSet, basename="naive-product")
router.register("orders", baselines.NaiveOrderViewSet, basename="naive-order")

urlpatterns = [
    path("", include("config.urls")),
    path("bench/naive/", include(router.urls)),
    path("bench/floor/products/", baselines.floor_products),
    path("bench/floor/orders/", baselines.floor_order),
]
