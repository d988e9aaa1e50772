"""Repeated failed sign-ins lock the username and the address, on the sign-in page and the API
token endpoint alike; the right password is then refused too, until the lockout ends or an
admin unlocks it (audited). Token requests are throttled besides."""

import os
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone, translation
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts import lockout, roles, services
from audit.models import AuditEvent
from tests.helpers import make_user, run_with_django

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def no_token_throttle(monkeypatch):
    """The lockout on its own, without the token endpoint's throttle answering first."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth-token": "1000/min"})


@pytest.fixture
def admin_user(db):
    admin = make_user("alex", roles.ADMIN)
    services.set_user_roles(admin, [roles.ADMIN])  # with admin site access
    return admin


def web_sign_in(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def api_sign_in(username, password, address="203.0.113.7"):
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_twenty_wrong_passwords_on_the_sign_in_page_lock_out_the_right_one(client, hr):
    for _ in range(20):
        web_sign_in(client, "hana", "wrong-password")

    response = web_sign_in(client, "hana", "pw-hana")

    assert response.status_code == 429
    assert not is_signed_in(client)
    text = response.content.decode()
    assert "Too many failed sign-ins" in text
    assert "blocked for 15 minutes" in text
    assert "ask an administrator" in text
    assert 'id="lockout-message"' in text


def test_the_page_locks_at_the_fifth_failure_not_before(client, hr):
    for _ in range(4):
        assert web_sign_in(client, "hana", "wrong-password").status_code == 200

    assert web_sign_in(client, "hana", "wrong-password").status_code == 429
    assert web_sign_in(client, "hana", "pw-hana").status_code == 429


def test_four_failures_then_the_right_password_signs_in(client, hr):
    for _ in range(4):
        web_sign_in(client, "hana", "wrong-password")

    assert web_sign_in(client, "hana", "pw-hana").status_code == 302
    assert is_signed_in(client)


def test_the_lockout_message_is_translated(client, hr):
    for _ in range(5):
        web_sign_in(client, "hana", "wrong-password")

    response = client.post(
        LOGIN,
        {"username": "hana", "password": "pw-hana"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    assert response.status_code == 429
    with translation.override("ko"):
        expected = lockout.lockout_message()
    assert "15" in expected and "Too many" not in expected
    assert expected in response.content.decode()


def test_twenty_wrong_passwords_on_the_api_lock_out_the_right_one(hr, no_token_throttle):
    for _ in range(20):
        api_sign_in("hana", "wrong-password")

    response = api_sign_in("hana", "pw-hana")

    assert response.status_code == 429
    assert "token" not in response.json()
    assert response.json() == {"detail": lockout.lockout_message()}
    assert response["Retry-After"] == "900"
    assert not AuditEvent.objects.filter(action="auth.token_issued").exists()


def test_a_lockout_on_the_page_holds_on_the_api_too(client, hr, no_token_throttle):
    for _ in range(5):
        web_sign_in(client, "hana", "wrong-password", address="198.51.100.1")

    response = api_sign_in("hana", "pw-hana", address="198.51.100.2")

    assert response.status_code == 429


def test_failures_as_many_users_from_one_address_lock_that_address(client, db):
    for name in ("u1", "u2", "u3", "u4", "u5"):
        make_user(name)
        web_sign_in(client, name, "wrong-password", address="192.0.2.50")
    make_user("victim")

    assert web_sign_in(client, "victim", "pw-victim", address="192.0.2.50").status_code == 429
    assert web_sign_in(client, "victim", "pw-victim", address="192.0.2.51").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, hr):
    for _ in range(5):
        web_sign_in(client, "hana", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert web_sign_in(client, "hana", "pw-hana").status_code == 302


def test_a_lockout_is_recorded_once_and_every_refused_attempt_as_a_failure(client, hr):
    for _ in range(7):
        web_sign_in(client, "hana", "wrong-password")
    web_sign_in(client, "hana", "pw-hana")

    (locked,) = AuditEvent.objects.filter(action="auth.locked_out")
    assert locked.data["username"] == "hana"
    assert locked.data["ip"] == "203.0.113.7"
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == 8
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()


def test_an_admin_unlocks_a_user_from_the_user_list_and_it_is_recorded(client, hr, admin_user):
    for _ in range(5):
        web_sign_in(client, "hana", "wrong-password")
    admin_client = type(client)()
    admin_client.force_login(admin_user)

    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "unlock_sign_in", "_selected_action": [hr.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Sign-in unlocked for: hana." in response.content.decode()
    (event,) = AuditEvent.objects.filter(action="auth.unlocked")
    assert event.actor == admin_user
    assert (event.object_type, event.object_id) == ("auth.user", str(hr.pk))
    assert event.data["username"] == "hana"
    assert web_sign_in(client, "hana", "pw-hana").status_code == 302


def test_unlocking_a_user_without_failures_records_nothing(hr, admin_user):
    assert services.unlock_sign_in(hr, actor=admin_user) == 0
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


def test_deleting_failed_sign_ins_in_the_admin_unlocks_and_is_recorded(client, admin_user, db):
    for name in ("u1", "u2", "u3", "u4", "mallory"):
        web_sign_in(client, name, "guess", address="192.0.2.9")
    make_user("victim")
    assert web_sign_in(client, "victim", "pw-victim", address="192.0.2.9").status_code == 429
    admin_client = type(client)()
    admin_client.force_login(admin_user)
    pks = list(AccessAttempt.objects.filter(ip_address="192.0.2.9").values_list("pk", flat=True))

    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )

    assert response.status_code == 302
    events = AuditEvent.objects.filter(action="auth.unlocked")
    assert sorted(e.data["username"] for e in events) == [
        "mallory",
        "u1",
        "u2",
        "u3",
        "u4",
        "victim",
    ]
    assert all(e.actor == admin_user and e.data["addresses"] == ["192.0.2.9"] for e in events)
    assert web_sign_in(client, "victim", "pw-victim", address="192.0.2.9").status_code == 302


def test_the_token_endpoint_is_throttled_per_address(hr):
    answers = [api_sign_in("hana", "pw-hana").status_code for _ in range(11)]

    assert answers == [200] * 10 + [429]
    response = api_sign_in("hana", "pw-hana")
    assert "throttled" in response.json()["detail"].lower()
    assert int(response["Retry-After"]) > 0
    assert api_sign_in("hana", "pw-hana", address="203.0.113.99").status_code == 200


def test_the_client_address_behind_proxies_is_the_one_the_outermost_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.1"
    )

    settings.PROXY_COUNT = 0
    assert lockout.client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert lockout.client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 2
    assert lockout.client_ip(request) == "203.0.113.5"


def settings_from_env(**env) -> str:
    own = ("VETTING_LOCKOUT_", "VETTING_IDLE_SECONDS", "VETTING_TOKEN_RATE")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(own)} | env
    code = (
        "from django.conf import settings; from rest_framework.settings import api_settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(), "
        "settings.SESSION_IDLE_SECONDS, api_settings.DEFAULT_THROTTLE_RATES['auth-token'])"
    )
    return run_with_django(code, environment, check=True).stdout.strip()


def test_limits_have_sane_defaults_and_come_from_the_environment():
    assert settings_from_env() == "5 900.0 1800 10/min"
    assert (
        settings_from_env(
            VETTING_LOCKOUT_FAILURES="3",
            VETTING_LOCKOUT_MINUTES="60",
            VETTING_IDLE_SECONDS="600",
            VETTING_TOKEN_RATE="5/min",
        )
        == "3 3600.0 600 5/min"
    )


def test_a_very_long_username_is_counted_cut_to_a_storable_length(no_token_throttle, db):
    username = "x" * 400

    for _ in range(5):
        assert api_sign_in(username, "guess").status_code in (400, 429)

    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == "x" * 150 and attempt.failures_since_start == 5
    assert api_sign_in(username, "guess").status_code == 429


def test_the_admin_sign_in_is_locked_the_same_way(client, admin_user):
    for _ in range(5):
        client.post("/admin/login/", {"username": "alex", "password": "wrong-password"})

    response = client.post("/admin/login/", {"username": "alex", "password": "pw-alex"})

    assert response.status_code == 429
    assert not is_signed_in(client)
