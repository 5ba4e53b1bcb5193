"""Search row: `GET /api/products/?search=` at 10k and 1M products, p50 and p99, and its plan.

    .venv/bin/python -m bench.search [--sizes 10000 1000000] [--requests 400]
    make bench BENCH_ARGS=--search        # the main table, then this row

Needs PostgreSQL: BENCH_SEARCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
agora_bench_search; created if missing, migrated). Its catalog is EMPTIED and reseeded per
size (TRUNCATE ... CASCADE: orders in that database go too), so never point it at a database
whose data matters.

Seeding (`seed`): COPY of the products (and two attribute values each) in one stream per
table, with a progress bar on stderr; the two GIN indexes are dropped first and built once
after the load (far faster than maintaining them row by row), then VACUUM ANALYZE. The
generated `search_vector` column is computed by PostgreSQL during the COPY. 1M products take a
few minutes on this machine (figures in docs/performance.md, "Search").

Timing: requests through Django's full stack in this process (test client: middleware,
authentication, the endpoint, orjson), no HTTP server, one at a time, cycling through a fixed
mix of searches (a frequent word, a rare word, a product noun, two words, a misspelled noun,
a prefix), each also with `facets=true`. After a warm-up, p50 and p99 per mix. Then EXPLAIN
(ANALYZE, BUFFERS) of the page query of one search, as it ran.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/agora_bench_search"

NOUNS = [
    "lantern",
    "teapot",
    "kettle",
    "mug",
    "lamp",
    "candle",
    "blanket",
    "pillow",
    "chair",
    "table",
    "stool",
    "shelf",
    "basket",
    "vase",
    "bowl",
    "plate",
    "spoon",
    "knife",
    "fork",
    "jug",
    "bottle",
    "jar",
    "clock",
    "mirror",
    "frame",
    "rug",
    "curtain",
    "towel",
    "apron",
    "glove",
    "scarf",
    "hat",
    "boot",
    "sock",
    "jacket",
    "shirt",
    "bag",
    "wallet",
    "belt",
    "umbrella",
    "brush",
    "comb",
    "bucket",
    "spade",
    "rake",
    "hose",
    "planter",
    "bench",
    "hammock",
    "tent",
    "torch",
    "compass",
    "map",
    "notebook",
    "pencil",
    "pen",
    "ruler",
]
ADJECTIVES = [
    "brass",
    "copper",
    "wooden",
    "woollen",
    "linen",
    "cotton",
    "leather",
    "glass",
    "ceramic",
    "porcelain",
    "iron",
    "steel",
    "oak",
    "walnut",
    "bamboo",
    "rustic",
    "modern",
    "classic",
    "vintage",
    "compact",
    "large",
    "small",
    "folding",
    "portable",
    "waterproof",
    "handmade",
    "heavy",
    "light",
    "soft",
    "bright",
    "dark",
    "striped",
    "plain",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "be",
    "da",
    "fe",
    "gi",
    "ho",
    "ju",
    "ly",
    "pa",
    "qu",
    "ro",
    "se",
    "tu",
    "wa",
    "xe",
    "yo",
    "zi",
]
COLOURS = [
    "red",
    "blue",
    "green",
    "black",
    "white",
    "brass",
    "grey",
    "yellow",
    "orange",
    "purple",
    "pink",
    "brown",
]
SIZES = ["xs", "s", "m", "l", "xl", "xxl"]


def setup() -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("AGORA_RATE_ANON", "")  # no throttle: one client, many requests
    from bench.run import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Progress:
    """A progress bar on stderr, redrawn at most every 1%."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.shown = label, total, 0, -1
        self.started = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.done += count
        percent = self.done * 100 // self.total
        if percent != self.shown:
            self.shown = percent
            bar = "#" * (percent // 4)
            took = time.monotonic() - self.started
            sys.stderr.write(
                f"\r{self.label:<22}[{bar:<25}] {percent:3d}% {self.done:>9}/{self.total} "
                f"{took:6.1f}s"
            )
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def _categories() -> list[tuple[int, str]]:
    """8 departments of 6 categories each: (leaf id, "Department Category") per leaf."""
    from apps.catalog.models import Category

    leaves = []
    for d in range(8):
        root = Category.objects.create(name=f"Department {d}", slug=f"dept-{d}", depth=1)
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        for c in range(6):
            leaf = Category.objects.create(
                name=f"{NOUNS[d * 6 + c].title()}s", slug=f"d{d}-c{c}", parent=root, depth=2
            )
            leaf.path = f"{root.path}{leaf.pk}/"
            leaf.save(update_fields=["path"])
            leaves.append((leaf.pk, f"{root.name} {leaf.name}"))
    return leaves


def product_rows(count: int, leaves: list[tuple[int, str]]) -> Iterator[tuple[Any, ...]]:
    """Products: "<adjective> <noun> <code>", a description of 12 words of a Zipf-like
    vocabulary (a few words are in many descriptions, most in few), two attribute values."""
    rng = random.Random(42)
    words = vocabulary(rng)
    # cumulative weights, computed once: `choices` would sum the weights on every call
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    now = datetime.now(UTC)
    for i in range(count):
        noun = NOUNS[i % len(NOUNS)]
        leaf_id, leaf_names = leaves[NOUNS.index(noun) % len(leaves)]
        colour, size = colour_of(i), size_of(i)
        description = " ".join(rng.choices(words, cum_weights=cumulative, k=12))
        name = f"{ADJECTIVES[(i * 7) % len(ADJECTIVES)].title()} {noun} {i:07d}"
        price = Decimal(rng.randint(100, 40000)) / 100
        yield (
            name,
            f"A {noun} of {description}.",
            price,
            rng.randint(0, 50),
            True,
            True,
            leaf_id,
            leaf_names,
            f"{colour} {size}",
            now,
            now,
        )


def colour_of(i: int) -> str:
    return COLOURS[i % len(COLOURS)]


def size_of(i: int) -> str:
    return SIZES[(i // 7) % len(SIZES)]


GIN_INDEXES = {
    "product_search_vector": "ON catalog_product USING gin (search_vector)",
    "product_name_trgm": "ON catalog_product USING gin (name gin_trgm_ops)",
}
PRODUCT_COLUMNS = (
    "name, description, price, stock, is_active, ships, category_id, search_category, "
    "search_attributes, created_at, updated_at"
)


def seed(count: int) -> float:
    """Empty the catalog and load `count` products; the seconds it took."""
    from django.db import connection

    from apps.catalog.models import Attribute

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalog_productattributevalue, catalog_productimage, catalog_product, "
            "catalog_category, catalog_attribute RESTART IDENTITY CASCADE"
        )
        for name in GIN_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    leaves = _categories()
    colour = Attribute.objects.create(code="colour", name="Colour").pk
    size = Attribute.objects.create(code="size", name="Size").pk
    raw = connection.connection  # psycopg 3: COPY streams rows without a statement each
    progress = Progress(f"seeding {count:,}", count)
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY catalog_product ({PRODUCT_COLUMNS}) FROM STDIN") as copy:
            for n, row in enumerate(product_rows(count, leaves), start=1):
                copy.write_row(row)
                if n % 1000 == 0:
                    progress.advance(1000)
            progress.advance(count % 1000)
        # ids are 1..count (RESTART IDENTITY); the values are those product_rows wrote
        values = Progress("attribute values", count)
        with cursor.copy(
            "COPY catalog_productattributevalue (product_id, attribute_id, value) FROM STDIN"
        ) as copy:
            for i in range(count):
                copy.write_row((i + 1, colour, colour_of(i)))
                copy.write_row((i + 1, size, size_of(i)))
                if (i + 1) % 1000 == 0:
                    values.advance(1000)
            values.advance(count % 1000)
    indexing = Progress("indexes (GIN)", len(GIN_INDEXES))
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in GIN_INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} {definition}")
            indexing.advance()
        cursor.execute("VACUUM ANALYZE catalog_product")
        cursor.execute("VACUUM ANALYZE catalog_productattributevalue")
    return time.monotonic() - started


def searches() -> dict[str, str]:
    """The mix: what each kind of search asks (the vocabulary is the same at every size)."""
    words = vocabulary(random.Random(42))
    return {
        "frequent word": words[0],  # the most frequent word of the descriptions
        "rare word": words[2500],
        "noun": "lantern",
        "two words": f"brass {NOUNS[5]}",
        "misspelled": "lantren",
        "prefix": "kett",
    }


def measure(requests: int, *, facets: bool) -> dict[str, tuple[float, float]]:
    """p50 and p99 (ms) per kind of search, `requests` requests in all."""
    from django.test import Client

    client = Client()
    mix = searches()
    timings: dict[str, list[float]] = {kind: [] for kind in mix}
    query = {"facets": "true"} if facets else {}
    for text in mix.values():  # warm-up: plans, caches, the connection
        for _ in range(3):
            client.get("/api/products/", {"search": text, **query})
    for i in range(requests):
        kind = list(mix)[i % len(mix)]
        started = time.perf_counter()
        response = client.get("/api/products/", {"search": mix[kind], **query})
        timings[kind].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return {kind: percentiles(values) for kind, values in timings.items()}


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def explain(text: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the page query of a search, with its threshold set."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps.catalog.dto import ProductQuery
    from apps.catalog.selectors import product_list

    with CaptureQueriesContext(connection) as captured:
        product_list(actor=None, params=ProductQuery(search=text))
    page = next(q["sql"] for q in captured.captured_queries if "ORDER BY" in q["sql"])
    setting = next(q["sql"] for q in captured.captured_queries if "SET LOCAL" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(setting)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {page}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{page}\n\n{plan}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--explain", default="lantern", help="the search EXPLAIN shows")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the catalog as it is if it has the size"
    )
    args = parser.parse_args()
    setup()
    from django.db import connection

    rows = []
    for size in args.sizes:
        from apps.catalog.models import Product

        if args.reuse and Product.objects.count() == size:
            print(f"reusing the {size:,} products there", file=sys.stderr)
        else:
            took = seed(size)
            print(f"seeded {size:,} products in {took:.0f}s", file=sys.stderr)
        for facets in (False, True):
            for kind, (p50, p99) in measure(args.requests, facets=facets).items():
                rows.append((size, kind + (" +facets" if facets else ""), p50, p99))
        print(f"\nEXPLAIN at {size:,} products, search={args.explain!r}:\n")
        print(explain(args.explain))
        print()
    print(f"\n{'products':>10}  {'search':<26}{'p50 ms':>9}{'p99 ms':>9}")
    for size, kind, p50, p99 in rows:
        print(f"{size:>10,}  {kind:<26}{p50:>9.1f}{p99:>9.1f}")
    print(
        f"\nin process (Django's test client, full middleware), one request at a time, "
        f"{args.requests} requests per mix, {connection.settings_dict['NAME']}"
    )


if __name__ == "__main__":
    main()
