"""URL wiring: the API under /api/, its docs, the admin, the health probes."""

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


api: list[URLPattern | URLResolver] = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("", include("apps.accounts.routes")),
    path("", include("apps.catalog.routes")),
    path("", include("apps.addresses.routes")),
    path("", include("apps.shipping.routes")),
    path("", include("apps.ordering.routes")),
    path("", include("apps.payments.routes")),
    path("", include("apps.bookings.routes")),
    path("", include("apps.webhooks.routes")),
    path("services/", ServiceCatalogView.as_view(), name="service-catalog"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the docs pages load Swagger UI and ReDoc from this server's static files (sidecar)
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    # Probes ask with or without the slash: both answer, neither redirects (APPEND_SLASH).
    path("health/live", health.live),
    path("health/live/", health.live, name="health-live"),
    path("health/ready", health.ready),
    path("health/ready/", health.ready, name="health-ready"),
    path("api/", include(api)),
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
