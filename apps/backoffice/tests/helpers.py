"""Signing a merchant in to the admin, for the apps' admin tests."""

from typing import Any

from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client

# what a merchant's group holds: every permission of the apps the back office runs
MERCHANT_APPS = ("catalog", "ordering", "payments", "bookings", "auth")


def grant_merchant_permissions(user: User) -> User:
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=MERCHANT_APPS))
    return User.objects.get(pk=user.pk)  # fresh, without the permission cache


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
