"""The registry: services declare an actor and a DTO; every call is authorized, and untrusted
input is validated at the one delivery entry, ServiceSpec.call."""

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import Field, field_validator, model_validator

from servicelayer import transactions
from servicelayer.catalog import as_text, catalog
from servicelayer.dto import DTO, Output, validate_input
from servicelayer.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from servicelayer.queries import QueryRegistry, queries
from servicelayer.registry import Registry, registry, service
from servicelayer.roles import Access, Role

CLERK = Role("clerk", Access.STAFF)
PERSON = Role("person", Access.AUTHENTICATED)
JOB = Role("job", Access.SYSTEM)

staff = SimpleNamespace(is_authenticated=True, is_active=True, is_staff=True)
customer = SimpleNamespace(is_authenticated=True, is_active=True, is_staff=False)
inactive = SimpleNamespace(is_authenticated=True, is_active=False, is_staff=False)


class Greeting(DTO):
    name: str = Field(min_length=1, max_length=5, description="Who to greet.")
    times: int = Field(default=1, ge=1, le=3)


class Greeted(Output):
    text: str


class Busy(Conflict):
    code = "busy"


@pytest.fixture
def reg(db) -> Registry:
    """A registry of its own; its services are atomic, so calling one opens a transaction."""
    return Registry()


def test_a_service_is_registered_under_its_name_with_its_dto_and_result(reg):
    @service(role=PERSON, errors=[Busy], atomic=True, into=reg)
    def greeting_send(*, actor, data: Greeting) -> Greeted:
        """Greet someone.

        More words."""
        return Greeted(text=f"hi {data.name}" * data.times)

    spec = reg.get("greeting_send")
    assert spec.dto is Greeting
    assert spec.result is Greeted
    assert spec.summary == "Greet someone."
    assert spec.possible_errors() == (InvalidInput, NotAuthenticated, Busy)
    assert greeting_send(actor=customer, data=Greeting(name="ann", times=2)).text == "hi annhi ann"


def test_a_summary_is_the_first_paragraph_of_the_docstring_in_one_line(reg):
    @service(role=JOB, atomic=True, into=reg)
    def rows_expire() -> None:
        """Expire rows left too long (SOME_SETTING, default 30): each is
        dropped once. A periodic job.

        More words that the summary leaves out."""

    @service(role=JOB, atomic=True, into=reg)
    def rows_count() -> None: ...

    assert reg.get("rows_expire").summary == (
        "Expire rows left too long (SOME_SETTING, default 30): each is dropped once. "
        "A periodic job."
    )
    assert reg.get("rows_count").summary == "rows_count"


def test_no_summary_of_a_registered_service_or_query_is_cut_mid_sentence():
    specs = [*registry, *queries]
    assert len(registry) > 20
    assert len(queries) > 10
    for spec in specs:
        assert "\n" not in spec.summary, spec.name
        assert spec.summary.endswith((".", "?", "!", ")")), (spec.name, spec.summary)


def test_untrusted_input_is_validated_into_the_dto_with_field_messages(reg):
    @service(role=PERSON, atomic=True, into=reg)
    def greeting_send(*, actor, data: Greeting) -> Greeted:
        return Greeted(text=data.name)

    spec = reg.get("greeting_send")
    with pytest.raises(InvalidInput) as caught:
        spec.call(actor=customer, data={"name": "too long", "times": 9, "extra": 1})
    assert set(caught.value.fields) == {"name", "times", "extra"}
    assert caught.value.fields["extra"] == ["Unknown field."]
    assert spec.call(actor=customer, data={"name": "ann"}) == Greeted(text="ann")
    assert spec.call(actor=customer, data=Greeting(name="bob")) == Greeted(text="bob")


def test_access_is_checked_before_untrusted_input_is_validated(reg):
    @service(role=PERSON, atomic=True, into=reg)
    def greeting_send(*, actor, data: Greeting) -> Greeted:
        return Greeted(text=data.name)

    with pytest.raises(NotAuthenticated):
        reg.get("greeting_send").call(actor=None, data={"name": "too long"})


class Farewell(DTO):
    name: str


def test_called_from_python_a_service_takes_only_its_own_dto(reg):
    ran = []

    @service(role=PERSON, atomic=True, into=reg)
    def greeting_send(*, actor, data: Greeting) -> Greeted:
        ran.append(True)
        return Greeted(text=data.name)

    # a programming error, not a 400: mypy refuses these calls too (see test_typing.py)
    with pytest.raises(TypeError, match="takes a Greeting, not dict"):
        greeting_send(actor=customer, data={"name": "ann"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a Greeting, not Farewell"):
        greeting_send(actor=customer, data=Farewell(name="ann"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a Greeting, not NoneType"):
        greeting_send(actor=customer)  # type: ignore[call-arg]
    assert ran == []


@pytest.mark.parametrize(
    ("actor", "user", "error"),
    [
        (PERSON, None, NotAuthenticated),
        (PERSON, inactive, NotAuthenticated),
        (CLERK, None, NotAuthenticated),
        (CLERK, customer, Forbidden),
        (JOB, customer, Forbidden),
    ],
)
def test_access_is_checked_before_anything_runs(reg, actor, user, error):
    ran = []

    @service(role=actor, atomic=True, into=reg)
    def thing_do(*, actor, data: Greeting) -> None:
        ran.append(True)

    with pytest.raises(error):
        thing_do(actor=user, data=Greeting(name="x"))
    with pytest.raises(error):
        reg.get("thing_do").call(actor=user, data={"name": "x"})
    assert ran == []


@pytest.mark.parametrize(("actor", "user"), [(CLERK, staff), (JOB, None), (JOB, staff)])
def test_allowed_callers_run_the_service(reg, actor, user):
    @service(role=actor, atomic=True, into=reg)
    def thing_do(*, actor: Any) -> str:
        return "done"

    assert thing_do(actor=user) == "done"
    assert reg.get("thing_do").call(actor=user) == "done"


def test_a_job_that_names_no_actor_runs_for_the_system_or_staff(reg):
    @service(role=JOB, atomic=True, into=reg)
    def thing_do() -> str:
        return "done"

    assert thing_do() == "done"
    assert reg.get("thing_do").call(actor=staff) == "done"  # `manage.py call --as` a merchant
    with pytest.raises(Forbidden):
        reg.get("thing_do").call(actor=customer)


def test_a_service_for_a_signed_in_user_must_name_its_actor(reg):
    # else its typed signature would let no Python caller pass the user it needs
    for needs_a_user in (PERSON, CLERK):
        with pytest.raises(TypeError, match="takes `actor`"):

            @service(role=needs_a_user, atomic=True, into=reg)
            def thing_do() -> None: ...


def test_a_service_without_input_refuses_input(reg):
    @service(role=JOB, atomic=True, into=reg)
    def thing_do() -> str:
        return "done"

    with pytest.raises(InvalidInput):
        reg.get("thing_do").call(actor=None, data={"unexpected": True})
    assert reg.get("thing_do").call(actor=None, data={}) == "done"  # `manage.py call`'s default
    with pytest.raises(TypeError, match="takes no input"):
        thing_do(data=Greeting(name="x"))  # type: ignore[call-arg]


def test_services_must_take_keyword_only_actor_and_data(reg):
    with pytest.raises(TypeError, match="keyword-only"):

        @service(role=JOB, atomic=True, into=reg)
        def positional(actor, data: Greeting) -> None: ...

    with pytest.raises(TypeError, match="DTO"):

        @service(role=JOB, atomic=True, into=reg)
        def untyped(*, data: dict) -> None: ...


def test_a_service_is_atomic_or_calls_outside_one_of_the_two(reg):
    for atomic, outside in ((False, False), (True, True)):
        with pytest.raises(TypeError, match="atomic=True, or outside=True"):

            @service(role=JOB, atomic=atomic, outside=outside, into=reg)
            def thing_do() -> None: ...

    assert len(reg) == 0


def test_an_atomic_service_runs_in_a_transaction_of_its_own(reg):
    @service(role=JOB, atomic=True, into=reg)
    def thing_do() -> bool:
        return transactions.caller_transaction_open()

    assert not transactions.caller_transaction_open()
    assert thing_do() is True


def test_a_service_that_calls_outside_refuses_to_run_inside_a_callers_transaction(reg):
    from django.db import transaction

    ran = []

    @service(role=JOB, outside=True, into=reg)
    def thing_do() -> None:
        ran.append(True)

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside world"):
        thing_do()
    assert ran == []
    thing_do()
    assert ran == [True]


def test_two_services_with_one_name_are_refused(reg):
    @service(role=JOB, atomic=True, into=reg)
    def thing_do() -> None: ...

    with pytest.raises(RuntimeError, match="thing_do"):

        @service(role=JOB, atomic=True, into=reg)
        def thing_do() -> None: ...


def test_the_catalog_lists_services_per_actor_with_fields_and_errors(reg):
    @service(role=PERSON, errors=[Busy], atomic=True, into=reg)
    def greeting_send(*, actor, data: Greeting) -> Greeted:
        """Greet someone."""
        return Greeted(text="")

    @service(role=JOB, atomic=True, into=reg)
    def greetings_purge() -> None:
        """Forget old greetings."""

    listed = catalog(reg, QueryRegistry())
    assert list(listed) == ["job", "person", "queries"]
    assert listed["queries"] == {}
    [entry] = listed["person"]
    assert entry["summary"] == "Greet someone."
    assert entry["input"][0] == {
        "name": "name",
        "type": "str",
        "required": True,
        "description": "Who to greet.",
    }
    assert [e["code"] for e in entry["errors"]] == ["invalid", "not_authenticated", "busy"]
    assert entry["errors"][-1]["kind"] == "Conflict"
    text = as_text(reg, QueryRegistry())
    assert "greeting_send: Greet someone." in text
    assert "times: int (optional)" in text
    assert "greetings_purge: Forget old greetings." in text


@pytest.mark.parametrize(
    "data",
    [{"name": "a\x00b"}, {"name\x00": "ann"}, {"name": "ann", "tags": ["x", "\x00"]}],
)
def test_text_with_nul_is_refused_before_validation(reg, data):
    @service(role=PERSON, atomic=True, into=reg)
    def greeting_send(*, actor, data: Greeting) -> Greeted:
        return Greeted(text=data.name)

    with pytest.raises(InvalidInput) as caught:
        reg.get("greeting_send").call(actor=customer, data=data)
    assert caught.value.fields == {"non_field_errors": ["Text may not contain NUL characters."]}


class Stay(DTO):
    nights: int = 1
    guests: int = 1

    @field_validator("guests")
    @classmethod
    def _few_guests(cls, guests: int) -> int:
        # what `assert` raises outside pytest, whose rewriting would change the message
        if guests >= 5:
            raise AssertionError("At most four guests.")
        if guests == 4:
            raise AssertionError
        return guests

    @model_validator(mode="after")
    def _a_stay(self) -> "Stay":
        if self.nights < 1:
            raise ValueError("A stay is at least one night.")
        return self


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"nights": 0}, {"non_field_errors": ["A stay is at least one night."]}),
        ({"guests": 7}, {"guests": ["At most four guests."]}),
        ({"guests": 4}, {"guests": ["The value is not valid."]}),
    ],
)
def test_validator_messages_reach_callers_as_written_without_pydantic_s_prefixes(data, fields):
    with pytest.raises(InvalidInput) as caught:
        validate_input(Stay, data)
    assert caught.value.fields == fields
