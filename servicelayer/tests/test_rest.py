"""The REST base: validation, DTO building, error mapping and the one error body."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pydantic import Field

from servicelayer.dto import DTO, Id
from servicelayer.errors import Conflict, Forbidden, NotFound, Unavailable
from servicelayer.models import IdempotencyRecord
from servicelayer.registry import Registry, service
from servicelayer.rest.routes import Routes
from servicelayer.rest.views import body_model
from servicelayer.tests.view_calls import PERSON, Named, send, someone

pytestmark = pytest.mark.django_db  # the services here are atomic: a call opens a transaction

reg = Registry()


class Rename(DTO):
    thing_id: Id
    name: str = Field(min_length=1, max_length=10)


class ThingTaken(Conflict):
    code = "thing_taken"
    default_message = "Taken."


FAILURES = {
    "conflict": ThingTaken(details={"by": "someone"}),
    "missing": NotFound(),
    "down": Unavailable(),
    "nope": Forbidden(),
}


@service(role=PERSON, errors=[ThingTaken, NotFound, Unavailable, Forbidden], atomic=True, into=reg)
def thing_rename(*, actor, data: Rename) -> Named:
    """Rename a thing."""
    if data.name in FAILURES:
        raise FAILURES[data.name]
    return Named(id=data.thing_id, name=data.name)


@service(role=PERSON, atomic=True, into=reg)
def thing_forget(*, actor, data: Rename) -> None:
    """Forget a thing."""


things = Routes(tag="things")
things.post("things/<pk:thing_id>/", thing_rename, status=201)
things.delete("things/<pk:thing_id>/", thing_forget, status=204)
thing_view = things.urls()[0].callback


def call(method, body, *, pk=7, authenticated=True, raw=None):
    user = someone if authenticated else None
    return send(thing_view, method, "/things/7/", body, user=user, raw=raw, pk=pk)


def test_success_renders_the_result_with_the_declared_status():
    response = call("post", {"name": "lamp"})
    assert response.status_code == 201
    assert response.json() == {"id": 7, "name": "lamp"}


def test_the_id_comes_from_the_url_never_from_the_body():
    response = call("post", {"name": "lamp", "thing_id": 99})
    assert response.json()["id"] == 7


def test_invalid_input_is_400_with_field_messages():
    response = call("post", {"name": "a name far too long", "colour": "red"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "colour"}


def test_an_out_of_range_id_in_the_url_is_400():
    response = call("post", {"name": "lamp"}, pk=2**40)
    assert response.status_code == 400
    assert "thing_id" in response.json()["error"]["fields"]


def test_a_body_that_is_not_an_object_is_400():
    response = call("post", None, raw="[1, 2]")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["Expected a JSON object."]}


def test_malformed_json_is_400_with_the_error_body():
    response = call("post", None, raw='{"name": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_anonymous_is_401_before_any_validation():
    response = call("post", {"name": ""}, authenticated=False)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("conflict", 409, "thing_taken"),
        ("missing", 404, "not_found"),
        ("down", 503, "unavailable"),
        ("nope", 403, "forbidden"),
    ],
)
def test_each_kind_of_service_error_has_its_status_and_code(name, status, code):
    response = call("post", {"name": name})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_structured_details_reach_the_client():
    response = call("post", {"name": "conflict"})
    assert response.json() == {
        "error": {"code": "thing_taken", "message": "Taken.", "details": {"by": "someone"}}
    }


def test_204_has_no_body():
    response = call("delete", {"name": "x"})
    assert response.status_code == 204
    assert response.content == b""


def test_a_method_the_view_lacks_is_405_with_the_error_body():
    response = call("put", {"name": "x"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_documented_body_leaves_out_fields_from_the_url():
    model = body_model(Rename, frozenset({"thing_id"}))
    assert set(model.model_fields) == {"name"}
    assert body_model(Rename, frozenset()) is Rename


made: list[str] = []


@service(role=PERSON, atomic=True, into=reg)
def thing_make(*, actor, data: Rename) -> Named:
    """Make a thing (once per Idempotency-Key)."""
    made.append(data.name)
    return Named(id=data.thing_id, name=data.name)


makers = Routes(tag="things")
makers.post("things/<pk:thing_id>/", thing_make, status=201, idempotent=True)
maker_view = makers.urls()[0].callback


def make(owner, body, *, key="k-1", format="json"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key}
    return send(
        maker_view, "post", "/things/7/", body, user=owner, format=format, headers=headers, pk=7
    )


@pytest.fixture
def owner(make_user):
    made.clear()
    return make_user()


def test_a_file_with_an_idempotency_key_is_400_and_claims_nothing(owner):
    upload = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    response = make(owner, {"name": "lamp", "photo": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == {"photo"}
    assert not IdempotencyRecord.objects.exists()


def test_a_form_without_files_is_still_accepted(owner):
    assert make(owner, {"name": "lamp"}, format="multipart").status_code == 201


def test_refused_input_claims_no_key_so_the_corrected_request_may_use_it(owner):
    assert make(owner, {"name": "a name far too long"}).status_code == 400
    response = make(owner, {"name": "lamp"})
    assert response.status_code == 201
    assert made == ["lamp"]


def test_the_key_fingerprints_the_input_as_validated(owner):
    # the same command written two ways is the same request: replayed, not refused
    first, again = make(owner, {"name": "lamp"}), make(owner, {"name": "  lamp  "})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert made == ["lamp"]
