"""An error code names one situation: a client that branches on `code` never needs `details`
to tell two failures apart."""

import json
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.dto import NewUser
from apps.accounts.errors import PasswordInvalid
from apps.accounts.services import user_create
from servicelayer.errors import ServiceError, kind_of
from servicelayer.registry import registry


def _declared_errors() -> set[type[ServiceError]]:
    return {error for spec in registry for error in spec.possible_errors()}


def test_every_error_code_names_one_situation() -> None:
    meanings: dict[str, set[tuple[type[ServiceError], str]]] = defaultdict(set)
    for error in _declared_errors():
        meanings[error.code].add((kind_of(error), error.default_message))
    shared = {code: found for code, found in meanings.items() if len(found) > 1}
    # payments' not-found error for a payable kind reads like the owning app's own
    # (`order_not_found`, "There is no such order."), so it is one situation, not two.
    assert shared == {}


def test_a_weak_password_has_one_code_whoever_sets_it(db, api, capsys) -> None:
    """The API's registration, the operators' `user_create` and `agora_user` refuse a password
    that fails the validators alike: `password_invalid`, the messages under `password`."""
    weak = "short"
    registered = api(None).post(
        "/api/auth/register/",
        {"username": "weakling", "email": "weak@example.com", "password": weak},
        format="json",
    )
    api_error = registered.json()["error"]
    with pytest.raises(ServiceError) as created:
        user_create(data=NewUser(username="weakling", password=weak))
    with pytest.raises(CommandError):
        call_command("agora_user", "weakling", "--password", weak)
    cli_error = json.loads(capsys.readouterr().err)["error"]
    codes = {api_error["code"], created.value.code, cli_error["code"]}
    assert codes == {PasswordInvalid.code}
    assert api_error["fields"]["password"] == cli_error["fields"]["password"]
