"""Product search: which products match words, and how well (a `rank`, higher first).

PostgreSQL: full-text search on `search_vector` (a stored tsvector over the name, the category
names, the attribute values and the description, GIN-indexed: migration 0004) OR a trigram
match of the words against the name (`<%`, word similarity, on a trigram GIN index), so a
misspelled or partial name still finds its product. The rank is the text rank plus the name's
word similarity, as float8, so it is exactly the same when a page's cursor compares with it.

Elsewhere (SQLite): every word must occur (case-insensitive) in one of the same columns; the
rank counts the words found in the name. For exact words the matches are the same.

Only selectors use this module; it reads, and never writes.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

# Word similarity (0 to 1) a name needs to match the search words: 0.5 lets one transposed or
# wrong letter in a word of 7 through ("lantren" for "lantern") and keeps "teacup" out of
# "teapot". pg_trgm's default (0.6) is stricter.
WORD_SIMILARITY = 0.5
_WORDS = re.compile(r"\w+")

_TSQUERY = "websearch_to_tsquery('english', %s)"
_MATCH_SQL = f'("catalog_product"."search_vector" @@ {_TSQUERY} OR %s <%% "catalog_product"."name")'
_RANK_SQL = (
    f'(ts_rank_cd("catalog_product"."search_vector", {_TSQUERY})::float8 '
    '+ word_similarity(%s, "catalog_product"."name")::float8)'
)


def words_of(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def session(text: str | None) -> Iterator[None]:
    """Where a search's queries run: on PostgreSQL one transaction that sets the trigram
    threshold for itself alone (SET LOCAL: safe behind PgBouncer's transaction pooling).
    Without search words (`text` empty), nothing."""
    if not text or not postgres():
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}")
        yield


def _word_conditions(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= (
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(search_category__icontains=word)
            | Q(search_attributes__icontains=word)
        )
    return condition


def matching(products: QuerySet[Any, Any], text: str) -> QuerySet[Any, Any]:
    """`products` that match `text`."""
    if postgres():
        return products.filter(RawSQL(_MATCH_SQL, [text, text], output_field=BooleanField()))
    words = words_of(text)
    if not words:
        return products.none()
    return products.filter(_word_conditions(words))


def ranked(products: QuerySet[Any, Any], text: str) -> QuerySet[Any, Any]:
    """`products` (that match `text`) annotated with their `rank`, higher is better."""
    if postgres():
        return products.annotate(rank=RawSQL(_RANK_SQL, [text, text], output_field=FloatField()))
    in_name: Any = Value(0.0, output_field=FloatField())
    for word in words_of(text):
        in_name = in_name + Case(
            When(name__icontains=word, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return products.annotate(rank=in_name)
