"""Session authentication for the API that respects the second factor.

A browser session whose user still has to enter a code (or enrol) gets 403 with a message, the
same rule the pages apply (accounts.otp.pending_step). Token authentication is not affected:
see README, Security.
"""

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from . import otp


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "second_factor_required"


class VerifiedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        step = otp.pending_step(request._request)
        if step == otp.VERIFY:
            raise SecondFactorRequired(
                _(
                    "This session has not passed the second factor yet: sign in on the web and "
                    "enter the code from your authenticator app, or use an API token."
                )
            )
        if step == otp.ENROL:
            raise SecondFactorRequired(
                _(
                    "Your role must use a second factor: set up an authenticator app on the web "
                    "before using the API with this session, or use an API token."
                )
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """Documented in the OpenAPI schema as the session cookie it is."""

    target_class = "accounts.api_auth.VerifiedSessionAuthentication"
