"""Errors Django raises before DRF (bad Host, oversized or overfull bodies) answer the error body,
and a JSON body is refused by its size before it is read."""

import logging

import orjson
import pytest
from django.conf import settings
from django.test import Client

LOGIN = "/api/auth/login/"
FORM = "application/x-www-form-urlencoded"


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return orjson.loads(response.content)["error"]


@pytest.mark.django_db
def test_a_bad_host_answers_the_error_body(caplog):
    with caplog.at_level(logging.ERROR, logger="django.security.DisallowedHost"):
        response = Client(HTTP_HOST="evil.example").get("/api/products/")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert "evil.example" not in response.content.decode()  # the log says it, not the answer
    assert any(r.name == "django.security.DisallowedHost" for r in caplog.records)


@pytest.mark.django_db
def test_a_bad_host_on_an_unknown_path_answers_the_error_body():
    response = Client(HTTP_HOST="evil.example").post("/api/no-such-thing/", {})
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


@pytest.mark.django_db
def test_a_bad_host_under_debug_gets_django_debug_page(settings):
    # DEBUG shows Django's technical page (with the traceback) instead of any handler.
    settings.DEBUG = True
    response = Client(HTTP_HOST="evil.example").get("/api/products/")
    assert response.status_code == 400
    assert b"DisallowedHost" in response.content


def test_a_bad_host_outside_the_api_keeps_django_page():
    response = Client(HTTP_HOST="evil.example").get("/admin/login/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_oversized_form_body_is_413():
    body = "username=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = Client().post(LOGIN, body, content_type=FORM)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


@pytest.mark.django_db
def test_too_many_form_fields_is_400():
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    body = "&".join(f"f{i}=1" for i in range(fields))
    response = Client().post(LOGIN, body, content_type=FORM)
    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_fields"


@pytest.mark.django_db
def test_too_many_query_parameters_is_400():
    query = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = Client().get(f"/api/products/?{query}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_fields"


@pytest.mark.django_db
def test_an_oversized_json_body_is_413_for_anyone():
    body = orjson.dumps({"username": "x" * 30_000_000, "password": "p"})
    response = Client().post(LOGIN, body, content_type="application/json")
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "request_too_large"
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in error["message"]


@pytest.mark.django_db
def test_a_json_body_just_over_the_limit_is_413():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = orjson.dumps({"username": "x" * limit, "password": "p"})
    assert limit < len(body) < limit + 100
    response = Client().post(LOGIN, body, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_json_body_of_a_normal_size_still_works_in_production(make_user, settings):
    settings.DEBUG = False
    make_user("carol")
    body = {"username": "carol", "password": "secret-pass-123", "pad": " " * 10_000}
    response = Client().post(LOGIN, orjson.dumps(body), content_type="application/json")
    assert response.status_code == 400  # `pad` is not a field: parsed, then validated
    assert error_of(response)["fields"] == {"pad": ["Unknown field."]}
    body.pop("pad")
    response = Client().post(LOGIN, orjson.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert orjson.loads(response.content)["token"]


@pytest.mark.django_db
def test_a_csrf_failure_on_the_api_answers_the_error_body(shopper, make_product):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    product = make_product()
    response = client.post(
        "/api/basket/items/",
        orjson.dumps({"product_id": product.id, "quantity": 1}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"  # one code for a 403, whoever refuses
    assert "CSRF" in error_of(response)["message"]
