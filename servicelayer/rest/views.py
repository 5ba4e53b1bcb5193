"""Endpoints: what one HTTP operation does, built from a service or a selector.

    ServiceEndpoint(product_update, url_map={"pk": "product_id"})
    ReadEndpoint(query_of(product_get), url_map={"pk": "product_id"})

An app never builds these by hand: its route table (servicelayer.rest.routes) does, and names
the path parameters. `ServiceEndpoint.handle` checks the service's role, validates the body against
the service's DTO merged with the URL's ids (ids come from the URL, never from the body;
uploaded files are refused), runs the service for the acting user, and renders its result.
`ReadEndpoint.handle` does the same for a selector, with the query string as its input. Errors
are raised, never caught here: the exception handler maps every one to its status and the one
error body. `schema()` is the operation's OpenAPI description (input, output, every error the
service declares) as drf-spectacular's `extend_schema` arguments.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from pydantic import BaseModel, RootModel, TypeAdapter, create_model
from pydantic import ValidationError as PydanticValidationError
from rest_framework.exceptions import APIException, Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from servicelayer import idempotency, jsonutil
from servicelayer.dto import DTO, MAX_DB_INT, Id, validate_input
from servicelayer.errors import InvalidInput, NotAuthenticated, NotFound, ServiceError
from servicelayer.pagination import Page
from servicelayer.queries import QuerySpec
from servicelayer.registry import ServiceSpec, result_schema, spec_of
from servicelayer.rest.errors import Error, RequestTooLarge, status_of
from servicelayer.rest.schema import query_parameters
from servicelayer.roles import Access, Role

IDEMPOTENCY_HEADER = "Idempotency-Key"
# an error a response documents: a service error, or one of DRF's answered before a service
Documented = type[ServiceError] | type[APIException]


def acting_user(request: Request) -> Any:
    user = request.user
    return user if user is not None and user.is_authenticated else None


def _as_mapping(data: Any) -> dict[str, Any]:
    if isinstance(data, QueryDict):
        return data.dict()
    if isinstance(data, Mapping):
        return dict(data)
    raise InvalidInput(fields={"non_field_errors": ["Expected a JSON object."]})


def _refuse_files(request: Request, allowed: Iterable[str] = ()) -> None:
    """Service inputs are JSON: an uploaded file has no field to go to, and no JSON form,
    except in the `bytes` fields an endpoint takes files for (`files=`)."""
    if request.content_type.startswith("multipart/") and request.FILES:
        refused = set(request.FILES) - set(allowed)
        if refused:
            raise InvalidInput(
                fields={name: ["Files are not accepted here; send JSON."] for name in refused}
            )


def _read_uploads(request: Request, given: dict[str, Any], names: Iterable[str]) -> None:
    """The uploaded files of `names` as bytes in `given` (DRF merges them into `data`); the
    body's size was bounded before it was parsed. A field given as text is no file."""
    for name in names:
        upload = request.FILES.get(name)
        if upload is not None:
            given[name] = upload.read()
        elif name in given:
            raise InvalidInput(fields={name: ["Send a file (multipart/form-data)."]})


def _bound_upload(request: Request, limit: int) -> None:
    """A body that declares more than `limit` bytes is refused before it is read: Django
    streams uploaded files to disk whatever their size (DATA_UPLOAD_MAX_MEMORY_SIZE leaves
    files out). Without a Content-Length Django's parser reads no body at all."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge(limit)


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


def security_of(role: Role) -> dict[str, Any]:
    """Public operations also take anonymous requests: say so in their security."""
    return {"auth": PUBLIC_SECURITY} if role.access is Access.PUBLIC else {}


def always_possible(url_map: Mapping[str, str]) -> list[Documented]:
    """Errors any operation may answer whatever it declares: any request may carry a bad token
    (401), a path whose id is not a number matches no URL (404), and any client may go over
    the API's rates (429) when throttles are configured."""
    errors: list[Documented] = [NotAuthenticated, NotFound] if url_map else [NotAuthenticated]
    if api_settings.DEFAULT_THROTTLE_CLASSES:
        errors.append(Throttled)
    return errors


def _status_and_code(error: Documented) -> tuple[int, str]:
    if issubclass(error, ServiceError):
        return status_of(error), error.code
    return error.status_code, str(error.default_code)


def error_responses(errors: Iterable[Documented]) -> dict[int, OpenApiResponse]:
    by_status: dict[int, list[str]] = {}
    for error in dict.fromkeys(errors):
        status, code = _status_and_code(error)
        by_status.setdefault(status, []).append(f"`{code}`")
    return {
        status: OpenApiResponse(Error, description="Error codes: " + ", ".join(codes))
        for status, codes in sorted(by_status.items())
    }


@dataclass(frozen=True)
class ServiceEndpoint:
    """An operation that runs the registered service `service` with the request body.

    `url_map` maps URL keyword arguments to DTO fields; `idempotent` honours an
    `Idempotency-Key` header (see servicelayer.idempotency); `status_for(result)` picks the
    status per result (e.g. 202 for an outcome still unknown), which must be `status` or one
    of `other_statuses`."""

    service: Callable[..., Any]
    url_map: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    status_for: Callable[[Any], int] | None = None
    other_statuses: tuple[int, ...] = ()
    output: type[BaseModel] | None = None
    idempotent: bool = False
    # DTO fields (`bytes`) that take an uploaded file (multipart/form-data) of the same name;
    # the whole body is then bounded by `max_upload()` bytes (413 over it, before reading)
    files: tuple[str, ...] = ()
    max_upload: Callable[[], int] | None = None

    def __post_init__(self) -> None:
        dto = self.spec.dto
        unknown = set(self.url_map.values()) - set(dto.model_fields if dto is not None else ())
        if unknown:
            raise TypeError(f"{self.spec.name}: no input field for the path's {sorted(unknown)}.")
        if self.files and (dto is None or set(self.files) - set(dto.model_fields)):
            raise TypeError(f"{self.spec.name}: no input field for the files {self.files}.")
        if self.files and self.max_upload is None:
            raise TypeError(f"{self.spec.name}: an endpoint that takes files needs max_upload.")

    @property
    def spec(self) -> ServiceSpec:
        return spec_of(self.service)

    def handle(self, request: Request, **kwargs: Any) -> Response:
        spec, user = self.spec, acting_user(request)
        # access first, then the input: an anonymous caller learns nothing about the body
        spec.role.authorize(user)
        if self.max_upload is not None:
            _bound_upload(request, self.max_upload())
        _refuse_files(request, self.files)
        data: DTO | None = None
        if spec.dto is not None:
            given = _as_mapping(request.data)
            _read_uploads(request, given, self.files)
            for url_kw, dto_field in self.url_map.items():
                given[dto_field] = kwargs[url_kw]
            # validated before a key is claimed: a refused input claims nothing (the client
            # may retry it corrected under the same key), and the fingerprint is of the input
            # as accepted, always JSON
            data = validate_input(spec.dto, given)

        def run() -> tuple[int, Any]:
            result = spec.run(user, data)
            if self.status == 204:
                return 204, None
            return (self.status_for(result) if self.status_for else self.status), result

        key = request.headers.get(IDEMPOTENCY_HEADER) if self.idempotent else None
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

    def body(self) -> type[BaseModel] | None:
        """The request body's model (the DTO without the path's ids); None without one."""
        dto = self.spec.dto
        body = body_model(dto, frozenset(self.url_map.values())) if dto is not None else None
        return body if body is not None and body.model_fields else None

    def schema(self) -> dict[str, Any]:
        spec = self.spec
        output = self.output if self.output is not None else result_schema(spec)
        responses: dict[int, Any] = {self.status: output if self.status != 204 else None}
        responses.update(dict.fromkeys(self.other_statuses, output))
        # InvalidInput even without a DTO: any request may carry an uploaded file, refused
        documented: list[Documented] = [
            *spec.possible_errors(),
            InvalidInput,
            *always_possible(self.url_map),
        ]
        parameters = path_parameters(self.url_map)
        body = self.body()
        if body is not None:
            documented.append(RequestTooLarge)  # the parser refuses it before reading it
        request_body: Any = body
        if body is not None and self.files:
            request_body = {"multipart/form-data": body}
        if self.idempotent:
            documented += [
                idempotency.IdempotencyKeyReused,
                idempotency.IdempotentRequestInProgress,
                InvalidInput,
            ]
            parameters.append(IDEMPOTENCY_PARAMETER)
        responses.update(error_responses(documented))
        return {
            "operation_id": spec.name,
            "summary": spec.summary,
            "description": f"{spec.doc}\n\nService `{spec.name}`, for the {spec.role.name}.",
            "responses": responses,
            "parameters": parameters,
            "request": request_body,
            **security_of(spec.role),
        }


IDEMPOTENCY_PARAMETER = OpenApiParameter(
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


@dataclass(frozen=True)
class ReadEndpoint:
    """An operation that reads: a declared query (servicelayer.queries) whose selector
    `fetch(actor=..., params=..., **ids)` returns plain data (rows or a Page), rendered as it
    is. The query's declaration says who may run it, its query string's DTO, the shape of its
    answer and its errors; `url_map` names the path's ids."""

    query: QuerySpec
    url_map: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.url_map.values()) - set(self.query.ids)
        if unknown:
            raise TypeError(f"{self.query.name}: no parameter for the path's {sorted(unknown)}.")

    def handle(self, request: Request, **kwargs: Any) -> Response:
        query = self.query
        user = acting_user(request)
        query.role.authorize(user)
        call_kwargs: dict[str, Any] = {
            dto_field: _url_id(dto_field, kwargs[k]) for k, dto_field in self.url_map.items()
        }
        if query.params is not None:
            call_kwargs["params"] = validate_input(query.params, _query_of(request))
        result = query.func(actor=user, **call_kwargs)
        if isinstance(result, Page):
            body = {"next": _next_url(request, result), "results": result.results}
            return Response({**body, **result.extra} if result.extra else body)
        return Response(result)

    def body(self) -> None:
        """A read takes no body (its input is the query string)."""
        return None

    def schema(self) -> dict[str, Any]:
        query = self.query
        output = query.output
        response: Any = output
        if query.many:
            response = type(f"{output.__name__}List", (RootModel[list[output]],), {})  # type: ignore[valid-type]
        if query.paginated:
            response = create_model(
                f"{output.__name__}Page",
                __base__=query.page_extra or BaseModel,
                next=(str | None, None),
                results=(list[output], ...),  # type: ignore[valid-type]
            )
        errors = [*query.possible_errors(), *always_possible(self.url_map)]
        return {
            "operation_id": query.name,
            "summary": query.summary,
            "description": query.doc,
            "parameters": [
                *path_parameters(self.url_map),
                *(query_parameters(query.params) if query.params is not None else []),
            ],
            "responses": {200: response, **error_responses(errors)},
            **security_of(query.role),
        }


def _query_of(request: Request) -> dict[str, Any]:
    """The query string as a selector's input, without DRF's own `format` override (the
    browsable API's `?format=api`), which is no field of any input."""
    query = request.query_params.dict()
    override = api_settings.URL_FORMAT_OVERRIDE
    if override:
        query.pop(override, None)
    return query


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
