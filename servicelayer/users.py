"""Finding the acting user for deliveries that have no request (CLI, tasks)."""

from typing import Any

from django.contrib.auth import get_user_model

from servicelayer.errors import NotFound


def user_by_username(username: str) -> Any:
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise NotFound(f"There is no user {username!r}.") from None


def user_by_id(user_id: int) -> Any:
    try:
        return get_user_model().objects.get(pk=user_id)
    except get_user_model().DoesNotExist:
        raise NotFound(f"There is no user with id {user_id}.") from None
