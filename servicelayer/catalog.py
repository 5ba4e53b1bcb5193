"""The service catalog: what the system does, per role, read from the registries.

Each role's key lists its services (the actions it may take); the key "queries" lists, per
role again, the read-only queries it may run. `manage.py services` prints the same.
"""

import types
import typing
from typing import Any

from pydantic import ConfigDict

from servicelayer.dto import DTO, Output
from servicelayer.errors import ServiceError, kind_of
from servicelayer.queries import QueryRegistry, QuerySpec, queries
from servicelayer.registry import Registry, ServiceSpec, registry

QUERIES = "queries"


def _type_name(annotation: Any) -> str:
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(_type_name(a) for a in args)}]"
    return getattr(annotation, "__name__", str(annotation))


def _fields(dto: type[DTO] | None) -> list[dict[str, Any]]:
    if dto is None:
        return []
    return [
        {
            "name": name,
            "type": _type_name(info.annotation),
            "required": info.is_required(),
            "description": info.description or "",
        }
        for name, info in dto.model_fields.items()
    ]


def _errors(errors: tuple[type[ServiceError], ...]) -> list[dict[str, Any]]:
    return [
        {"code": e.code, "kind": kind_of(e).__name__, "message": e.default_message} for e in errors
    ]


def describe(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "role": spec.role.name,
        "app": spec.app,
        "summary": spec.summary,
        "doc": spec.doc,
        "input": _fields(spec.dto),
        "result": _type_name(spec.result),
        "errors": _errors(spec.possible_errors()),
    }


def describe_query(spec: QuerySpec) -> dict[str, Any]:
    """A query as a service is described: its input is its ids, then its params."""
    ids = [{"name": i, "type": "int", "required": True, "description": ""} for i in spec.ids]
    result = spec.output.__name__
    if spec.paginated:
        result = f"Page[{result}]"
    elif spec.many:
        result = f"list[{result}]"
    return {
        "name": spec.name,
        "role": spec.role.name,
        "app": spec.app,
        "summary": spec.summary,
        "doc": spec.doc,
        "input": [*ids, *_fields(spec.params)],
        "result": result,
        "errors": _errors(spec.possible_errors()),
    }


def catalog(reg: Registry = registry, reads: QueryRegistry = queries) -> dict[str, Any]:
    """Every service, grouped by role; under "queries", every query, grouped by role."""
    grouped: dict[str, Any] = {}
    for spec in reg:
        if spec.role.name == QUERIES:
            raise RuntimeError(f"A role may not be named {QUERIES!r}: the catalog uses it.")
        grouped.setdefault(spec.role.name, []).append(describe(spec))
    by_role: dict[str, list[dict[str, Any]]] = {}
    for query in reads:
        by_role.setdefault(query.role.name, []).append(describe_query(query))
    grouped[QUERIES] = by_role
    return grouped


def _entry(entry: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}{entry['name']}: {entry['summary']}"]
    if entry["input"]:
        lines.append(f"{indent}  input:")
        for f in entry["input"]:
            req = "" if f["required"] else " (optional)"
            lines.append(f"{indent}    {f['name']}: {f['type']}{req}")
    lines.append(f"{indent}  returns: {entry['result']}")
    codes = ", ".join(e["code"] for e in entry["errors"])
    lines.append(f"{indent}  errors: {codes or '-'}")
    return lines


def as_text(reg: Registry = registry, reads: QueryRegistry = queries) -> str:
    listed = catalog(reg, reads)
    by_role = listed.pop(QUERIES)
    lines: list[str] = []
    for role in sorted({*listed, *by_role}):
        lines.append(f"== {role} ==")
        for svc in listed.get(role, []):
            lines.extend(_entry(svc, "  "))
        if by_role.get(role):
            lines.append("  read-only queries:")
            for query in by_role[role]:
                lines.extend(_entry(query, "    "))
        lines.append("")
    return "\n".join(lines)


class CatalogField(Output):
    name: str
    type: str
    required: bool
    description: str


class CatalogError(Output):
    code: str
    kind: str
    message: str


class CatalogEntry(Output):
    """A service (a user action) or a read-only query."""

    name: str
    role: str
    app: str
    summary: str
    doc: str
    input: list[CatalogField]
    result: str
    errors: list[CatalogError]


class Catalog(Output):
    """Each role's services under the role's name; each role's queries under `queries`."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, list[CatalogEntry]]

    queries: dict[str, list[CatalogEntry]]
