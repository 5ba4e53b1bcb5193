from django.urls import include, path
from rest_framework.routers import SimpleRouter

from bench import baselines, ninja_baseline

router = SimpleRouter()
router.register("products", baselines.NaiveProductViewSet, basename="naive-product")
router.register("orders", baselines.NaiveOrderViewSet, basename="naive-order")
router.register("basket", baselines.NaiveBasketViewSet, basename="naive-basket")

journey = "bench/floor/journey/orders/"

urlpatterns = [
    path("", include("config.urls")),
    path("bench/naive/", include(router.urls)),
    path("bench/ninja/", ninja_baseline.api.urls),
    path("bench/floor/products/", baselines.floor_products),
    path("bench/floor/orders/", baselines.floor_order),
    path(journey, baselines.floor_journey_place),
    path(f"{journey}<int:order_id>/address/", baselines.floor_journey_address),
    path(f"{journey}<int:order_id>/shipping/", baselines.floor_journey_shipping),
    path(f"{journey}<int:order_id>/payments/", baselines.floor_journey_pay),
]
