"""An example body for an input model, built from its JSON Schema (Pydantic's validation mode).

    example_of(NewProduct)  # {"name": "string", "price": 1, "description": "", "stock": 0, ...}

The browsable API prefills each write's raw-data form with it, so a reader sees the fields to
send and edits the values. A field's own `examples` (`Field(examples=[...])`) or default wins;
otherwise a value of the field's type within its bounds (lengths, ranges, formats, enums, a
string that matches the field's pattern), and the field's name for what the schema does not
say (`email`, `url`, an `end...` date after the start). Required fields and fields with a
default are shown; an input with no required field (a partial update) shows all its fields.
"""

import math
import re
import re._parser as re_parser  # type: ignore[import-not-found]
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

Schema = dict[str, Any]

# plain words tried, in order, against a string's pattern and lengths
WORDS = ("string", "example", "EX", "E", "ex-1", "1")
FORMATS = {
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "password": "a-long-passphrase",
}


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return _object(schema, schema.get("$defs", {}), everything=not schema.get("required"))


def _object(schema: Schema, defs: Schema, *, everything: bool = False) -> dict[str, Any]:
    required = set(schema.get("required", []))
    example: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        has_default = prop.get("default") is not None
        if name in required or has_default or everything:
            example[name] = _value(prop, defs, name)
    return example


def _value(schema: Schema, defs: Schema, name: str = "") -> Any:
    if "$ref" in schema:
        return _value({**defs[schema["$ref"].rsplit("/", 1)[-1]], **_own(schema)}, defs, name)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if schema.get("default") is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            options = [o for o in schema[combined] if o.get("type") != "null"]
            return _value(options[0], defs, name) if options else None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object":
        patterns = list(schema.get("patternProperties", {}).values())
        entries = schema.get("additionalProperties") or (patterns[0] if patterns else None)
        if not schema.get("properties") and isinstance(entries, dict):
            # a map (dict[K, V]): as many entries as it must have, at least one; keys in
            # lower-case letters, which a slug or a plain name pattern admits
            keys = [
                "example",
                *(f"example{n}" for n in range(2, schema.get("minProperties", 1) + 1)),
            ]
            return {key: _value(entries, defs, key) for key in keys}
        return _object(schema, defs)
    if kind == "array":
        item = _value(schema.get("items", {}), defs, name)
        return [item] * max(schema.get("minItems", 1), 1)
    if kind == "integer":
        return _number(schema, 1)
    if kind == "number":
        return _number(schema, 1)
    if kind == "boolean":
        return False
    if kind == "string":
        return _string(schema, name)
    return None


def _own(schema: Schema) -> Schema:
    """A reference's own keywords (its description, default, examples) beside the `$ref`."""
    return {k: v for k, v in schema.items() if k != "$ref"}


def _number(schema: Schema, preferred: int) -> float:
    value: float = preferred
    if "minimum" in schema:
        value = max(value, schema["minimum"])
    elif "exclusiveMinimum" in schema:
        value = max(value, math.floor(schema["exclusiveMinimum"]) + 1)
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    elif "exclusiveMaximum" in schema:
        value = min(value, math.ceil(schema["exclusiveMaximum"]) - 1)
    return value


def _string(schema: Schema, name: str) -> str:
    start = date.today() + timedelta(days=30)
    day = start + timedelta(days=2) if name.startswith("end") else start
    formats = {
        **FORMATS,
        "date": day.isoformat(),
        "date-time": datetime.combine(day, datetime.min.time(), UTC).isoformat(),
    }
    kind = schema.get("format") or _format_by_name(name)
    if kind in formats:
        return formats[kind]
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    pattern = schema.get("pattern")
    candidates = [*WORDS, *([_matching(pattern)] if pattern else [])]
    for word in candidates:
        text = word.ljust(low, "x")
        if high is not None:
            text = text[:high]
        if pattern is None or re.search(pattern, text):
            return text
    return "x" * low


def _format_by_name(name: str) -> str | None:
    if name == "email" or name.endswith("_email"):
        return "email"
    if name == "url" or name.endswith("_url"):
        return "uri"
    return None


def _matching(pattern: str) -> str:
    """A string the regular expression matches, for the simple ones inputs use (literals,
    classes, groups, alternatives, repeats); "" for others."""
    try:
        return _emit(re_parser.parse(pattern))
    except (re.error, ValueError, TypeError):
        return ""


CATEGORIES = {"CATEGORY_DIGIT": "1", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


def _emit(items: Any) -> str:
    out = []
    for op, arg in items:
        kind = str(op)
        if kind == "LITERAL":
            out.append(chr(arg))
        elif kind == "IN":
            out.append(_first_of(arg))
        elif kind == "ANY":
            out.append("x")
        elif kind in ("MAX_REPEAT", "MIN_REPEAT"):
            low, _, sub = arg
            out.append(_emit(sub) * max(low, 1))
        elif kind == "SUBPATTERN":
            out.append(_emit(arg[-1]))
        elif kind == "BRANCH":
            out.append(_emit(arg[1][0]))
        elif kind != "AT":  # anchors add nothing
            raise ValueError(kind)
    return "".join(out)


def _first_of(members: Any) -> str:
    op, arg = members[0]
    kind = str(op)
    if kind == "LITERAL":
        return chr(arg)
    if kind == "RANGE":
        return chr(arg[0])
    if kind == "CATEGORY" and str(arg) in CATEGORIES:
        return CATEGORIES[str(arg)]
    raise ValueError(kind)  # a negated class, ...
