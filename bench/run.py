"""Benchmark Agora's hot endpoints against naive DRF, Django Ninja and a raw-SQL floor, in one run.

    make bench              # or: .venv/bin/python -m bench.run [--seconds 10] [--connections 16]
    make bench BENCH_ARGS=--search     # then the search row at 10k and 1M (bench/search.py)

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/agora_bench;
the database is created if missing and its tables are reseeded), wrk (Debian: apt-get
install wrk) and a broker for the one Celery worker it starts (BENCH_BROKER_URL, default
Redis db 7), as production has: the event relay and mails run there, not in the request; the
cache is that Redis too (BENCH_CACHE_URL), as production's is shared.
Agora, naive DRF and the in-stack floor run in one gunicorn (2 sync workers), the bare floor
(bench/bare) in its own, all against the same database. This machine is noisy, so the
variants of a scenario are interleaved round-robin over several rounds (after a warm-up) and
the table gives the median requests per second of each, and its ratios to the bare and the
in-stack floor; the checkout journey row (bench/journey.lua: order, address, shipping,
payment in sequence per connection) gives journeys per second, and so does the basket
journey (bench/basket.py, bench/basket.lua: add to basket, confirm, pay, one shopper per
connection), with a row per step. The search row is `?search=lantern` (one seeded product in
50 has the word: SEARCH_WORDS), Agora's relevance page beside naive DRF's SearchFilter, Ninja's
icontains and the bare floor's one statement. Django Ninja (bench/ninja_baseline.py) stands
beside naive DRF on the list, search, one product and order rows. `--only TEXT` runs the
scenarios whose name holds TEXT. Then the micro rows, in process (bench/joined.py: an atomic
service joined into its caller's transaction vs in a savepoint).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from bench import report

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/agora_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/7"
PORT = int(os.environ.get("BENCH_PORT", "8200"))  # and the next three (bare, 2 instances)
ORDER_BODY = '{"product_id": %d, "quantity": 1}'


@dataclass(frozen=True)
class Scenario:
    group: str
    variant: str
    path: str
    method: str = "GET"
    auth: bool = False
    idempotency: bool = False
    ports: tuple[int, ...] = ()  # wrk's threads take turns among these ports (same host)


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    rps: float
    errors: int
    p99_ms: float
    # the non-2xx answers by kind ("409 basket_empty_or_unavailable"), where the row's
    # script tells them apart (the basket journey's); plain wrk rows count them only
    refused: dict[str, int] = field(default_factory=dict)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# One of these in each seeded product's description, in turn: the search row's word is in
# one product of 50 (100 of the 5,000), so its page ranks a hundred matches, not the catalog
SEARCH_WORDS = (
    "lantern",
    "kettle",
    "teapot",
    "basket",
    "blanket",
    "candle",
    "mirror",
    "pillow",
    "ladder",
    "hammer",
    "compass",
    "trowel",
    "bucket",
    "saddle",
    "wallet",
    "pencil",
    "ribbon",
    "button",
    "needle",
    "thimble",
    "anchor",
    "barrel",
    "bottle",
    "cradle",
    "drawer",
    "easel",
    "funnel",
    "goblet",
    "helmet",
    "jigsaw",
    "kayak",
    "locket",
    "mallet",
    "napkin",
    "oyster",
    "paddle",
    "quiver",
    "rocket",
    "sickle",
    "tankard",
    "umbrella",
    "violin",
    "whistle",
    "yarn",
    "zither",
    "bellows",
    "chisel",
    "dagger",
    "ember",
    "flagon",
)
SEARCH_WORD = SEARCH_WORDS[0]


@dataclass(frozen=True)
class Seeded:
    token: str  # the bench user's
    hot: int  # the product to order: it ships, and its stock never runs out in a run
    address: int  # the bench user's address (DE) for the checkout journey
    method: int  # a shipping method to DE, 4.90, free from 50.00


def seed(env: dict[str, str]) -> Seeded:
    """Migrate and reseed; return the bench user's token and what its orders need."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    script = """
from decimal import Decimal
from django.contrib.auth.models import User
from apps.accounts.interface import issue_token
from apps.catalog.models import Product, Variant
from apps.ordering.models import Order, OrderLine
from servicelayer.models import IdempotencyRecord
from apps.payments.models import DummyCharge, Payment
from apps.addresses.models import Address
from apps.shipping.models import ShippingMethod
DummyCharge.objects.all().delete()
Payment.objects.all().delete(); OrderLine.objects.all().delete(); Order.objects.all().delete()
IdempotencyRecord.objects.all().delete(); Product.objects.all().delete()
words = sys.argv[-1].split(",")
Product.objects.bulk_create(
    Product(name=f"Product {i:05}", description=f"A {words[i % len(words)]} worth having. " * 4,
            price=Decimal(i % 500 + 1) + Decimal("0.99"), stock=i % 50)
    for i in range(5000)
)
hot = Product.objects.create(name="Hot seller", price=Decimal("9.99"), stock=2_000_000_000)
Variant.objects.bulk_create(  # each product's one default variant holds its stock
    Variant(product_id=pk, sku=f"P{pk}", stock=stock)
    for pk, stock in Product.objects.values_list("id", "stock")
)
user, _ = User.objects.get_or_create(username="bench")
Address.objects.filter(owner=user).delete()
address = Address.objects.create(owner=user, name="Bench", line1="Benchstr. 1", city="Berlin",
                                 postal_code="10115", country="DE", is_default=True)
ShippingMethod.objects.filter(name="Bench standard").delete()
method = ShippingMethod.objects.create(name="Bench standard", price=Decimal("4.90"),
                                       free_above=Decimal("50.00"), countries=["DE"])
print(issue_token(username="bench", name="bench", replace=True).key, hot.pk, address.pk, method.pk)
"""
    script = script.replace("sys.argv[-1]", repr(",".join(SEARCH_WORDS)))
    out = subprocess.run(
        [*manage, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        ],
        env=env,
        check=True,
    )
    return Seeded(out[-4], int(out[-3]), int(out[-2]), int(out[-1]))


LUA = """
local counter = 0

local threads = {}
local ports = {%(ports)s}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(#threads %% #ports) + 1])[1]
  end
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  %(auth)s
  %(key)s
  return wrk.format("%(method)s", nil, headers, %(body)s)
end
"""


def wrk(
    url: str, scenario: Scenario, token: str, body: str, seconds: int, connections: int, warm: bool
) -> Result:
    auth = f'headers["Authorization"] = "Token {token}"' if scenario.auth else ""
    key = (
        'headers["Idempotency-Key"] = "k-" .. thread_id .. "-" .. counter .. "-" .. os.time()'
        if scenario.idempotency
        else ""
    )
    lua = LUA % {
        "auth": auth,
        "key": key,
        "method": scenario.method,
        "body": f"'{body}'" if scenario.method == "POST" else "nil",
        "ports": ", ".join(f'"{port}"' for port in scenario.ports),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        script.name,
        url,
    ]
    if warm:
        subprocess.run([*command[:3], "-d2s", *command[4:]], capture_output=True, check=True)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    return Result(scenario, rps, int(errors.group(1)) if errors else 0, p99_ms)


BARE_PORT = PORT + 3  # the bare floor's own gunicorn (bench/bare: its own minimal settings)
BARE = "bare floor"
NINJA = "django ninja"  # bench/ninja_baseline.py: idiomatic Ninja, in Agora's settings
DEEP_PAGE = 40  # the deep page row reads the 41st page of 100 rows


def scenarios(hot: int, deep_cursor: str) -> list[Scenario]:
    """Each hot request beside naive DRF, the in-stack floor (where one exists) and the bare
    floor (bench/bare, which answers the same bytes as Agora: tests/test_bench_floor.py)."""
    bare = (BARE_PORT,)
    deep = f"/api/products/?page_size=100&cursor={deep_cursor}"
    one = f"/api/products/{hot}/"
    query = f"search={SEARCH_WORD}"
    search = f"/api/products/?{query}"  # Agora's default page size, 20
    return [
        Scenario("product list, 20 rows", "agora", "/api/products/?page_size=20"),
        Scenario("product list, 20 rows", "naive DRF", "/bench/naive/products/?page_size=20"),
        Scenario("product list, 20 rows", NINJA, "/bench/ninja/products/?limit=20"),
        Scenario("product list, 20 rows", "floor", "/bench/floor/products/?page_size=20"),
        Scenario("product list, 20 rows", BARE, "/api/products/?page_size=20", ports=bare),
        Scenario("product list, 100 rows", "agora", "/api/products/?page_size=100"),
        Scenario("product list, 100 rows", "naive DRF", "/bench/naive/products/?page_size=100"),
        Scenario("product list, 100 rows", NINJA, "/bench/ninja/products/?limit=100"),
        Scenario("product list, 100 rows", "floor", "/bench/floor/products/?page_size=100"),
        Scenario("product list, 100 rows", BARE, "/api/products/?page_size=100", ports=bare),
        Scenario("deep page (41st of 100)", "agora", deep),
        Scenario(
            "deep page (41st of 100)",
            "naive DRF",
            f"/bench/naive/products/?page_size=100&page={DEEP_PAGE + 1}",
        ),
        Scenario(
            "deep page (41st of 100)",
            NINJA,
            f"/bench/ninja/products/?limit=100&offset={DEEP_PAGE * 100}",
        ),
        Scenario("deep page (41st of 100)", BARE, deep, ports=bare),
        Scenario("search, 20 rows", "agora", search),
        Scenario("search, 20 rows", "naive DRF", f"/bench/naive/products/?{query}&page_size=20"),
        Scenario("search, 20 rows", NINJA, f"/bench/ninja/products/?{query}&limit=20"),
        Scenario("search, 20 rows", BARE, search, ports=bare),
        Scenario("one product", "agora", one),
        Scenario("one product", "naive DRF", f"/bench/naive/products/{hot}/"),
        Scenario("one product", NINJA, f"/bench/ninja/products/{hot}/"),
        Scenario("one product", BARE, one, ports=bare),
        Scenario("place an order", "agora", "/api/orders/", "POST", auth=True, idempotency=True),
        Scenario("place an order", "agora, no key", "/api/orders/", "POST", auth=True),
        Scenario("place an order", "naive DRF", "/bench/naive/orders/", "POST", auth=True),
        Scenario("place an order", NINJA, "/bench/ninja/orders/", "POST", auth=True),
        Scenario("place an order", "floor", "/bench/floor/orders/", "POST", auth=True),
        Scenario("place an order", BARE, "/api/orders/", "POST", auth=True, ports=bare),
    ]


def deep_cursor(base: str) -> str:
    """The cursor of the page after DEEP_PAGE pages of 100, as a client walking there has."""
    path: str | None = "/api/products/?page_size=100"
    for _ in range(DEEP_PAGE):
        assert path is not None
        following = httpx.get(base + path, timeout=10).json()["next"]
        path = following and following.removeprefix(base)
    assert path is not None
    return path.rsplit("cursor=", 1)[1]


JOURNEY = "checkout journey"
JOURNEY_SCRIPT = Path(__file__).with_name("journey.lua")


def journey_scenarios() -> list[Scenario]:
    """The checkout journey, per variant its orders URL (naive DRF has none: docs say why)."""
    return [
        Scenario(JOURNEY, "agora", "/api/orders/", "POST", auth=True, idempotency=True),
        Scenario(JOURNEY, "floor", "/bench/floor/journey/orders/", "POST", auth=True),
    ]


def journey(
    base: str, scenario: Scenario, seeded: Seeded, seconds: int, connections: int, warm: bool
) -> Result:
    """One wrk run of bench/journey.lua, one connection per wrk thread (its Lua state is the
    connection's journey). The rate is journeys finished per second (four requests each);
    p99 and non-2xx are per request."""

    def run(duration: str) -> str:
        command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{duration}", "--latency"]
        command += ["-s", str(JOURNEY_SCRIPT), base + "/", "--", seeded.token, str(seeded.hot)]
        command += [str(seeded.address), str(seeded.method), scenario.path, str(time.time_ns())]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    if warm:
        run("2s")
    output = run(f"{seconds}s")
    finished = int(re.search(r"Journeys: (\d+)", output).group(1))  # type: ignore[union-attr]
    took = re.search(r"requests in ([\d.]+)(ms|s|m),", output)
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}
    elapsed = float(took.group(1)) * scale[took.group(2)] if took else float(seconds)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)] if p99 else 0
    return Result(scenario, finished / elapsed, int(errors.group(1)) if errors else 0, p99_ms)


PAIR_PORTS = (PORT + 1, PORT + 2)
PAIR_PGBOUNCER_PORT = 6433 + PORT - 8200


def two_instances_scenario() -> Scenario:
    """The product list served by two instances at once, behind one wrk run."""
    return Scenario(
        "product list, 20 rows", "2 instances", "/api/products/?page_size=20", ports=PAIR_PORTS
    )


@contextmanager
def two_instances(env: dict[str, str]) -> Iterator[None]:
    """Two gunicorn instances (2 sync workers each, like the single one) sharing PostgreSQL
    through PgBouncer in transaction pooling, as `make scaleout` runs them (ops/prodlike.py)."""
    from ops.prodlike import Stack, start_pgbouncer, stop_processes

    stack = Stack(
        run_dir=ROOT / "var" / "prod" / "bench",
        database_url=env["DATABASE_URL"],
        broker_url="",
        host="127.0.0.1",
        ports=list(PAIR_PORTS),
        pgbouncer_port=PAIR_PGBOUNCER_PORT,
    )
    stack.run_dir.mkdir(parents=True, exist_ok=True)
    try:
        pooled = env | {
            "DATABASE_URL": start_pgbouncer(stack, background=True),
            "DATABASE_POOLER": "pgbouncer",
        }
        for port in PAIR_PORTS:
            stack.processes.append((f"web-{port}", gunicorn("bench.wsgi", port, pooled)))
        for port in PAIR_PORTS:
            wait_for_server(f"http://127.0.0.1:{port}")
        yield
    finally:
        stop_processes([(name, process.pid) for name, process in stack.processes])


def ensure_ports_free(ports: list[int]) -> None:
    """Stop if a port is taken: a gunicorn that cannot bind exits quietly, and wrk would then
    measure whatever listens there (another bench's servers, its database and shoppers)."""
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(f"port {port} is in use (another bench?): set BENCH_PORT to move them")


def wait_for_server(base: str, path: str = "/api/") -> None:
    for _ in range(100):
        try:
            httpx.get(f"{base}{path}", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`app` served as everything here is: gunicorn, 2 sync workers."""
    command = [sys.executable, "-m", "gunicorn", app, "-w", "2", "-b", f"127.0.0.1:{port}"]
    return subprocess.Popen([*command, "--log-level", "warning"], env=env, cwd=ROOT)


BENCH_RATE = "1000000/second"


def bench_env(db: str, broker: str) -> dict[str, str]:
    """The environment every served variant runs in."""
    return os.environ | {
        "DATABASE_URL": db,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DATABASE_CONN_MAX_AGE": "600",
        # the API's rates stay on (their cache look-ups are part of the cost measured), set
        # far above what one wrk run sends: docs/performance.md states them
        "AGORA_RATE_ANON": BENCH_RATE,
        "AGORA_RATE_USER": BENCH_RATE,
        "PAYMENT_GATEWAY": "dummy",  # the journey pays with tok_visa: no provider is called
        # as production runs: tasks (the event relay, mails) go to a broker and a worker runs
        # them; without one each request would run them itself, eagerly
        "CELERY_BROKER_URL": broker,
        # as production runs too (docs/operations.md): a shared cache, so the API's rate counts
        # and the relay's pending flag are a Redis operation, not a dict in the process
        "CACHE_URL": os.environ.get(
            "BENCH_CACHE_URL", broker if broker.startswith("redis") else "locmemcache://"
        ),
    }


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """One Celery worker (-c 1) on the bench's broker, its queue purged first."""
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1", *quiet],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,  # its banner; warnings and errors go to stderr
    )


def plan(
    chosen: list[Scenario], baskets: list[Scenario], rounds: int
) -> Iterator[tuple[int, Scenario]]:
    """The wrk runs of the bench, round by round: each chosen row, then each basket journey
    (whose step rows are read from its run, never run themselves). Made from these lists, not
    from the rows collected so far: when a later round went over those, it ran the journey's
    rows as plain wrk rows (a POST to the API root: thousands of fast non-2xx per row)."""
    for round_number in range(rounds):
        for s in [*chosen, *baskets]:
            yield round_number, s


def rates_of(results: list[Result], variant: str) -> dict[str, float]:
    """The rate of `variant` in each scenario that has it."""
    return {r.scenario.group: r.rps for r in results if r.scenario.variant == variant}


def print_table(results: list[Result]) -> None:
    """Each row's rate and its ratio to the bare floor and to the in-stack floor of its
    group (blank where the group has none)."""
    bare, stack = rates_of(results, BARE), rates_of(results, "floor")

    def ratio(r: Result, floor: dict[str, float]) -> str:
        reference = floor.get(r.scenario.group)
        return f"{r.rps / reference:>9.2f}" if reference else " " * 9  # none, or it failed

    print(
        f"\n{'scenario':<26}{'variant':<16}{'req/s':>9}{'x bare':>9}{'x floor':>9}"
        f"{'p99 ms':>9}{'non-2xx':>9}"
    )
    for r in results:
        print(
            f"{r.scenario.group:<26}{r.scenario.variant:<16}{r.rps:>9.0f}{ratio(r, bare)}"
            f"{ratio(r, stack)}{r.p99_ms:>9.1f}{r.errors:>9}"
        )
        for kind, count in sorted(r.refused.items()):
            print(f"{'':<42}non-2xx {kind}: {count}")
    print(
        "x bare: against bench/bare (own minimal settings, CommonMiddleware only, no DRF, the "
        "same bytes); x floor: against the in-stack floor (Agora's settings and middleware)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="run only the scenarios whose name holds this text"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "var" / "bench", help="where latest.json/png go"
    )
    parser.add_argument(
        "--search", action="store_true", help="then the search row at 10k and 1M (bench.search)"
    )
    args = parser.parse_args()
    db = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    broker = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
    env = bench_env(db, broker)
    ensure_ports_free([PORT, *PAIR_PORTS, BARE_PORT, PAIR_PGBOUNCER_PORT])
    ensure_database(db)
    seeded = seed(env)
    from bench import basket  # it imports this module's pieces

    baskets = basket.selected(args.only)
    # fresh shoppers for every wrk run of the journey: its warm-up and each round (basket.py)
    shoppers, download = basket.seed(env, args.connections, len(baskets) * (args.rounds + 1))
    token, hot = seeded.token, seeded.hot
    worker = start_worker(env)
    server = gunicorn("bench.wsgi", PORT, env)
    bare = gunicorn("bench.bare.wsgi", BARE_PORT, env)
    base = f"http://127.0.0.1:{PORT}"
    cleanup = ExitStack()
    try:
        cleanup.enter_context(two_instances(env))
        wait_for_server(base)
        wait_for_server(f"http://127.0.0.1:{BARE_PORT}", "/api/products/")
        every = [
            *scenarios(hot, deep_cursor(base)),
            two_instances_scenario(),
            *journey_scenarios(),
        ]
        chosen = [s for s in every if args.only in f"{s.group} {s.variant}"]
        runs: dict[Scenario, list[Result]] = {s: [] for s in chosen}
        for round_number, s in plan(chosen, baskets, args.rounds):
            warm = round_number == 0
            if s in baskets:  # one run of the journey: its row and each step's
                for r in basket.journey(
                    s, shoppers, download, args.seconds, args.connections, warm
                ):
                    runs.setdefault(r.scenario, []).append(r)
            elif s.group == JOURNEY:
                runs[s].append(journey(base, s, seeded, args.seconds, args.connections, warm))
            else:
                runs[s].append(
                    wrk(
                        base + s.path,
                        s,
                        token,
                        ORDER_BODY % hot,
                        args.seconds,
                        args.connections,
                        warm=warm,
                    )
                )
        results = [
            replace(
                rs[0],
                rps=statistics.median(r.rps for r in rs),
                errors=sum(r.errors for r in rs),
                p99_ms=statistics.median(r.p99_ms for r in rs),
                refused=dict(sum((Counter(r.refused) for r in rs), Counter())),
            )
            for rs in runs.values()
        ]
        # each scenario's rows together, beside their baselines (the basket journey's steps
        # come per variant, the 2 instances' row after the rest)
        groups = list(dict.fromkeys(r.scenario.group for r in results))
        results.sort(key=lambda r: groups.index(r.scenario.group))
    finally:
        for process in (server, bare, worker):
            process.terminate()
            process.wait(timeout=20)
        cleanup.close()
    print_table(results)
    written = report.write(
        results,
        {"bare": rates_of(results, BARE), "floor": rates_of(results, "floor")},
        out=args.out,
        settings={
            "seconds": args.seconds,
            "rounds": args.rounds,
            "connections": args.connections,
            "database": db,
            "broker": broker,
            "server": "gunicorn, 2 sync workers (the bare floor: its own, the same)",
        },
    )
    print("written: " + ", ".join(str(path) for path in written))
    print(
        f"\nmedians of {args.rounds} interleaved rounds of {args.seconds}s, {args.connections} "
        f"connections, wrk -t2, gunicorn -w 2, {db}, a Celery worker (-c 1) on {broker}"
    )
    print(
        f"{JOURNEY}: journeys finished per second (4 requests each: order, address, shipping, "
        f"payment), wrk -t{args.connections} (one connection per thread); p99 per request"
    )
    print(
        f"{basket.JOURNEY} (bench/basket.lua): journeys per second (add, confirm, pay; naive "
        "DRF: add, confirm), one shopper per connection; its steps' rows: each step's answers "
        "per second of the time the connections waited for it, p99 of that step"
    )
    subprocess.run([sys.executable, "-m", "bench.joined"], env=env, cwd=ROOT, check=True)
    if args.search:  # its own database (BENCH_SEARCH_DATABASE_URL): it empties the catalog
        subprocess.run([sys.executable, "-m", "bench.search"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
