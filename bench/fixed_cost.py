"""What each layer of Agora's request path costs, in process: the fixed cost per request.

    .venv/bin/python -m bench.fixed_cost [--requests 2000] [--rounds 7] [--path PATH] [--only TEXT]

Runs on the bench database (BENCH_DATABASE_URL, seeded by `make bench`) with the bench
settings. The request is a JSON client's (no cookie, `Accept: application/json`), which takes
the lean path (servicelayer.rest.lean); the full stack is the handler without the lean path
(what a session-cookie or browser request takes). Each other variant is one of the two with one
piece taken away (a middleware; DRF's throttles, an authentication class or the browsable
renderer, taken off DRF's APIView); the bare floor's handler (bench/bare) answers the same
request for reference. The variants are interleaved over rounds and the table gives each one's
median CPU microseconds per request (this process's, so the Python side only; the least round
too, the one least disturbed on a busy machine) and what the piece costs (the lean path minus
the variant). Then a cProfile of the lean path's hottest functions. PATH is
/api/products/?page_size=1 by default: one row, so that the per-row cost is out of the way.
`--only TEXT` keeps the variants whose name holds TEXT. A variant whose answer is not a 200 (a
piece others need) is listed and left out.
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
def _changed(view: dict[str, Any], changes: dict[str, Any]) -> Iterator[None]:
    """Django settings changed, and DRF's APIView attributes: DRF reads its settings into
    them when it is imported (throttle, authentication, renderer classes), so a changed
    REST_FRAMEWORK setting would change nothing."""
    from django.conf import settings
    from rest_framework.views import APIView

    old = {name: getattr(settings, name) for name in changes}
    old_view = {name: getattr(APIView, name) for name in view}
    for name, value in changes.items():
        setattr(settings, name, value)
    for name, value in view.items():
        setattr(APIView, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(settings, name, value)
        for name, value in old_view.items():
            setattr(APIView, name, value)


def _handler(view: dict[str, Any] | None = None, **changes: Any) -> Handler:
    """A WSGI handler built under `changes` to the settings, which stay changed while it
    runs (ROOT_URLCONF is read per request), with `view`'s attributes on DRF's APIView."""
    from django.core.handlers.wsgi import WSGIHandler

    with _changed({}, changes):
        handler = WSGIHandler()
    if not view and not changes:
        return handler

    def run(environ: dict[str, Any], start: Callable[..., Any]) -> Any:
        with _changed(view or {}, changes):
            return handler(environ, start)

    return run


LEAN = "servicelayer.rest.lean.LeanApiMiddleware"
REFERENCE = "lean path (agora as it is)"


def variants() -> dict[str, Handler]:
    """The lean path (what a JSON client's request takes) and the full stack (what it took
    before, and what a session-cookie or browser request takes), each whole and with one
    piece taken away."""
    from django.conf import settings

    middleware = list(settings.MIDDLEWARE)
    full = [m for m in middleware if m != LEAN]
    lean_chain = list(settings.AGORA_LEAN_API_MIDDLEWARE)
    found: dict[str, Handler] = {
        "lean path (agora as it is)": _handler(),
        "full stack (no lean path)": _handler(MIDDLEWARE=full),
    }
    for name in full:
        short = name.rsplit(".", 1)[1]
        found[f"full stack without {short}"] = _handler(MIDDLEWARE=[m for m in full if m != name])
    for name in lean_chain:
        short = name.rsplit(".", 1)[1]
        found[f"lean without {short}"] = _handler(
            AGORA_LEAN_API_MIDDLEWARE=[m for m in lean_chain if m != name]
        )
    found["lean without RequestLogMiddleware"] = _handler(
        MIDDLEWARE=[m for m in middleware if not m.endswith("RequestLogMiddleware")]
    )
    from rest_framework.views import APIView

    token_only = [c for c in APIView.authentication_classes if "Session" not in c.__name__]
    found["lean without DRF throttles"] = _handler({"throttle_classes": []})
    found["lean without SessionAuthentication"] = _handler({"authentication_classes": token_only})
    found["lean without any authentication class"] = _handler({"authentication_classes": []})
    found["lean without BrowsableAPIRenderer"] = _handler(
        {"renderer_classes": APIView.renderer_classes[:1]}
    )
    found["bare floor (bench/bare)"] = _handler(
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"], ROOT_URLCONF="bench.bare.urls"
    )
    return found


def measure(handler: Handler, path: str, requests: int) -> float:
    """This process's CPU microseconds per request: what the Python side costs (the
    database's own time is PostgreSQL's), and far less disturbed by other processes on a
    busy machine than the wall clock."""
    start = time.process_time()
    for _ in range(requests):
        _call(handler, path)
    return (time.process_time() - start) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--path", default="/api/products/?page_size=1")
    parser.add_argument(
        "--only", default="", help="the variants whose name holds this text (and the lean path)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")
    os.environ.setdefault("AGORA_RATE_ANON", BENCH_RATE)
    os.environ.setdefault("AGORA_RATE_USER", BENCH_RATE)
    import django

    django.setup()
    handlers = {
        name: handler
        for name, handler in variants().items()
        if args.only in name or name == REFERENCE
    }
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
    lows = {name: min(values) for name, values in times.items()}
    print(f"\nGET {args.path}, {args.requests} requests x {args.rounds} interleaved rounds")
    print("(median and least of the rounds; `saves`: the lean path's median minus the variant's)")
    print(f"{'variant':<42}{'median us':>10}{'least us':>10}{'saves us':>10}")
    for name, value in medians.items():
        saved = "" if name == REFERENCE else f"{medians[REFERENCE] - value:>10.0f}"
        print(f"{name:<42}{value:>10.0f}{lows[name]:>10.0f}{saved}")
    profile = cProfile.Profile()
    profile.enable()
    measure(handlers[REFERENCE], args.path, args.requests)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    print("\nhottest functions of the lean path (tottime):")
    print("\n".join(out.getvalue().splitlines()[6:40]))


if __name__ == "__main__":
    main()
