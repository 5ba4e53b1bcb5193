"""Accounts over REST: sign in (token) and sign out. Translation only."""

from apps.accounts.services import token_obtain, token_revoke
from servicelayer.rest.views import ServiceAPIView, service_endpoint


class LoginView(ServiceAPIView):
    authentication_classes: list[type] = []  # a stale token must not block signing in
    post = service_endpoint(token_obtain)


class LogoutView(ServiceAPIView):
    post = service_endpoint(token_revoke, status=204)
