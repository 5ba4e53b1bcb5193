"""The service catalog: what the system does, per actor, read from the registry."""

import types
import typing
from typing import Any

from servicelayer.errors import kind_of
from servicelayer.registry import Registry, ServiceSpec, registry


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


def describe(spec: ServiceSpec) -> dict[str, Any]:
    fields = []
    if spec.dto is not None:
        for name, info in spec.dto.model_fields.items():
            fields.append(
                {
                    "name": name,
                    "type": _type_name(info.annotation),
                    "required": info.is_required(),
                    "description": info.description or "",
                }
            )
    return {
        "name": spec.name,
        "actor": spec.actor.name,
        "app": spec.app,
        "summary": spec.summary,
        "doc": spec.doc,
        "input": fields,
        "result": _type_name(spec.result),
        "errors": [
            {"code": e.code, "kind": kind_of(e).__name__, "message": e.default_message}
            for e in spec.possible_errors()
        ],
    }


def catalog(reg: Registry = registry) -> dict[str, list[dict[str, Any]]]:
    """Every service, grouped by actor."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for spec in reg:
        grouped.setdefault(spec.actor.name, []).append(describe(spec))
    return grouped


def as_text(reg: Registry = registry) -> str:
    lines: list[str] = []
    for actor, services in catalog(reg).items():
        lines.append(f"== {actor} ==")
        for svc in services:
            lines.append(f"  {svc['name']}: {svc['summary']}")
            if svc["input"]:
                lines.append("    input:")
                for f in svc["input"]:
                    req = "" if f["required"] else " (optional)"
                    lines.append(f"      {f['name']}: {f['type']}{req}")
            lines.append(f"    returns: {svc['result']}")
            codes = ", ".join(e["code"] for e in svc["errors"])
            lines.append(f"    errors: {codes or '-'}")
        lines.append("")
    return "\n".join(lines)
