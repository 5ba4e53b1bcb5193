"""Reads of accounts: your own live tokens, newest first (one query a page)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.dto import ApiTokenOut, TokenQuery
from apps.accounts.models import ApiToken
from apps.roles import SHOPPER
from servicelayer.pagination import Page, keyset_page
from servicelayer.queries import query

TOKEN_FIELDS = ("id", "name", "prefix", "created_at", "expires_at", "last_used_at")


def live_tokens_of(actor: Any) -> QuerySet[ApiToken]:
    alive = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    return ApiToken.objects.filter(alive, user=actor)


@query(role=SHOPPER, output=ApiTokenOut)
def token_list(*, actor: Any, params: TokenQuery) -> Page:
    """List your API tokens that have not expired, newest first (never their keys)."""
    return keyset_page(
        live_tokens_of(actor).values(*TOKEN_FIELDS),
        ordering=("-id",),
        size=params.page_size,
        cursor=params.cursor,
    )
