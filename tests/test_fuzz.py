"""The API fuzzed from its own OpenAPI schema (schemathesis), in process.

Every operation gets generated requests, valid and invalid, in turn as a shopper and as a merchant;
none may answer 5xx, and every answer must be a status the schema documents, with a body that
matches the schema. (Fuzzing by hand found a null that reached a NOT NULL column, and
SQLite's 'database is locked'; this keeps them found.)
"""

import itertools

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.interface import issue_token
from config.wsgi import application

# loading the schema needs no database; signing out, or revoking a token by id, could revoke
# the run's own tokens
schema = schemathesis.openapi.from_wsgi("/api/schema/", application).exclude(
    path=["/api/auth/logout/", "/api/auth/tokens/{id}/"]
)


@pytest.fixture
def tokens(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # as Django's test client does: a request must not close the test's connection (and its
    # transaction) when it ends
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield itertools.cycle(
        [issue_token(username=name, name="fuzz").key for name in ("shopper", "merchant")]
    )
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_documented(case, tokens):
    # the examples take turns as shopper and merchant: each role meets half of twelve inputs,
    # rather than both meeting the same six (the same number of requests)
    token = next(tokens)
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
