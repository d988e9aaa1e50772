"""A session without a request for VETTING_IDLE_SECONDS (30 minutes) is signed out, and the
sign-in page says why; an active one goes on until SESSION_COOKIE_AGE."""

import time

import pytest
from django.utils import translation

from accounts.middleware import LAST_SEEN, idle_message
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds_ago
    session.save()


def test_a_session_idle_for_more_than_thirty_minutes_is_signed_out_with_a_message(client, hr):
    client.force_login(hr)
    last_seen(client, 31 * 60)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/")
    assert "_auth_user_id" not in client.session
    assert "You were signed out after 30 minutes without activity." in response.content.decode()
    (event,) = AuditEvent.objects.filter(action="auth.signed_out")
    assert event.actor == hr


def test_a_session_used_within_thirty_minutes_stays_signed_in(client, hr):
    client.force_login(hr)
    last_seen(client, 29 * 60)

    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5  # the clock starts again
    last_seen(client, 29 * 60)
    assert client.get("/").status_code == 200


def test_an_idle_browser_session_gets_401_from_the_api(client, hr):
    client.force_login(hr)
    last_seen(client, 31 * 60)

    assert client.get("/api/v1/auth/me/").status_code == 401


def test_the_idle_limit_comes_from_the_settings(client, hr, settings):
    settings.SESSION_IDLE_SECONDS = 5 * 60
    client.force_login(hr)
    last_seen(client, 6 * 60)

    response = client.get("/", follow=True)

    assert "after 5 minutes without activity" in response.content.decode()


def test_signing_in_starts_the_idle_clock(client, hr):
    client.post("/accounts/login/", {"username": "hana", "password": "pw-hana"})

    assert abs(client.session[LAST_SEEN] - time.time()) < 5


def test_the_idle_message_is_translated():
    with translation.override("ko"):
        text = idle_message(1800)
    assert "30" in text and "signed out" not in text
