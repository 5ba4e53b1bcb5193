"""Accounts over REST: sign in, sign out, your tokens. Translation only."""

from apps.accounts import selectors, services
from apps.accounts.dto import ApiTokenOut, TokenQuery
from apps.actors import SHOPPER
from servicelayer.rest.views import ServiceAPIView, read_endpoint, service_endpoint


class LoginView(ServiceAPIView):
    authentication_classes: list[type] = []  # a stale token must not block signing in
    post = service_endpoint(services.token_obtain)


class LogoutView(ServiceAPIView):
    post = service_endpoint(services.token_revoke, status=204)


class TokenCollection(ServiceAPIView):
    get = read_endpoint(
        selectors.token_list, actor=SHOPPER, params=TokenQuery, output=ApiTokenOut, paginated=True
    )


class TokenDetail(ServiceAPIView):
    delete = service_endpoint(services.token_delete, url_kwargs={"pk": "token_id"}, status=204)
