"""What each layer of Agora's request path costs, in process: the fixed cost per request.

    .venv/bin/python -m bench.fixed_cost [--requests 2000] [--rounds 7] [--path PATH]

Runs on the bench database (BENCH_DATABASE_URL, seeded by `make bench`) with the bench settings.
Each variant is Agora's WSGI handler with one piece taken away (a middleware, DRF's
throttles, the session authentication class, the browsable renderer); the bare floor's
handler (bench/bare) answers the same request for reference. The variants are interleaved
over rounds and the table gives each one's median microseconds per request and what the
piece costs (full minus without). Then a cProfile of the full stack's hottest functions.
PATH is /api/products/?page_size=1 by default: one row, so that the per-row cost is out of the
way. A variant whose answer is not a 200 (a piece others need) is listed and left out.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from bench.run import BENCH_RATE, DEFAULT_DB

Handler = Callable[[dict[str, Any], Callable[..., Any]], Any]


def _environ(path: str) -> dict[str, Any]:
    parts = urlsplit(path)
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8200",
        "HTTP_HOST": "127.0.0.1:8200",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


class NotOk(Exception):
    pass


def _start_response(status: str, headers: list[tuple[str, str]]) -> None:
    if not status.startswith("200"):
        raise NotOk(status)


def _call(handler: Handler, path: str) -> None:
    response = handler(_environ(path), _start_response)
    b"".join(response)
    response.close()


@contextmanager
def _settings(**changes: Any) -> Iterator[None]:
    from django.conf import settings
    from rest_framework.settings import api_settings

    old = {name: getattr(settings, name) for name in changes}
    for name, value in changes.items():
        setattr(settings, name, value)
    api_settings.reload()
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(settings, name, value)
        api_settings.reload()


def _handler(**changes: Any) -> Handler:
    """A WSGI handler built under `changes` to the settings, which stay changed while it
    runs (DRF reads its settings per request)."""
    from django.core.handlers.wsgi import WSGIHandler

    with _settings(**changes):
        handler = WSGIHandler()

    def run(environ: dict[str, Any], start: Callable[..., Any]) -> Any:
        with _settings(**changes):
            return handler(environ, start)

    return run


def variants() -> dict[str, Handler]:
    from django.conf import settings

    middleware = list(settings.MIDDLEWARE)
    rest = dict(settings.REST_FRAMEWORK)
    found: dict[str, Handler] = {"agora (full)": _handler()}
    for name in middleware:
        short = name.rsplit(".", 1)[1]
        found[f"without {short}"] = _handler(MIDDLEWARE=[m for m in middleware if m != name])
    found["without DRF throttles"] = _handler(
        REST_FRAMEWORK=rest | {"DEFAULT_THROTTLE_CLASSES": []}
    )
    found["without SessionAuthentication"] = _handler(
        REST_FRAMEWORK=rest
        | {"DEFAULT_AUTHENTICATION_CLASSES": rest["DEFAULT_AUTHENTICATION_CLASSES"][:1]}
    )
    found["without BrowsableAPIRenderer"] = _handler(
        REST_FRAMEWORK=rest | {"DEFAULT_RENDERER_CLASSES": rest["DEFAULT_RENDERER_CLASSES"][:1]}
    )
    found["bare floor (bench/bare)"] = _handler(
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"], ROOT_URLCONF="bench.bare.urls"
    )
    return found


def measure(handler: Handler, path: str, requests: int) -> float:
    """Microseconds per request."""
    start = time.perf_counter()
    for _ in range(requests):
        _call(handler, path)
    return (time.perf_counter() - start) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--path", default="/api/products/?page_size=1")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
    os.environ.setdefault("AGORA_RATE_ANON", BENCH_RATE)
    os.environ.setdefault("AGORA_RATE_USER", BENCH_RATE)
    import django

    django.setup()
    handlers = variants()
    for name, handler in list(handlers.items()):  # warm: resolvers, the cached querysets
        try:
            measure(handler, args.path, 200)
        except Exception as exc:
            print(f"{name}: left out, it answers {exc}", file=sys.stderr)
            del handlers[name]
    times: dict[str, list[float]] = {name: [] for name in handlers}
    for _ in range(args.rounds):
        for name, handler in handlers.items():
            times[name].append(measure(handler, args.path, args.requests))
    medians = {name: statistics.median(values) for name, values in times.items()}
    full = medians["agora (full)"]
    print(f"\nGET {args.path}, {args.requests} requests x {args.rounds} interleaved rounds")
    print(f"{'variant':<40}{'us/request':>12}{'saves us':>10}")
    for name, value in medians.items():
        saved = "" if name == "agora (full)" else f"{full - value:>10.0f}"
        print(f"{name:<40}{value:>12.0f}{saved}")
    profile = cProfile.Profile()
    profile.enable()
    measure(handlers["agora (full)"], args.path, args.requests)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    print("\nhottest functions of the full stack (tottime):")
    print("\n".join(out.getvalue().splitlines()[6:40]))


if __name__ == "__main__":
    main()
