"""The API token endpoint asks for the second factor too: a token is as strong as a signed-in
session, so a password alone must not yield one for an account that has (or must have) an
authenticator app (issue 11, "A second factor")."""

import pytest
from rest_framework.test import APIClient

from accounts import roles
from audit.models import AuditEvent
from tests.helpers import authenticator_for, make_user, totp_code

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def ask(user, **extra):
    body = {"username": user.username, "password": "pw-" + user.username, **extra}
    return APIClient().post(URL, body, format="json")


def test_hr_without_an_authenticator_app_gets_a_token_with_the_password(catalog):
    hana = make_user("hana", roles.HR)

    response = ask(hana)

    assert response.status_code == 200 and response.json()["token"]


def test_a_role_that_needs_a_second_factor_gets_no_token_before_setting_it_up(catalog):
    riley = make_user("riley", roles.REVIEWER)

    response = ask(riley)

    assert response.status_code == 400
    assert "sign in on the web once to set up an authenticator app" in response.json()["code"][0]


def test_an_account_with_an_app_must_send_its_current_code(catalog):
    riley = make_user("riley", roles.REVIEWER)
    device = authenticator_for(riley)

    missing = ask(riley)
    wrong = ask(riley, code="000000" if totp_code(device) != "000000" else "111111")
    device = authenticator_for(riley)  # past the slow-down that follows a wrong code
    right = ask(riley, code=totp_code(device))

    assert missing.status_code == 400 and "send the current code" in missing.json()["code"][0]
    assert wrong.status_code == 400 and "That code is not right" in wrong.json()["code"][0]
    assert right.status_code == 200 and right.json()["token"]
    assert AuditEvent.objects.filter(action="auth.second_factor_failed").exists()
    assert AuditEvent.objects.filter(action="auth.second_factor_verified").exists()


def test_a_recovery_code_works_once_at_the_token_endpoint(catalog):
    from accounts import services

    hana = make_user("hana", roles.HR)
    authenticator_for(hana)
    codes = services._replace_recovery_codes(hana)

    first = ask(hana, code=codes[0])
    again = ask(hana, code=codes[0])

    assert first.status_code == 200
    assert again.status_code == 400
