"""`Authorization: Token <key>` against accounts.ApiToken (hashed keys that expire)."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from common import logs

from . import services


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header format and 401 challenge (`WWW-Authenticate: Token`); the key is looked up
    by its hash, and an expired or revoked token is refused with the reason."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            token = services.use_api_token(key)
        except services.TokenRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        logs.user_id_var.set(str(token.user.pk))  # in this request's log lines
        return token.user, token
