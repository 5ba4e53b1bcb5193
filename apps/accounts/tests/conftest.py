from collections.abc import Callable
from typing import Any

import pytest

from apps.notifications.tests.conftest import run_on_commit_callbacks


@pytest.fixture
def post(api: Callable[..., Any], db: None) -> Callable[..., Any]:
    """post(path, body, user=None, ip=...): a POST whose commit is followed through as a real
    one is: the event relay, the mails it queues and sends."""

    def post(path: str, body: Any, user: Any = None, ip: str = "10.0.0.1") -> Any:
        response = api(user).post(path, body, format="json", REMOTE_ADDR=ip)
        run_on_commit_callbacks()
        return response

    return post
