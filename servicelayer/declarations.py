"""What @service and @query read from a decorated function, written once for both.

A declaration is the function itself: keyword-only parameters, a DTO annotation for the input
(`data` for a service, `params` for a query), the return annotation for the answer, and the
docstring, whose first paragraph is the catalog's summary. Both registries are `Declarations`:
declarations by unique name, listed by role then name.
"""

import inspect
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from servicelayer.dto import DTO
from servicelayer.errors import InvalidInput, NotFound, ServiceError
from servicelayer.roles import Role


@dataclass(frozen=True)
class Signature:
    """A decorated function's keyword-only parameters and resolved annotations."""

    qualname: str
    params: Mapping[str, inspect.Parameter]
    hints: Mapping[str, Any]

    def dto(self, param: str) -> type[DTO] | None:
        """The DTO class `param` is annotated with, or None if there is no such parameter."""
        hint = self.hints.get(param)
        if param in self.params and not (isinstance(hint, type) and issubclass(hint, DTO)):
            raise TypeError(f"{self.qualname}: `{param}` must be annotated with a DTO subclass.")
        return hint if param in self.params else None

    @property
    def result(self) -> Any:
        """The return annotation; None for a function that returns nothing."""
        result = self.hints.get("return")
        return None if result is type(None) else result


def read_signature(func: Callable[..., Any], *, rule: str) -> Signature:
    """`func`'s signature, refused with `rule` (what a declaration takes) unless every
    parameter is keyword-only: deliveries call every declaration by keyword."""
    params = inspect.signature(func).parameters
    if any(p.kind is not inspect.Parameter.KEYWORD_ONLY for p in params.values()):
        raise TypeError(f"{func.__qualname__}: {rule}")
    return Signature(func.__qualname__, params, typing.get_type_hints(func))


def summary(doc: str, name: str) -> str:
    """The docstring's first paragraph in one line (a wrapped line is not a sentence's end),
    or the name when there is no docstring."""
    return " ".join(doc.split("\n\n", 1)[0].split()) or name


def app_of(func: Callable[..., Any]) -> str:
    """The app a declaration belongs to: its module's package (`apps.catalog`)."""
    return func.__module__.rsplit(".", 1)[0]


def possible_errors(
    *, takes_input: bool, role: Role, declared: Iterable[type[ServiceError]]
) -> tuple[type[ServiceError], ...]:
    """Declared errors plus those every call may raise (bad input, access refused)."""
    implied: list[type[ServiceError]] = [InvalidInput] if takes_input else []
    implied.extend(role.errors())
    return tuple(dict.fromkeys([*implied, *declared]))


class Declared(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def func(self) -> Callable[..., Any]: ...
    @property
    def role(self) -> Role: ...


D = TypeVar("D", bound=Declared)


class Declarations(Generic[D]):
    """Declarations of one `kind` ("service", "query") by unique name."""

    kind = "declaration"

    def __init__(self) -> None:
        self._entries: dict[str, D] = {}

    def _all(self) -> dict[str, D]:
        return self._entries

    def add(self, spec: D) -> None:
        existing = self._entries.get(spec.name)
        if existing is not None and existing.func is not spec.func:
            raise RuntimeError(f"Two {self.kind} functions are named {spec.name!r}.")
        self._entries[spec.name] = spec

    def get(self, name: str) -> D:
        try:
            return self._all()[name]
        except KeyError:
            raise NotFound(f"There is no {self.kind} named {name!r}.") from None

    def __iter__(self) -> Iterator[D]:
        return iter(sorted(self._all().values(), key=lambda s: (s.role.name, s.name)))

    def __len__(self) -> int:
        return len(self._all())
