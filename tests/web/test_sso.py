"""Single sign-on against a real OpenID Provider started on localhost for these tests
(panva/oidc-provider under Node.js, tests/accounts/oidc_provider/): sign-in, the role mapping,
a user without a role, a deactivated user, a wrong issuer or audience, sign-out at the IdP, and
switching local passwords off."""

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.contrib.auth.models import User
from django.urls import reverse

from accounts import roles, sso
from accounts.models import ExternalIdentity
from audit.models import AuditEvent
from tests.helpers import make_user

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "vetting", "test-only-client-secret-0123456789"
ACCOUNTS = {
    "alice": {"preferred_username": "alice", "email": "alice@example.com",
              "given_name": "Alice", "family_name": "Ahn", "groups": ["vetting-reviewers"]},
    "bob": {"preferred_username": "bob", "email": "bob@example.com", "groups": ["sales"]},
    "carol": {"preferred_username": "carol", "email": "carol@example.com",
              "groups": ["vetting-hr"]},
    "dave": {"preferred_username": "dave", "email": "dave@example.com", "groups": ["vetting-hr"]},
    "erin": {"preferred_username": "erin", "email": "erin@example.com",
             "groups": ["vetting-reviewers"], "amr": ["pwd", "otp"]},
}  # fmt: skip

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The OpenID Provider, with vetting (at the live server) registered as a client."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=PROVIDER_DIR,
            check=True,
            timeout=300,
        )
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    config_path = tmp_path_factory.mktemp("idp") / "config.json"
    config = {
        "issuer": issuer,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{live_server.url}/accounts/sso/callback/"],
                "post_logout_redirect_uris": [f"{live_server.url}/accounts/login/"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }
        ],
        "accounts": ACCOUNTS,
    }
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [node, "server.mjs", str(port), str(config_path)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(issuer + sso.DISCOVERY_PATH, timeout=1).raise_for_status()
            break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the OpenID Provider did not start: " + process.stdout.read())
    yield {"issuer": issuer, "config_path": config_path, "config": config}
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso_settings(settings, provider, catalog):
    settings.VETTING_OIDC = {
        **settings.VETTING_OIDC,
        "issuer": provider["issuer"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "name": "Example IdP",
    }
    sso._discovered.clear()
    return settings


def _form(response) -> tuple[str, dict]:
    """The first form of an IdP page: its absolute action and hidden fields."""
    body = response.text[response.text.find("<body") :]
    action = re.search(r'<form[^>]*action="([^"]+)"', body).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    return urljoin(response.url, action), hidden


def _follow(browser, response, until: str = ""):
    """Follow redirects by hand (so each hop's cookies land in the session) until `until`."""
    while response.status_code in (301, 302, 303) and not (
        until and response.headers["location"].startswith(until)
    ):
        response = browser.get(urljoin(response.url, response.headers["location"]),
                               allow_redirects=False)  # fmt: skip
    return response


def idp_sign_in(base: str, login: str, browser=None):
    """Sign in at vetting through the IdP's pages as `login`, like a browser: returns the
    session and vetting's last response."""
    browser = browser or requests.Session()
    response = _follow(browser, browser.get(f"{base}/accounts/sso/start/", allow_redirects=False))
    if "/interaction/" in response.url:
        action, hidden = _form(response)
        if hidden.get("prompt") == "login":
            response = _follow(
                browser,
                browser.post(
                    action,
                    data={**hidden, "login": login, "password": "any"},
                    allow_redirects=False,
                ),  # fmt: skip
            )
        if "/interaction/" in response.url:  # consent
            action, hidden = _form(response)
            response = _follow(browser, browser.post(action, data=hidden, allow_redirects=False))
    return browser, response


def _messages(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def _set_groups(provider, login: str, groups: list[str]) -> None:
    config = json.loads(provider["config_path"].read_text())
    config["accounts"][login]["groups"] = groups
    provider["config_path"].write_text(json.dumps(config))


def test_sign_in_creates_the_user_with_the_mapped_role(live_server, sso_settings, provider):
    page = requests.get(f"{live_server.url}/accounts/login/", timeout=10)
    assert "Sign in with Example IdP" in page.text

    browser, response = idp_sign_in(live_server.url, "alice")

    # A reviewer whose IdP showed no trusted second factor must still set up vetting's own.
    assert response.status_code == 200
    assert response.url.startswith(f"{live_server.url}/accounts/two-factor/enrol/")
    user = User.objects.get(username="alice")
    assert roles.user_roles(user) == {roles.REVIEWER}
    assert (user.email, user.first_name, user.last_name) == ("alice@example.com", "Alice", "Ahn")
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get(user=user)
    assert (link.issuer, link.subject) == (provider["issuer"], "alice")
    assert AuditEvent.objects.filter(action="auth.signed_in", actor=user).exists()
    assert browser.get(f"{live_server.url}/api/v1/auth/me/").status_code == 403  # not yet


def test_a_role_changed_at_the_idp_applies_at_the_next_sign_in_and_is_audited(
    live_server, sso_settings, provider
):
    idp_sign_in(live_server.url, "carol")
    assert roles.user_roles(User.objects.get(username="carol")) == {roles.HR}

    _set_groups(provider, "carol", ["vetting-compliance"])
    try:
        idp_sign_in(live_server.url, "carol")
    finally:
        _set_groups(provider, "carol", ["vetting-hr"])

    carol = User.objects.get(username="carol")
    assert roles.user_roles(carol) == {roles.COMPLIANCE}
    change = AuditEvent.objects.filter(action="accounts.roles_changed", object_id=str(carol.pk))
    assert "hr → compliance" in change.latest("at").summary
    assert ExternalIdentity.objects.filter(user=carol).count() == 1


def test_a_user_without_a_mapped_group_is_refused_and_nothing_is_created(
    live_server, sso_settings, provider
):
    _browser, response = idp_sign_in(live_server.url, "bob")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert "Your identity provider gives you no vetting role." in _messages(response)
    assert not User.objects.filter(username="bob").exists()
    assert AuditEvent.objects.filter(action="auth.sso_refused", data__reason="no mapped role")


def test_a_deactivated_user_is_refused(live_server, sso_settings, provider):
    idp_sign_in(live_server.url, "dave")
    User.objects.filter(username="dave").update(is_active=False)

    browser, response = idp_sign_in(live_server.url, "dave")

    assert "Your vetting account is deactivated." in _messages(response)
    assert browser.get(f"{live_server.url}/api/v1/auth/me/").status_code in (401, 403)


def test_an_existing_local_account_is_never_taken_over_by_an_idp_username(
    live_server, sso_settings, provider
):
    make_user("alice", roles.ADMIN)

    _browser, response = idp_sign_in(live_server.url, "alice")

    assert "A vetting account named alice already exists" in _messages(response)
    assert not ExternalIdentity.objects.exists()


def test_an_answer_from_another_issuer_is_refused(live_server, sso_settings, provider):
    document = requests.get(provider["issuer"] + sso.DISCOVERY_PATH, timeout=10).json()
    sso_settings.VETTING_OIDC = {
        **sso_settings.VETTING_OIDC,
        "issuer": "https://idp.example.org",  # what vetting expects; the tokens say otherwise
        **{k: document[k] for k in ("authorization_endpoint", "token_endpoint",
                                    "userinfo_endpoint", "jwks_uri")},
    }  # fmt: skip

    _browser, response = idp_sign_in(live_server.url, "alice")

    assert "unexpected issuer" in _messages(response)
    assert not User.objects.filter(username="alice").exists()


def test_an_id_token_meant_for_another_application_is_refused(
    live_server, sso_settings, provider, rf
):
    """A real ID token of the provider, issued to vetting, checked as if vetting were another
    client: the audience check refuses it."""
    sso_settings.OIDC_USE_PKCE = False  # so that this test can exchange the code itself
    browser = requests.Session()
    start = browser.get(f"{live_server.url}/accounts/sso/start/", allow_redirects=False)
    nonce = parse_qs(urlparse(start.headers["location"]).query)["nonce"][0]
    response = _follow(browser, start)
    action, hidden = _form(response)
    response = _follow(
        browser,
        browser.post(
            action, data={**hidden, "login": "alice", "password": "x"}, allow_redirects=False
        ),  # fmt: skip
    )
    action, hidden = _form(response)
    callback = _follow(
        browser,
        browser.post(action, data=hidden, allow_redirects=False),
        until=live_server.url,
    )
    code = parse_qs(urlparse(callback.headers["location"]).query)["code"][0]
    tokens = requests.post(
        sso.endpoints().token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"{live_server.url}/accounts/sso/callback/",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=10,
    )
    id_token = tokens.json().get("id_token")
    assert id_token, tokens.text
    sso_settings.VETTING_OIDC = {**sso_settings.VETTING_OIDC, "client_id": "another-app"}
    backend = sso.VettingOIDCBackend()
    backend.request = rf.get("/accounts/sso/callback/")

    with pytest.raises(sso.SignInRefused, match="meant for another application"):
        backend.verify_token(id_token, nonce=nonce)


def test_signing_out_ends_the_session_at_the_idp_too(live_server, sso_settings, provider):
    browser, _response = idp_sign_in(live_server.url, "alice")
    page = browser.get(f"{live_server.url}/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    out = browser.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/"},
        allow_redirects=False,
    )

    end_session = sso.endpoints().end_session_endpoint
    assert out.headers["location"].startswith(end_session + "?")
    assert "id_token_hint=" in out.headers["location"]
    confirm = _follow(browser, out)
    action, hidden = _form(confirm)  # the IdP asks to confirm signing out
    back = _follow(
        browser,
        browser.post(action, data={**hidden, "logout": "yes"}, allow_redirects=False),
        until=live_server.url,
    )
    assert back.headers["location"].startswith(f"{live_server.url}/accounts/login/")
    assert browser.get(f"{live_server.url}/api/v1/auth/me/").status_code in (401, 403)
    # The IdP's own session is over too: signing in again asks for the password.
    again = _follow(browser, browser.get(f"{live_server.url}/accounts/sso/start/",
                                         allow_redirects=False))  # fmt: skip
    assert _form(again)[1].get("prompt") == "login"


def test_a_trusted_multi_factor_sign_in_at_the_idp_counts_as_the_second_factor(
    live_server, sso_settings, provider
):
    sso_settings.VETTING_OIDC_TRUSTED_AMR = ["otp", "mfa"]

    browser, response = idp_sign_in(live_server.url, "erin")

    assert response.url == f"{live_server.url}/"  # no enrolment asked for
    me = browser.get(f"{live_server.url}/api/v1/auth/me/")
    assert me.json()["roles"] == ["reviewer"]


def test_the_idp_authentication_methods_are_kept_for_the_second_factor_check(
    live_server, sso_settings, provider
):
    browser, _response = idp_sign_in(live_server.url, "erin")

    from django.contrib.sessions.models import Session

    stored = [s.get_decoded() for s in Session.objects.all()]
    erin = str(User.objects.get(username="erin").pk)
    session = next(s for s in stored if s.get("_auth_user_id") == erin)
    assert session[sso.SESSION_AMR] == ["pwd", "otp"]


# ---------------------------------------------------------------- without an IdP


def test_without_configuration_there_is_no_sso_button_and_no_sso_route(client, settings):
    settings.VETTING_OIDC = {**settings.VETTING_OIDC, "issuer": "", "client_id": ""}

    page = client.get(reverse("login"))

    assert "Sign in with" not in page.content.decode()
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback")).status_code == 404


def test_switched_off_passwords_sign_in_nobody_at_any_door(client, settings, catalog):
    make_user("hana", roles.HR)
    settings.VETTING_LOCAL_PASSWORDS = False

    page = client.post(reverse("login"), {"username": "hana", "password": "pw-hana"}, follow=True)
    assert "Passwords are switched off here: use single sign-on." in page.content.decode()
    assert "_auth_user_id" not in client.session
    token = client.post(
        reverse("api-token"), {"username": "hana", "password": "pw-hana"},
        content_type="application/json",
    )  # fmt: skip
    assert token.status_code == 400
    admin = client.post(reverse("admin:login"), {"username": "hana", "password": "pw-hana"})
    assert "_auth_user_id" not in client.session and admin.status_code == 200


def test_an_unreachable_provider_gives_a_clear_message(client, settings, catalog):
    settings.VETTING_OIDC = {
        **settings.VETTING_OIDC,
        "issuer": f"http://127.0.0.1:{_free_port()}",  # nothing listens there
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    sso._discovered.clear()

    response = client.get(reverse("sso_start"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    assert "The identity provider could not be reached." in response.content.decode()


def test_a_refusal_reads_in_the_audit_trail(live_server, sso_settings, provider):
    from audit.summaries import describe_event

    idp_sign_in(live_server.url, "bob")

    event = AuditEvent.objects.get(action="auth.sso_refused")
    assert describe_event(event) == "Single sign-on refused for bob: no mapped role"
