"""URL wiring: the API under /api/, its docs, the admin, the health probes."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from servicelayer import health
from servicelayer.rest.catalog_view import ServiceCatalogView
from servicelayer.rest.errors import ErrorPages


class ApiRoot(APIView):
    """Agora's API: the entry points."""

    permission_classes: list[Any] = []

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return reverse(name, request=request)

        return Response(
            {
                "products": url("product-list"),
                "categories": url("category-list"),
                "attributes": url("attribute-list"),
                "basket": url("basket"),
                "orders": url("order-list"),
                "addresses": url("address-list"),
                "shipping_methods": url("shipping-method-list"),
                "hotels": url("hotel-list"),
                "bookings": url("booking-list"),
                "webhook_endpoints": url("webhook-endpoint-list"),
                "register": url("auth-register"),
                "login": url("auth-login"),
                "logout": url("auth-logout"),
                "services": url("service-catalog"),
                "schema": url("schema"),
                "docs": url("swagger-ui"),
                "redoc": url("redoc"),
            }
        )


# The apps' routes in one flat list rather than an include per app: resolving tries each
# pattern in turn, and an include that holds no match raises (and catches) a Resolver404 of
# its own, so a request to the fifth app's routes paid for four exceptions first.
APP_ROUTES = [
    "apps.accounts.routes",
    "apps.catalog.routes",
    "apps.addresses.routes",
    "apps.shipping.routes",
    "apps.ordering.routes",
    "apps.payments.routes",
    "apps.bookings.routes",
    "apps.webhooks.routes",
]

api: list[URLPattern | URLResolver] = [
    path("", ApiRoot.as_view(), name="api-root"),
    *(pattern for module in APP_ROUTES for pattern in import_module(module).urlpatterns),
    path("services/", ServiceCatalogView.as_view(), name="service-catalog"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the docs pages load Swagger UI and ReDoc from this server's static files (sidecar)
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("api/", include(api)),  # first: most requests are the API's
    # Probes ask with or without the slash: both answer, neither redirects (APPEND_SLASH).
    path("health/live", health.live),
    path("health/live/", health.live, name="health-live"),
    path("health/ready", health.ready),
    path("health/ready/", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    # uploaded images, in DEBUG only (empty otherwise): production serves MEDIA_ROOT itself
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

# Errors Django answers itself (bad Host, oversized body, unknown URL, ...): the error body on
# the API, Django's own pages for the admin and the browsable API's sign-in.
error_pages = ErrorPages(api_prefix="/api/")
handler400 = error_pages.bad_request
handler403 = error_pages.permission_denied
handler404 = error_pages.not_found
handler500 = error_pages.server_error
