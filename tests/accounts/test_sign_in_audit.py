"""Sign-ins, failed sign-ins and sign-outs are in the audit log, from the web and the API, with
where they came from and never a password."""

import json

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

AGENT = "Mozilla/5.0 (audit test)"


def only(action: str) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def assert_no_password_anywhere(password: str) -> None:
    for event in AuditEvent.objects.all():
        assert password not in event.summary
        assert password not in json.dumps(event.data)


def test_a_web_sign_in_is_recorded_with_the_client(client, hr):
    response = client.post(
        "/accounts/login/",
        {"username": "hana", "password": "pw-hana"},
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    event = only("auth.signed_in")
    assert event.actor == hr
    assert (event.object_type, event.object_id) == ("auth.user", str(hr.pk))
    assert event.data == {
        "username": "hana",
        "via": "web",
        "ip": "203.0.113.7",
        "user_agent": AGENT,
    }
    assert_no_password_anywhere("pw-hana")


def test_a_failed_web_sign_in_records_the_username_but_not_the_password(client, hr):
    response = client.post(
        "/accounts/login/",
        {"username": "hana", "password": "wrong-secret"},
        HTTP_USER_AGENT=AGENT,
    )

    assert response.status_code == 200
    event = only("auth.sign_in_failed")
    assert event.actor is None and event.actor_username == "system"
    assert event.data["username"] == "hana"
    assert (event.data["via"], event.data["ip"], event.data["user_agent"]) == (
        "web",
        "127.0.0.1",
        AGENT,
    )
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()
    assert_no_password_anywhere("wrong-secret")


def test_a_sign_in_as_an_unknown_user_is_recorded_too(client, db):
    client.post("/accounts/login/", {"username": "mallory", "password": "guess"})

    assert only("auth.sign_in_failed").data["username"] == "mallory"


def test_signing_out_is_recorded(client, hr):
    client.force_login(hr)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    event = only("auth.signed_out")
    assert event.actor == hr and event.data["username"] == "hana"


def test_an_api_token_sign_in_is_recorded_with_the_token_it_gave(hr):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "hana", "password": "pw-hana"},
        format="json",
        HTTP_USER_AGENT=AGENT,
    )

    assert response.status_code == 200
    event = only("auth.signed_in")
    assert event.actor == hr
    assert (event.data["via"], event.data["user_agent"]) == ("api", AGENT)
    assert only("auth.token_issued").actor == hr
    assert_no_password_anywhere("pw-hana")


def test_a_failed_api_token_sign_in_is_recorded(hr):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "hana", "password": "wrong-secret"}, format="json"
    )

    assert response.status_code == 400
    event = only("auth.sign_in_failed")
    assert (event.data["username"], event.data["via"]) == ("hana", "api")
    assert not AuditEvent.objects.filter(action__startswith="auth.token").exists()
    assert_no_password_anywhere("wrong-secret")


def test_a_deactivated_user_cannot_sign_in_and_the_attempt_is_recorded(client, hr):
    hr.is_active = False
    hr.save()

    client.post("/accounts/login/", {"username": "hana", "password": "pw-hana"})
    APIClient().post("/api/v1/auth/token/", {"username": "hana", "password": "pw-hana"})

    failed = AuditEvent.objects.filter(action="auth.sign_in_failed")
    assert sorted(e.data["via"] for e in failed) == ["api", "web"]
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()
