"""The REST base: a view is a few declarative lines; the toolkit does the translating.

    class ProductDetail(ServiceAPIView):
        get = read_endpoint(product_get, actor=ANYONE, output=ProductOut, url_kwargs=PK)
        patch = service_endpoint(product_update, url_kwargs={"pk": "product_id"})

`service_endpoint` authorizes the actor, validates the body against the service's DTO merged
with the URL's ids (ids come from the URL, never from the body; uploaded files are refused),
calls the service with the acting user, and renders its result. `read_endpoint` does the same
for a selector, with the query string as its input. Errors are raised, never caught here: the
exception handler maps every one to its status and the one error body. Each handler carries
its OpenAPI description (input, output, every error the service declares).
"""

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from pydantic import BaseModel, RootModel, TypeAdapter, create_model
from pydantic import ValidationError as PydanticValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicelayer import idempotency, jsonutil
from servicelayer.actors import Access, Actor
from servicelayer.dto import DTO, MAX_DB_INT, Id, validate_input
from servicelayer.errors import InvalidInput, NotAuthenticated, NotFound, ServiceError
from servicelayer.pagination import Page
from servicelayer.registry import ServiceSpec, result_schema, spec_of
from servicelayer.rest.errors import Error, status_of
from servicelayer.rest.schema import query_parameters

Handler = Callable[..., Response]
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ServiceAPIView(APIView):
    """Base of views built from endpoints. Access is checked by each service's actor, so the
    view itself lets every request through to the endpoint."""

    permission_classes: list[Any] = []


def acting_user(request: Request) -> Any:
    user = request.user
    return user if user is not None and user.is_authenticated else None


def _as_mapping(data: Any) -> dict[str, Any]:
    if isinstance(data, QueryDict):
        return data.dict()
    if isinstance(data, Mapping):
        return dict(data)
    raise InvalidInput(fields={"non_field_errors": ["Expected a JSON object."]})


def _refuse_files(request: Request) -> None:
    """Service inputs are JSON: an uploaded file has no field to go to, and no JSON form."""
    if request.content_type.startswith("multipart/") and request.FILES:
        raise InvalidInput(
            fields={name: ["Files are not accepted here; send JSON."] for name in request.FILES}
        )


@cache
def body_model(dto: type[DTO], url_fields: frozenset[str]) -> type[BaseModel]:
    """The request body's schema: the DTO without the fields that come from the URL."""
    if not url_fields:
        return dto
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in dto.model_fields.items()
        if name not in url_fields
    }
    return create_model(f"{dto.__name__}Body", __base__=DTO, __doc__=dto.__doc__, **fields)


def path_parameters(url_map: Mapping[str, str]) -> list[OpenApiParameter]:
    """Ids in the path, with the bounds the API enforces (`pk` is documented as `id`)."""
    return [
        OpenApiParameter(
            "id" if kwarg == "pk" else kwarg,
            type={"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
            location=OpenApiParameter.PATH,
        )
        for kwarg in url_map
    ]


# security requirements of an operation that also takes anonymous requests (`{}`); drf-
# spectacular's `auth` override takes requirement objects, whatever its type hint says
PUBLIC_SECURITY: Any = [{"tokenAuth": []}, {"cookieAuth": []}, {}]


def security_of(actor: Actor) -> dict[str, Any]:
    """Public operations also take anonymous requests: say so in their security."""
    return {"auth": PUBLIC_SECURITY} if actor.access is Access.PUBLIC else {}


def always_possible(url_map: Mapping[str, str]) -> list[type[ServiceError]]:
    """Errors any operation may answer whatever it declares: any request may carry a bad token
    (401), and a path whose id is not a number matches no URL (404)."""
    return [NotAuthenticated, NotFound] if url_map else [NotAuthenticated]


def error_responses(errors: Iterable[type[ServiceError]]) -> dict[int, OpenApiResponse]:
    by_status: dict[int, list[str]] = {}
    for error in dict.fromkeys(errors):
        by_status.setdefault(status_of(error), []).append(f"`{error.code}`")
    return {
        status: OpenApiResponse(Error, description="Error codes: " + ", ".join(codes))
        for status, codes in sorted(by_status.items())
    }


def _tag(spec_app: str) -> str:
    return spec_app.rsplit(".", 1)[-1]


def service_endpoint(
    func: Callable[..., Any],
    *,
    url_kwargs: Mapping[str, str] | None = None,
    status: int = 200,
    status_for: Callable[[Any], int] | None = None,
    other_statuses: Iterable[int] = (),
    output: type[BaseModel] | None = None,
    idempotent: bool = False,
) -> Handler:
    """A view handler that runs the registered service `func` with the request body.

    url_kwargs maps URL keyword arguments to DTO fields;
    `idempotent` honours an `Idempotency-Key` header (see servicelayer.idempotency);
    `status_for(result)` picks the status per result (e.g. 202 for an outcome still unknown),
    which must be `status` or one of `other_statuses`.
    """
    spec = spec_of(func)
    url_map = dict(url_kwargs or {})
    output = output if output is not None else result_schema(spec)

    def handler(self: APIView, request: Request, **kwargs: Any) -> Response:
        user = acting_user(request)
        spec.actor.authorize(user)
        _refuse_files(request)
        data: DTO | None = None
        if spec.dto is not None:
            given = _as_mapping(request.data)
            for url_kw, dto_field in url_map.items():
                given[dto_field] = kwargs[url_kw]
            # validated before a key is claimed: a refused input claims nothing (the client
            # may retry it corrected under the same key), and the fingerprint is of the input
            # as accepted, always JSON
            data = validate_input(spec.dto, given)

        def run() -> tuple[int, Any]:
            result = spec.call(actor=user, data=data)
            if status == 204:
                return 204, None
            return (status_for(result) if status_for else status), result

        key = request.headers.get(IDEMPOTENCY_HEADER) if idempotent else None
        if key is None or user is None:
            code, body = run()
            return Response(body, status=code)

        def work() -> tuple[int, Any]:
            code, body = run()
            return code, jsonutil.to_jsonable(body)

        stored = idempotency.run_once(
            user_id=user.pk,
            key=idempotency.validate_key(key),
            fingerprint=idempotency.request_fingerprint(
                request.method or "",
                request.path,
                data.model_dump(mode="json") if data is not None else None,
            ),
            atomic=spec.atomic,
            work=work,
            error_status=lambda error: status_of(type(error)),
        )
        response = Response(stored.body, status=stored.status)
        if stored.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    responses: dict[int, Any] = {status: output if status != 204 else None}
    responses.update(dict.fromkeys(other_statuses, output))
    # InvalidInput even without a DTO: any request may carry an uploaded file, refused
    documented_errors = [*spec.possible_errors(), InvalidInput, *always_possible(url_map)]
    schema_kwargs: dict[str, Any] = {"parameters": path_parameters(url_map), "request": None}
    body = body_model(spec.dto, frozenset(url_map.values())) if spec.dto is not None else None
    if body is not None and body.model_fields:
        schema_kwargs["request"] = body
    if idempotent:
        documented_errors += [
            idempotency.IdempotencyKeyReused,
            idempotency.IdempotentRequestInProgress,
            InvalidInput,
        ]
        schema_kwargs["parameters"].append(
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                type=str,
                location=OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Makes a retry safe: the same key with the same request replays the first "
                    "response (with `Idempotent-Replayed: true`); with another request it is a "
                    "422; while the first still runs, a 409. Keys are per user, for 24 hours."
                ),
            )
        )
    responses.update(error_responses(documented_errors))
    return extend_schema(
        operation_id=spec.name,
        summary=spec.summary,
        description=_describe(spec),
        responses=responses,
        tags=[_tag(spec.app)],
        **schema_kwargs,
        **security_of(spec.actor),
    )(handler)


def _describe(spec: ServiceSpec) -> str:
    return f"{spec.doc}\n\nService `{spec.name}`, for the {spec.actor.name}."


def read_endpoint(
    fetch: Callable[..., Any],
    *,
    actor: Actor,
    output: type[BaseModel],
    params: type[DTO] | None = None,
    url_kwargs: Mapping[str, str] | None = None,
    paginated: bool = False,
    many: bool = False,
    errors: Iterable[type[ServiceError]] = (),
) -> Handler:
    """A view handler for a read: `fetch(actor=..., params=..., **ids)` returns plain data
    (rows or a Page), rendered as it is. `params` validates the query string."""
    url_map = dict(url_kwargs or {})

    def handler(self: APIView, request: Request, **kwargs: Any) -> Response:
        user = acting_user(request)
        actor.authorize(user)
        call_kwargs: dict[str, Any] = {
            dto_field: _url_id(dto_field, kwargs[k]) for k, dto_field in url_map.items()
        }
        if params is not None:
            call_kwargs["params"] = validate_input(params, request.query_params.dict())
        result = fetch(actor=user, **call_kwargs)
        if isinstance(result, Page):
            return Response({"next": _next_url(request, result), "results": result.results})
        return Response(result)

    all_errors: list[type[ServiceError]] = list(errors)
    if params is not None or url_map:
        all_errors.insert(0, InvalidInput)
    all_errors = [*actor.errors(), *all_errors, *always_possible(url_map)]
    response: Any = output
    if many:
        response = type(f"{output.__name__}List", (RootModel[list[output]],), {})  # type: ignore[valid-type]
    if paginated:
        response = create_model(
            f"{output.__name__}Page",
            __base__=BaseModel,
            next=(str | None, None),
            results=(list[output], ...),  # type: ignore[valid-type]
        )
    return extend_schema(
        operation_id=fetch.__name__,
        summary=(fetch.__doc__ or fetch.__name__).strip().splitlines()[0],
        description=(fetch.__doc__ or "").strip(),
        parameters=[
            *path_parameters(url_map),
            *(query_parameters(params) if params is not None else []),
        ],
        responses={200: response, **error_responses(all_errors)},
        tags=[_tag(fetch.__module__.rsplit(".", 1)[0])],
        **security_of(actor),
    )(handler)


_ID = TypeAdapter(Id)


def _url_id(name: str, value: Any) -> int:
    try:
        return _ID.validate_python(value)
    except PydanticValidationError as exc:
        raise InvalidInput(fields={name: [e["msg"] for e in exc.errors()]}) from None


def _next_url(request: Request, page: Page) -> str | None:
    if page.next_cursor is None:
        return None
    query = {**request.query_params.dict(), "cursor": page.next_cursor}
    return request.build_absolute_uri(request.path) + "?" + urlencode(query)
