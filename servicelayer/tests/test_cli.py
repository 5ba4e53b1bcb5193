"""The command line maps error kinds to exit codes and reports an error once, as the API does."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from servicelayer.errors import ERROR_KINDS, Conflict, InvalidInput, ServiceError
from servicelayer.management.base import (
    EXIT_CODE_BY_KIND,
    UNKNOWN_EXIT_CODE,
    ServiceCommand,
    exit_code_of,
)
from servicelayer.management.commands.call import Command as CallCommand


class Busy(Conflict):
    code = "busy"


class Raises(ServiceCommand):
    """A command whose handler raises the error it is given."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__()
        self.error = error

    def handle(self, *args: Any, **options: Any) -> None:
        raise self.error


def test_every_error_kind_has_its_own_exit_code():
    assert set(EXIT_CODE_BY_KIND) == set(ERROR_KINDS)
    codes = list(EXIT_CODE_BY_KIND.values())
    assert len(set(codes)) == len(codes)
    assert EXIT_CODE_BY_KIND[InvalidInput] == 2  # as the README promises
    assert UNKNOWN_EXIT_CODE not in codes
    assert 0 not in codes


def test_an_error_exits_with_its_kind_s_code_so_a_new_error_needs_no_mapping():
    assert exit_code_of(Busy) == exit_code_of(Conflict) == 6
    assert exit_code_of(ServiceError) == UNKNOWN_EXIT_CODE


@pytest.mark.parametrize("error", [*(kind() for kind in ERROR_KINDS), Busy(), ServiceError()])
def test_a_service_command_prints_the_error_body_once_and_exits_by_kind(error):
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(Raises(error), stderr=err)
    assert caught.value.returncode == exit_code_of(type(error))
    assert json.loads(err.getvalue()) == error.as_body()  # the body, and nothing else
    assert json.loads(str(caught.value)) == error.as_body()


def test_the_help_of_call_lists_the_exit_codes():
    text = " ".join(CallCommand().create_parser("manage.py", "call").format_help().split())
    for phrase in ("2 invalid input", "3 not authenticated", "5 not found", "9 unavailable"):
        assert phrase in text
