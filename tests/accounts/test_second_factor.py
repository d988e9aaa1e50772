"""The second factor: who must enrol, codes that are refused, recovery codes, the admin's
reset, the session API, and the identity provider's word (accounts.otp, accounts.services)."""

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp, roles, services
from accounts.models import RecoveryCode, code_digest
from audit.models import AuditEvent
from common.errors import NotAllowed
from tests.helpers import authenticator_for, make_user, password_only_login, totp_code

DASHBOARD = "/"
VERIFY = "/accounts/two-factor/verify/"
ENROL = "/accounts/two-factor/enrol/"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def sign_in_with_password(client, username: str):
    return client.post(
        reverse("login"), {"username": username, "password": f"pw-{username}"}, follow=True
    )


def enrol(client, user) -> list[str]:
    """Set up an authenticator app through the enrolment page; the recovery codes shown."""
    client.get(ENROL)
    device = otp.authenticator(user, confirmed=False)
    response = client.post(ENROL, {"code": totp_code(device)})
    assert response.status_code == 200, response.content
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.content.decode())


def events(action: str):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# ---------------------------------------------------------------- who must enrol


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.COMPLIANCE, roles.ADMIN])
def test_a_required_role_signing_in_without_an_app_is_sent_to_enrol_and_nowhere_else(
    client, db, role
):
    make_user("pat", role)
    response = sign_in_with_password(client, "pat")
    assert response.redirect_chain[-1][0].startswith(ENROL)
    page = response.content.decode()
    assert "Your role must use a second factor" in page
    assert '<svg class="qr"' in page  # the QR code is drawn on the page, by the server
    assert "<script>" not in page and "<script " not in page.split("</head>")[1]
    for url in ("/cases/", "/accounts/", "/reports/", "/admin/", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(ENROL), url
    # Signing out and the health check still work.
    assert client.get("/healthz").status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_an_htmx_request_of_a_pending_session_is_sent_to_the_step_page_whole(client, reviewer):
    password_only_login(client, reviewer)
    response = client.get("/cases/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == ENROL


def test_hr_is_not_forced_to_enrol_and_may_enrol_from_the_account_page(client, hr):
    response = sign_in_with_password(client, "hana")
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == DASHBOARD
    account = client.get("/accounts/")
    assert "Optional for your role" in account.content.decode()
    assert ENROL in account.content.decode()
    codes = enrol(client, hr)
    assert len(codes) == services.RECOVERY_CODE_COUNT
    assert otp.has_authenticator(hr)
    # From now on hr too is asked for a code after the password.
    client.post(reverse("logout"))
    response = sign_in_with_password(client, "hana")
    assert response.redirect_chain[-1][0].startswith(VERIFY)


def test_the_required_roles_are_one_setting(client, settings, reviewer):
    settings.VETTING_SECOND_FACTOR_ROLES = [roles.COMPLIANCE]
    response = sign_in_with_password(client, "riley")
    assert response.redirect_chain[-1][0] == DASHBOARD


def test_an_unknown_role_in_the_setting_fails_the_system_check(settings):
    from accounts.checks import second_factor_roles

    settings.VETTING_SECOND_FACTOR_ROLES = ["reviewer", "reveiwer"]
    assert [error.id for error in second_factor_roles()] == ["accounts.E001"]


# ---------------------------------------------------------------- enrolment and codes


def test_enrolment_needs_a_valid_code_and_then_verifies_the_session(client, reviewer):
    sign_in_with_password(client, "riley")
    page = client.get(ENROL).content.decode()
    device = otp.authenticator(reviewer, confirmed=False)
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1)
    assert key.replace(" ", "") in device.config_url  # the key for manual entry
    response = client.post(ENROL, {"code": "123"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not otp.has_authenticator(reviewer)
    response = client.post(ENROL, {"code": totp_code(device)})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "shown only this once" in response.content.decode()
    assert client.get("/cases/").status_code == 200
    [event] = events("accounts.second_factor_enrolled")
    assert event.actor == reviewer
    # Codes are kept only as keyed hashes.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.content.decode())
    assert not stored & set(codes)
    assert stored == {code_digest(code) for code in codes}


def test_a_wrong_code_is_refused_with_a_clear_message(client, reviewer):
    device = authenticator_for(reviewer)
    sign_in_with_password(client, "riley")
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/cases/")["Location"].startswith(VERIFY)
    assert events("auth.second_factor_failed")[-1].data["method"] == "totp"
    response = client.post(VERIFY, {"code": right, "next": "/cases/"})
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert events("auth.second_factor_verified")[-1].data["method"] == "totp"


def test_repeated_wrong_codes_are_slowed_down(client, settings, reviewer):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    device = authenticator_for(reviewer)
    sign_in_with_password(client, "riley")
    client.post(VERIFY, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 400
    assert "Too many wrong codes. Wait" in response.content.decode()


def test_a_code_is_taken_only_once(client, reviewer):
    device = authenticator_for(reviewer)
    code = totp_code(device)
    sign_in_with_password(client, "riley")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("logout"))
    sign_in_with_password(client, "riley")
    assert client.post(VERIFY, {"code": code}).status_code == 400


def test_a_recovery_code_works_once(client, reviewer):
    sign_in_with_password(client, "riley")
    codes = enrol(client, reviewer)
    client.post(reverse("logout"))

    sign_in_with_password(client, "riley")
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == DASHBOARD
    assert "You used a recovery code; 9 left" in response.content.decode()
    assert events("auth.second_factor_verified")[-1].data["recovery_codes_left"] == 9
    client.post(reverse("logout"))

    sign_in_with_password(client, "riley")
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, reviewer):
    sign_in_with_password(client, "riley")
    old = enrol(client, reviewer)
    response = client.post(reverse("second_factor_recovery_codes"))
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post(reverse("logout"))
    sign_in_with_password(client, "riley")
    assert client.post(VERIFY, {"code": old[0]}).status_code == 400
    assert client.post(VERIFY, {"code": new[0]}).status_code == 302
    assert len(events("accounts.recovery_codes_regenerated")) == 1


def test_next_never_leaves_the_site(client, reviewer):
    device = authenticator_for(reviewer)
    sign_in_with_password(client, "riley")
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


# ---------------------------------------------------------------- admin reset


def test_an_admin_reset_is_audited_and_forces_enrolment_again(client, reviewer, admin_user_role):
    device = authenticator_for(reviewer)
    password_only_login(client, reviewer)
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    assert client.get("/cases/").status_code == 200

    services.set_user_roles(admin_user_role, [roles.ADMIN])  # with admin site access
    admin_client = client_class()
    admin_client.force_login(admin_user_role)  # signed in fully (tests/conftest.py)
    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [reviewer.pk]},
        follow=True,
    )
    assert "Second factor reset for: riley" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    [event] = events("accounts.second_factor_reset")
    assert event.actor == admin_user_role
    assert event.data == {"username": "riley", "authenticator_apps": 1, "recovery_codes": 0}

    # The reviewer's session lost its verification: enrol again before anything else.
    assert client.get("/cases/")["Location"].startswith(ENROL)


def test_only_an_admin_may_reset_a_second_factor(reviewer, compliance):
    authenticator_for(reviewer)
    with pytest.raises(NotAllowed):
        services.reset_second_factor(compliance, reviewer)
    assert otp.has_authenticator(reviewer)


def test_the_reset_action_is_offered_to_admin_users_only(client, admin_user_role):
    services.set_user_roles(admin_user_role, [roles.ADMIN])
    client.force_login(admin_user_role)
    assert "reset_second_factor" in client.get("/admin/auth/user/").content.decode()
    staff = make_user("staffer", roles.COMPLIANCE)
    staff.is_staff = True
    staff.save()
    group = Group.objects.get(name=roles.COMPLIANCE)
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)
    page = client.get("/admin/auth/user/").content.decode()
    assert "reset_second_factor" not in page


# ---------------------------------------------------------------- the session API


def test_the_session_api_refuses_an_unverified_reviewer_with_403_json(client, reviewer):
    password_only_login(client, reviewer)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    authenticator_for(reviewer)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert "has not passed the second factor" in response.json()["detail"]


def test_the_session_api_serves_a_verified_reviewer_and_unenrolled_hr(client, reviewer, hr):
    client.force_login(reviewer)  # verified (tests/conftest.py)
    assert client.get("/api/v1/cases/").status_code == 200
    password_only_login(client, hr)
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_token_call_is_not_asked_for_a_second_factor(reviewer):
    from tests.api.conftest import token_client

    assert token_client(reviewer).get("/api/v1/cases/").status_code == 200


# ---------------------------------------------------------------- identity provider


class FakeRequest:
    def __init__(self, user):
        from django.contrib.sessions.backends.db import SessionStore

        self.user = user
        self.session = SessionStore()
        self.path = "/oidc/callback/"
        self.META = {"REMOTE_ADDR": "192.0.2.7"}


def test_the_idp_is_trusted_only_for_the_configured_amr_or_acr(settings, reviewer):
    settings.VETTING_OIDC_TRUSTED_AMR = ["mfa", "otp", "hwk"]
    settings.VETTING_OIDC_TRUSTED_ACR = ["urn:example:loa:2"]
    request = FakeRequest(reviewer)
    assert not otp.mark_verified_by_idp(request, {"amr": ["pwd"]})
    assert otp.pending_step(request) == otp.ENROL
    assert otp.mark_verified_by_idp(request, {"amr": ["pwd", "mfa"]})
    assert otp.pending_step(request) is None
    assert otp.is_verified(request)
    [event] = events("auth.second_factor_verified")
    assert event.data["method"] == "idp" and event.data["amr"] == ["mfa", "pwd"]
    assert otp.mark_verified_by_idp(FakeRequest(reviewer), {"acr": "urn:example:loa:2"})
    assert not otp.mark_verified_by_idp(FakeRequest(reviewer), {"acr": "urn:example:loa:1"})
    assert not otp.mark_verified_by_idp(FakeRequest(reviewer), {"amr": "pwd"})
    assert not otp.mark_verified_by_idp(FakeRequest(reviewer), {"amr": [{"mfa": 1}]})
    assert not otp.mark_verified_by_idp(FakeRequest(reviewer), None)


def test_without_configuration_the_idp_is_never_trusted(settings, reviewer):
    settings.VETTING_OIDC_TRUSTED_AMR = []
    settings.VETTING_OIDC_TRUSTED_ACR = []
    request = FakeRequest(reviewer)
    assert not otp.mark_verified_by_idp(request, {"amr": ["mfa"], "acr": "anything"})
    assert otp.pending_step(request) == otp.ENROL
    assert events("auth.second_factor_not_shown_by_idp")


def test_a_later_idp_sign_in_without_mfa_takes_the_mark_away(settings, reviewer):
    settings.VETTING_OIDC_TRUSTED_AMR = ["mfa"]
    request = FakeRequest(reviewer)
    otp.mark_verified_by_idp(request, {"amr": ["mfa"]})
    otp.mark_verified_by_idp(request, {"amr": ["pwd"]})
    assert not otp.is_verified(request)


def test_the_idp_mark_belongs_to_the_user_it_was_given_for(settings, reviewer, reviewer2):
    settings.VETTING_OIDC_TRUSTED_AMR = ["mfa"]
    request = FakeRequest(reviewer)
    otp.mark_verified_by_idp(request, {"amr": ["mfa"]})
    request.user = reviewer2
    assert not otp.is_verified(request)


def test_an_idp_verified_session_reaches_pages_and_the_session_api(client, settings, reviewer):
    settings.VETTING_OIDC_TRUSTED_AMR = ["mfa"]
    password_only_login(client, reviewer)
    session = client.session
    session[otp.IDP_SESSION_KEY] = {"user": reviewer.pk, "amr": ["mfa"], "acr": []}
    session.save()
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


# ---------------------------------------------------------------- demo users


def test_demo_users_of_required_roles_get_an_authenticator_key_kept_across_runs(db, capsys):
    call_command("create_demo_users")
    out = capsys.readouterr().out
    keys = dict(re.findall(r"^\s+(\w+)\s+key: ([A-Z2-7]+)$", out, re.MULTILINE))
    assert set(keys) == {"reviewer", "reviewer2", "compliance", "admin"}
    call_command("create_demo_users")
    again = dict(re.findall(r"^\s+(\w+)\s+key: ([A-Z2-7]+)$", capsys.readouterr().out, re.M))
    assert again == keys


def test_demo_totp_prints_the_current_code_in_development_only(db, settings, capsys):
    from django.contrib.auth.models import User
    from django.core.management.base import CommandError

    call_command("create_demo_users")
    device = otp.authenticator(User.objects.get(username="reviewer"))
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only in development"):
        call_command("demo_totp", "reviewer")
    settings.DEBUG = True
    capsys.readouterr()
    before = time.time()
    call_command("demo_totp", "reviewer")
    shown = capsys.readouterr().out.split()[0]
    assert shown in {totp_code(device, before), totp_code(device)}


def client_class():
    from django.test import Client

    return Client()
