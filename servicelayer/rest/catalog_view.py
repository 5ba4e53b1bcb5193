from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicelayer.catalog import Catalog, catalog
from servicelayer.rest.views import PUBLIC_SECURITY, always_possible, error_responses


class ServiceCatalogView(APIView):
    """The service catalog: every user action the system offers and every read-only query,
    grouped by role."""

    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="service_catalog",
        summary="The service catalog",
        description=(
            "Every application service, grouped by role, with its input fields, result type "
            "and the error codes it can answer with; under `queries`, every read-only query, "
            "grouped by role, described alike. The same list as `manage.py services`."
        ),
        responses={200: Catalog, **error_responses(always_possible({}))},
        tags=["catalog of services"],
        auth=PUBLIC_SECURITY,
    )
    def get(self, request: Request) -> Response:
        return Response(catalog())
