"""The query registry: every read-only query the API exposes, declared once, on its selector.

    @query(role=ANYONE, output=ProductOut, errors=[ProductNotFound])
    def product_get(*, actor: Any, product_id: int) -> dict[str, Any]:
        '''One product. Archived products are visible to merchants only.'''

The decorator reads the rest from the signature, as @service does: the query string's DTO from
the `params` annotation, the ids (they come from the URL) from the other keyword-only parameters,
and the answer's shape from the return annotation (a `Page`, a `list`, or one object of
`output`). It registers the query under the function's name and returns the function itself:
a selector stays a plain function that services may call too, so a query neither checks access
nor validates. Its delivery does that first (REST: `read_endpoint`), and the catalog lists it.
"""

import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.module_loading import autodiscover_modules
from pydantic import BaseModel

from servicelayer.declarations import Declarations, app_of, possible_errors, read_signature, summary
from servicelayer.dto import DTO
from servicelayer.errors import ServiceError
from servicelayer.pagination import Page
from servicelayer.roles import Role

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class QuerySpec:
    name: str
    func: Callable[..., Any]
    role: Role
    output: type[BaseModel]
    params: type[DTO] | None  # the query string
    ids: tuple[str, ...]  # keyword arguments taken from the URL
    paginated: bool  # a Page of `output`
    many: bool  # a list of `output`
    errors: tuple[type[ServiceError], ...]
    doc: str
    app: str
    page_extra: type[BaseModel] | None = None  # what a Page renders beside next and results

    @property
    def summary(self) -> str:
        return summary(self.doc, self.name)

    def possible_errors(self) -> tuple[type[ServiceError], ...]:
        return possible_errors(
            takes_input=self.params is not None or bool(self.ids),
            role=self.role,
            declared=self.errors,
        )


class QueryRegistry(Declarations[QuerySpec]):
    kind = "query"

    def __init__(self, *, discover: str | None = None) -> None:
        super().__init__()
        self._discover = discover

    def _all(self) -> dict[str, QuerySpec]:
        if self._discover is not None:
            # selectors register on import, and nothing else imports every app's selectors
            # (services import the ones they use, views are loaded with the URLs)
            autodiscover_modules(self._discover)
            self._discover = None
        return super()._all()


queries = QueryRegistry(discover="selectors")


def _shape(func: Callable[..., Any]) -> tuple[type[DTO] | None, tuple[str, ...], bool, bool]:
    """The params DTO, the ids, and whether the answer is a page or a list."""
    signature = read_signature(func, rule="a query takes keyword-only `actor`, `params`, ids.")
    if "actor" not in signature.params:
        raise TypeError(f"{func.__qualname__}: a query takes keyword-only `actor`, `params`, ids.")
    dto = signature.dto("params")
    ids = tuple(name for name in signature.params if name not in ("actor", "params"))
    for name in ids:
        if signature.hints.get(name) is not int:
            raise TypeError(f"{func.__qualname__}: the id `{name}` must be annotated int.")
    result = signature.result
    paginated = isinstance(result, type) and issubclass(result, Page)
    many = typing.get_origin(result) is list
    return dto, ids, paginated, many


def query(
    *,
    role: Role,
    output: type[BaseModel],
    errors: Sequence[type[ServiceError]] = (),
    into: QueryRegistry | None = None,
    page_extra: type[BaseModel] | None = None,
) -> Callable[[F], F]:
    """Declare a selector as a read-only query (see the module docstring). `output` is the
    schema of one object of its answer; `errors` those it raises itself; `page_extra` the
    schema of the keys a paginated answer adds beside `next` and `results` (`Page.extra`)."""

    def declare(func: F) -> F:
        dto, ids, paginated, many = _shape(func)
        spec = QuerySpec(
            name=func.__name__,
            func=func,
            role=role,
            output=output,
            params=dto,
            ids=ids,
            paginated=paginated,
            many=many,
            errors=tuple(errors),
            doc=inspect.getdoc(func) or "",
            app=app_of(func),
            page_extra=page_extra,
        )
        (into if into is not None else queries).add(spec)
        func.query = spec  # type: ignore[attr-defined]
        return func

    return declare


def query_of(func: Callable[..., Any]) -> QuerySpec:
    spec = getattr(func, "query", None)
    if not isinstance(spec, QuerySpec):
        raise TypeError(f"{func!r} is not a declared query.")
    return spec
