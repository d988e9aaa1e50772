import pytest
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP: no HTTPS redirect, no HSTS, cookies sent over http.

    Session-scoped because the live server (and the middleware reading these settings) is
    created once per session, before any function-scoped override could apply.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield
