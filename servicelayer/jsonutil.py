"""Fast JSON for plain data: dicts, lists, dataclasses, Pydantic models, Decimals, datetimes."""

from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)  # money stays exact: "12.50", never a float
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"Cannot serialize {type(obj).__name__} to JSON")


def dumps(data: Any, *, indent: bool = False, sort_keys: bool = False) -> bytes:
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
    if indent:
        option |= orjson.OPT_INDENT_2
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    return orjson.dumps(data, default=_default, option=option)


def to_jsonable(data: Any) -> Any:
    """The same data as JSON would carry it (for task results and CLI output)."""
    return orjson.loads(dumps(data))
