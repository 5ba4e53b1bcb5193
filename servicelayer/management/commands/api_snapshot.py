"""The API's shape as a committed file, so that every change to the API is a deliberate diff.

The snapshot keeps what a client depends on (paths, methods, operation ids, tags, parameters,
request media types, response statuses and the error codes each documents) and leaves out prose
that may be reworded freely. `--check` compares the live schema with the committed file.
"""

import difflib
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from drf_spectacular.generators import SchemaGenerator

DEFAULT_PATH = "docs/api-snapshot.txt"
ERROR_CODES = re.compile(r"`([a-z_]+)`")


def _parameter(parameter: dict[str, Any]) -> str:
    required = "required" if parameter.get("required") else "optional"
    return f"{parameter['in']}:{parameter['name']} ({required})"


def _operation(operation: dict[str, Any]) -> dict[str, Any]:
    responses = {}
    for status, response in sorted(operation.get("responses", {}).items()):
        codes = ERROR_CODES.findall(response.get("description", "")) if int(status) >= 400 else []
        responses[status] = sorted(codes)
    body = operation.get("requestBody")
    return {
        "operationId": operation.get("operationId"),
        "tags": operation.get("tags", []),
        "parameters": sorted(_parameter(p) for p in operation.get("parameters", [])),
        "request": sorted(body["content"]) if body else [],
        "responses": responses,
    }


def snapshot() -> dict[str, Any]:
    """The schema's paths reduced to what clients depend on."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {method: _operation(op) for method, op in sorted(methods.items())}
        for path, methods in sorted(schema["paths"].items())
    }


def render() -> str:
    """One block per operation, one line per fact: a change to the API is a readable diff."""
    lines = []
    for path, methods in snapshot().items():
        for method, op in methods.items():
            lines.append(f"{method.upper()} {path}  {op['operationId']}  [{', '.join(op['tags'])}]")
            lines.extend(f"  param {parameter}" for parameter in op["parameters"])
            if op["request"]:
                lines.append(f"  body {', '.join(op['request'])}")
            for status, codes in op["responses"].items():
                lines.append(f"  {status} {', '.join(codes)}".rstrip())
            lines.append("")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Write the API snapshot (docs/api-snapshot.txt), or --check it against the schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if it is out of date.")
        parser.add_argument("--file", default=DEFAULT_PATH, help="Relative to the project.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / options["file"]
        current = render()
        if not options["check"]:
            path.write_text(current)
            self.stdout.write(f"Wrote {options['file']}.")
            return
        committed = path.read_text() if path.exists() else ""
        if committed != current:
            diff = difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile=f"{options['file']} (committed)",
                tofile="the schema now",
            )
            self.stderr.write("".join(diff))
            raise CommandError(
                "The API changed. If that is deliberate, run `make api-snapshot` and commit it."
            )
        self.stdout.write("The API matches its snapshot.")
