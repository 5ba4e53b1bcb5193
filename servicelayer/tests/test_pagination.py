"""Keyset pagination walks every row exactly once, in order, whatever the ordering."""

import pytest
from django.contrib.auth.models import User
from django.db.models import F

from servicelayer.errors import InvalidInput
from servicelayer.pagination import encode_cursor, keyset_page


@pytest.fixture
def people(db):
    # duplicate names on purpose: the id must break ties
    names = ["b", "a", "c", "a", "b", "d", "a"]
    return [User.objects.create(username=f"u{i}", first_name=name) for i, name in enumerate(names)]


def walk(ordering, size):
    seen, cursor = [], None
    while True:
        page = keyset_page(
            User.objects.values("id", "first_name"), ordering=ordering, size=size, cursor=cursor
        )
        seen.extend(page.results)
        assert len(page.results) <= size
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("ordering", [("first_name",), ("-first_name",), ("-id",), ("id",)])
@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_walking_all_pages_yields_every_row_once_in_order(people, ordering, size):
    # ties are broken by id, in the direction of the ordering (so one index serves both)
    tie_breaker = "-id" if ordering[-1].startswith("-") else "id"
    expected = list(User.objects.order_by(*ordering, tie_breaker).values("id", "first_name"))
    assert walk(ordering, size) == expected


def test_the_last_page_has_no_next_cursor(people):
    page = keyset_page(User.objects.values("id", "first_name"), ordering=("id",), size=len(people))
    assert page.next_cursor is None
    assert len(page.results) == len(people)


@pytest.mark.parametrize(
    "cursor",
    ["not base64 at all!", encode_cursor(["a"]), encode_cursor([{"x": 1}, 1]), "W10", "e30"],
)
def test_a_bad_cursor_is_invalid_input(people, cursor):
    with pytest.raises(InvalidInput) as caught:
        keyset_page(
            User.objects.values("id", "first_name"), ordering=("first_name",), size=2, cursor=cursor
        )
    assert "cursor" in caught.value.fields


def test_a_cursor_with_values_of_the_wrong_type_is_invalid_input(people):
    cursor = encode_cursor(["a", "not-an-id"])
    with pytest.raises(InvalidInput):
        keyset_page(
            User.objects.values("id", "first_name"), ordering=("first_name",), size=2, cursor=cursor
        )


def test_cursors_of_every_field_type_round_trip(people):
    # a date-time, a boolean and an annotation: what the toolkit encodes, it accepts back
    rows = User.objects.annotate(nick=F("first_name")).values(
        "id", "nick", "is_staff", "date_joined"
    )
    for ordering in [("date_joined",), ("-is_staff",), ("nick",)]:
        seen, cursor = [], None
        while True:
            page = keyset_page(rows, ordering=ordering, size=2, cursor=cursor)
            seen.extend(page.results)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert len(seen) == len(people)


@pytest.mark.parametrize(
    ("ordering", "values"),
    [
        (("first_name",), ["\u0000", 1]),
        (("first_name",), ["x" * 151, 1]),  # longer than the column
        (("first_name",), [7, 1]),
        (("nick",), ["a\u0000", 1]),  # an annotation is checked by its output field
        (("is_staff",), [1, 1]),
        (("date_joined",), ["yesterday", 1]),
        (("date_joined",), ["0001-01-01T00:00:00+05:00", 1]),
        (("id",), [2**63]),  # beyond the 64-bit id column
        (("id",), [True]),
        (("id",), [1.0]),
    ],
)
def test_a_cursor_value_that_the_column_cannot_hold_is_invalid_input(people, ordering, values):
    rows = User.objects.annotate(nick=F("first_name")).values("id", "nick")
    with pytest.raises(InvalidInput) as caught:
        keyset_page(rows, ordering=ordering, size=2, cursor=encode_cursor(values))
    assert "cursor" in caught.value.fields
