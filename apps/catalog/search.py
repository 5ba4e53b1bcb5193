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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast

# Word similarity (0 to 1) a name needs to match the search words: 0.5 lets one transposed or
# wrong letter in a word of 7 through ("lantren" for "lantern") and keeps "teacup" out of
# "teapot". pg_trgm's default (0.6) is stricter.
WORD_SIMILARITY = 0.5
_WORDS = re.compile(r"\w+")


class SearchVector(Expression):
    """The product's `search_vector` column, wherever the query puts the product table (a
    subquery relabels it): not a model field, since only PostgreSQL has the column."""

    output_field = TextField()

    def __init__(self) -> None:
        super().__init__()
        self.pk: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.pk,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        alias = compiler.quote_name_unless_alias(self.pk.alias)
        return f"{alias}.{connection.ops.quote_name('search_vector')}", []


def _tsquery(text: str) -> Func:
    return Func(
        Value(text),
        template="websearch_to_tsquery('english'::regconfig, %(expressions)s)",
        output_field=TextField(),
    )


def _full_text(text: str) -> Func:
    """search_vector @@ the words (the GIN index on search_vector)."""
    return Func(
        SearchVector(),
        _tsquery(text),
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )


def _name_like(text: str) -> Func:
    """The words are like a part of the name (`<%`, word similarity: the trigram index)."""
    return Func(
        Value(text),
        F("name"),
        template="%(expressions)s",
        arg_joiner=" <%% ",
        output_field=BooleanField(),
    )


def _pg_rank(text: str) -> Any:
    text_rank = Cast(Func(SearchVector(), _tsquery(text), function="ts_rank_cd"), FloatField())
    name_rank = Cast(Func(Value(text), F("name"), function="word_similarity"), FloatField())
    return text_rank + name_rank


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
        return products.filter(Q(_full_text(text)) | Q(_name_like(text)))
    words = words_of(text)
    if not words:
        return products.none()
    return products.filter(_word_conditions(words))


def ranked(products: QuerySet[Any, Any], text: str) -> QuerySet[Any, Any]:
    """`products` (that match `text`) annotated with their `rank`, higher is better."""
    if postgres():
        return products.annotate(rank=_pg_rank(text))
    in_name: Any = Value(0.0, output_field=FloatField())
    for word in words_of(text):
        in_name = in_name + Case(
            When(name__icontains=word, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return products.annotate(rank=in_name)
