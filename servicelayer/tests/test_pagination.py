"""Keyset pagination walks every row exactly once, in order, whatever the ordering."""

import pytest
from django.contrib.auth.models import User

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
