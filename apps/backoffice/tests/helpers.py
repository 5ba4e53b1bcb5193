"""Signing a merchant in to the admin, for the apps' admin tests."""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
