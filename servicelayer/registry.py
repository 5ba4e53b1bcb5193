"""The service registry: every application service, with what the catalog says about it.

    @service(role=SHOPPER, errors=[OutOfStock, ProductNotFound], atomic=True)
    def order_place(*, actor: User, data: NewOrder) -> OrderOut:
        '''Place an order for one product.'''

The decorator reads the DTO class from the `data` annotation and the result type from the return
annotation, registers the service under its function name, and wraps it so that the role's
access is checked whoever calls it: a view, a command, a task or a test. The wrapper keeps the
function's signature for type checkers, so calling `order_place(actor=user, data={...})` (a
dict, the wrong DTO, a missing field) is a mypy error, and at run time anything but an instance
of the service's DTO is a TypeError. Untrusted input (a dict from JSON) becomes the DTO in one
place per delivery, through `ServiceSpec.call`.
"""

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, cast

from pydantic import BaseModel

from servicelayer import transactions
from servicelayer.declarations import Declarations, app_of, possible_errors, read_signature, summary
from servicelayer.dto import DTO, validate_input
from servicelayer.errors import InvalidInput, ServiceError
from servicelayer.roles import Access, Role

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Service(Protocol, Generic[P, R_co]):
    """A registered service as callers see it: the signature and result of the function it
    wraps (keyword-only `actor` and `data`, the DTO), and its `spec`."""

    spec: "ServiceSpec"
    __name__: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    func: Callable[..., Any]
    role: Role
    dto: type[DTO] | None
    result: type[Any] | None
    errors: tuple[type[ServiceError], ...]
    doc: str
    app: str = field(default="")
    atomic: bool = False

    @property
    def summary(self) -> str:
        return summary(self.doc, self.name)

    def possible_errors(self) -> tuple[type[ServiceError], ...]:
        return possible_errors(
            takes_input=self.dto is not None, role=self.role, declared=self.errors
        )

    def call(self, *, actor: Any, data: Any = None) -> Any:
        """Run the service with untrusted input (a dict from JSON) or a ready DTO: the one
        entry the deliveries (REST, `manage.py call`, Celery) use. Access is checked before the
        input is validated, so an anonymous caller learns nothing about the input's rules."""
        self.role.authorize(actor)
        return self.run(actor, data)

    def run(self, actor: Any, data: Any = None) -> Any:
        """`call` for an actor the caller has just authorized itself: a delivery that must
        answer 401 before it reads the input checks access first, and only once."""
        if self.dto is None:
            if data not in (None, {}):
                raise InvalidInput("This service takes no input.")
            return self.func(actor=actor)
        return self.func(actor=actor, data=validate_input(self.dto, data))


class Registry(Declarations[ServiceSpec]):
    kind = "service"


registry = Registry()


def service(
    *,
    role: Role,
    errors: Sequence[type[ServiceError]] = (),
    atomic: bool = False,
    outside: bool = False,
    into: Registry | None = None,
) -> Callable[[Callable[P, R]], Service[P, R]]:
    """Register a function as an application service (see the module docstring).

    Every service says how it uses transactions, one of two ways (docs/architecture.md, "One
    transaction rule"). `atomic=True`: the whole service runs in one database transaction,
    which a caller may join (the idempotency layer stores its response in it). `outside=True`:
    the service calls the outside world (a gateway, a supplier), so it runs in no transaction,
    and refuses to run inside a caller's; its short transactions follow the three steps of
    servicelayer.outside."""

    def decorate(func: Callable[P, R]) -> Service[P, R]:
        if atomic == outside:
            raise TypeError(
                f"{func.__qualname__}: declare atomic=True, or outside=True if it calls the "
                "outside world (one of the two)."
            )
        signature = read_signature(func, rule="a service takes keyword-only `actor` and `data`.")
        params = signature.params
        if set(params) - {"actor", "data"}:
            raise TypeError(
                f"{func.__qualname__}: a service takes keyword-only `actor` and `data`."
            )
        if "actor" not in params and role.access in (Access.AUTHENTICATED, Access.STAFF):
            # its typed signature would let no Python caller name the user it needs
            raise TypeError(f"{func.__qualname__}: a service for a signed-in user takes `actor`.")
        dto, result = signature.dto("data"), signature.result

        def run(*, actor: Any = None, data: DTO | None = None) -> R:
            """The service itself, for an authorized actor and a valid DTO (ServiceSpec.func)."""
            call_kwargs: dict[str, Any] = {}
            if dto is not None:
                call_kwargs["data"] = data
            if "actor" in params:
                call_kwargs["actor"] = actor
            if atomic:
                with transactions.atomic():
                    return func(**call_kwargs)  # type: ignore[call-arg]
            if transactions.caller_transaction_open():
                # its outside call would hold the caller's locks for as long as it takes
                raise RuntimeError(
                    f"{func.__qualname__} calls the outside world: not in a transaction."
                )
            return func(**call_kwargs)  # type: ignore[call-arg]

        # the signature type checkers see is func's; `actor` is also accepted (and checked)
        # when func does not name it, so a delivery can call every service the same way
        @functools.wraps(func)
        def checked(*, actor: Any = None, data: Any = None) -> R:
            spec.role.authorize(actor)
            if dto is not None and not isinstance(data, dto):
                raise TypeError(
                    f"{spec.name} takes a {dto.__name__}, not {type(data).__name__}: "
                    "untrusted input goes through ServiceSpec.call."
                )
            if dto is None and data is not None:
                raise TypeError(f"{spec.name} takes no input.")
            return run(actor=actor, data=data)

        spec = ServiceSpec(
            name=func.__name__,
            func=run,
            role=role,
            dto=dto,
            result=result,
            errors=tuple(errors),
            doc=inspect.getdoc(func) or "",
            app=app_of(func),
            atomic=atomic,
        )
        (into if into is not None else registry).add(spec)
        checked.spec = spec  # type: ignore[attr-defined]
        return cast(Service[P, R], checked)

    return decorate


def spec_of(func: Callable[..., Any]) -> ServiceSpec:
    spec = getattr(func, "spec", None)
    if not isinstance(spec, ServiceSpec):
        raise TypeError(f"{func!r} is not a registered service.")
    return spec


def result_schema(spec: ServiceSpec) -> type[BaseModel] | None:
    result = spec.result
    return result if isinstance(result, type) and issubclass(result, BaseModel) else None
