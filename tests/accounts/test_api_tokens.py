"""API tokens: only a hash is stored, they expire, their owner lists and revokes them, and a
password change revokes them all, whichever door the password is changed through."""

import hashlib
import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import create_api_token, revoke_all_tokens
from audit.models import AuditEvent
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def obtain(username: str, password: str | None = None, **extra) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password or f"pw-{username}", **extra},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def call_with(key: str, url: str = "/api/v1/auth/me/", method: str = "get"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return getattr(client, method)(url)


def works(key: str) -> bool:
    response = call_with(key)
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


# ---------------------------------------------------------------- storage and the endpoint


def test_the_token_endpoint_returns_a_key_that_authenticates_and_is_stored_only_as_a_hash(hr):
    body = obtain("hana", name="nightly export")

    key = body["token"]
    assert call_with(key).json()["username"] == "hana"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.name == "nightly export"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list().get(pk=token.pk)]
    assert not any(key in value for value in stored)
    assert len(key) >= 40 and token.prefix == key[:8]


def test_each_sign_in_gives_a_new_key_and_the_list_never_shows_one(hr):
    first, second = obtain("hana")["token"], obtain("hana")["token"]

    assert first != second
    listed = call_with(first, "/api/v1/auth/tokens/")
    assert listed.status_code == 200
    text = listed.content.decode()
    assert first not in text and second not in text
    assert [t["prefix"] for t in listed.json()] == [second[:8], first[:8]]
    assert all(t["active"] for t in listed.json())


def test_rest_framework_authtoken_is_gone():
    assert "rest_framework.authtoken" not in django_settings.INSTALLED_APPS
    assert not any(
        "authtoken" in name
        for name in django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    )


# ---------------------------------------------------------------- expiry


def test_a_new_token_lasts_vetting_token_days(hr, settings):
    settings.VETTING_TOKEN_DAYS = 7
    before = timezone.now()

    token, _key = create_api_token(hr, name="script")

    assert before + timedelta(days=7) <= token.expires_at <= timezone.now() + timedelta(days=7)


def test_an_expired_token_is_refused_with_a_clear_message_and_the_use_is_audited(hr):
    token, key = create_api_token(hr, name="old script")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = call_with(key)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "expired" in response.json()["detail"]
    assert "/api/v1/auth/token/" in response.json()["detail"]
    event = AuditEvent.objects.get(action="auth.token_refused")
    assert event.object_id == str(token.pk)
    assert event.data["why"] == "expired" and event.data["username"] == "hana"


def test_a_token_of_a_deactivated_user_is_refused(hr):
    _token, key = create_api_token(hr, name="script")
    hr.is_active = False
    hr.save()

    assert not works(key)


def test_an_unknown_key_is_refused():
    assert call_with("not-a-real-token").status_code == 401


def test_token_use_is_remembered(hr):
    token, key = create_api_token(hr, name="script")

    assert works(key)

    token.refresh_from_db()
    assert token.last_used_at is not None


# ---------------------------------------------------------------- listing and revoking


def test_the_owner_revokes_one_token_and_only_it_stops_working(hr):
    keep, keep_key = create_api_token(hr, name="keep")
    drop, drop_key = create_api_token(hr, name="drop")

    response = call_with(keep_key, f"/api/v1/auth/tokens/{drop.pk}/", "delete")

    assert response.status_code == 204
    assert works(keep_key)
    refused = call_with(drop_key)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    event = AuditEvent.objects.get(action="auth.token_revoked")
    assert (event.actor, event.object_id, event.data["name"]) == (hr, str(drop.pk), "drop")
    assert AuditEvent.objects.filter(action="auth.token_refused", data__why="revoked").exists()


def test_no_one_lists_or_revokes_another_users_token(hr, reviewer):
    theirs, their_key = create_api_token(reviewer, name="reviewer's")
    _mine, my_key = create_api_token(hr, name="mine")

    assert call_with(my_key, f"/api/v1/auth/tokens/{theirs.pk}/", "delete").status_code == 404
    assert [t["name"] for t in call_with(my_key, "/api/v1/auth/tokens/").json()] == ["mine"]
    assert works(their_key)


def test_delete_on_the_token_endpoint_revokes_the_token_it_is_sent_with(hr):
    _a, key_a = create_api_token(hr, name="a")
    _b, key_b = create_api_token(hr, name="b")

    assert call_with(key_a, "/api/v1/auth/token/", "delete").status_code == 204

    assert not works(key_a)
    assert works(key_b)


def test_creating_a_token_is_audited_without_its_key(hr):
    token, key = create_api_token(hr, name="script")

    event = AuditEvent.objects.get(action="auth.token_issued")
    assert (event.actor, event.object_id, event.data["prefix"]) == (hr, str(token.pk), key[:8])
    assert key not in str(event.data) and key not in event.summary


# ---------------------------------------------------------------- the page


def test_the_tokens_page_shows_a_new_key_once_and_revokes(client, hr):
    client.force_login(hr)

    created = client.post("/accounts/tokens/", {"name": "laptop script"})

    assert created.status_code == 200
    key = created.context["new_key"]
    assert key in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert works(key)
    listing = client.get("/accounts/tokens/")
    assert key not in listing.content.decode()
    assert "laptop script" in listing.content.decode()
    token = ApiToken.objects.get(user=hr)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert not works(key)


def test_the_tokens_page_needs_a_name(client, hr):
    client.force_login(hr)

    response = client.post("/accounts/tokens/", {"name": ""})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_tokens_page_will_not_revoke_another_users_token(client, hr, reviewer):
    theirs, their_key = create_api_token(reviewer, name="reviewer's")
    client.force_login(hr)

    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert works(their_key)


# ---------------------------------------------------------------- password changes


def test_revoke_all_tokens_revokes_every_active_token_once(hr):
    _a, key_a = create_api_token(hr, name="a")
    _b, key_b = create_api_token(hr, name="b")

    assert revoke_all_tokens(hr, "suspected theft") == 2
    assert revoke_all_tokens(hr, "again") == 0

    assert not works(key_a) and not works(key_b)
    (event,) = AuditEvent.objects.filter(action="auth.tokens_revoked")
    assert event.data == {"username": "hana", "count": 2, "reason": "suspected theft"}


def test_the_password_change_page_revokes_the_users_tokens(client, hr, reviewer):
    _mine, key = create_api_token(hr, name="mine")
    _theirs, other_key = create_api_token(reviewer, name="theirs")
    client.force_login(hr)

    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-hana",
            "new_password1": "a-new-Passphrase-2026",
            "new_password2": "a-new-Passphrase-2026",
        },
    )

    assert response.status_code == 302
    assert not works(key)
    assert works(other_key)
    event = AuditEvent.objects.get(action="auth.tokens_revoked")
    assert event.actor == hr and event.data["reason"] == "password changed"


def test_a_password_reset_revokes_the_users_tokens(hr):
    _token, key = create_api_token(hr, name="mine")
    form = SetPasswordForm(
        hr, {"new_password1": "a-new-Passphrase-2026", "new_password2": "a-new-Passphrase-2026"}
    )
    assert form.is_valid(), form.errors

    form.save()

    assert not works(key)


def test_manage_py_changepassword_revokes_the_users_tokens(hr):
    _token, key = create_api_token(hr, name="mine")

    with mock.patch("getpass.getpass", return_value="a-new-Passphrase-2026"):
        call_command("changepassword", "hana", stdout=StringIO())

    assert not works(key)
    assert AuditEvent.objects.get(action="auth.tokens_revoked").actor is None


def test_a_password_set_in_the_shell_or_made_unusable_revokes_the_tokens(hr):
    _a, key_a = create_api_token(hr, name="a")
    hr.set_password("another-Passphrase-2026")
    hr.save()
    assert not works(key_a)

    _b, key_b = create_api_token(hr, name="b")
    hr.set_unusable_password()
    hr.save()
    assert not works(key_b)


def test_the_admin_password_page_revokes_the_users_tokens(client, hr):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root")
    _token, key = create_api_token(hr, name="mine")
    client.force_login(root)

    response = client.post(
        f"/admin/auth/user/{hr.pk}/password/",
        {"password1": "a-new-Passphrase-2026", "password2": "a-new-Passphrase-2026"},
    )

    assert response.status_code == 302
    assert not works(key)
    assert AuditEvent.objects.get(action="auth.tokens_revoked").actor == root


def test_other_saves_and_sign_ins_keep_the_tokens(client, hr, settings):
    _token, key = create_api_token(hr, name="mine")
    hr.first_name = "Hana"
    hr.save()
    client.post("/accounts/login/", {"username": "hana", "password": "pw-hana"})
    # A sign-in that re-hashes the same password with a newer hasher is not a change.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = User.objects.get(pk=hr.pk).password
    assert User.objects.get(pk=hr.pk).check_password("pw-hana")
    assert User.objects.get(pk=hr.pk).password != before

    assert works(key)
    assert not AuditEvent.objects.filter(action="auth.tokens_revoked").exists()


# ---------------------------------------------------------------- the old clear-text keys


def test_the_migration_drops_the_old_clear_text_keys(db):
    migration = importlib.import_module("accounts.migrations.0002_drop_clear_text_authtoken_keys")
    user = make_user("old-user")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id integer)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', "
            "'2026-01-01', %s)",
            [user.pk],
        )
    ContentType.objects.create(app_label="authtoken", model="token")

    # The schema editor's part the migration uses (SQLite's own refuses to open in a test's
    # transaction).
    editor = SimpleNamespace(
        connection=connection,
        quote_name=connection.ops.quote_name,
        execute=lambda sql: connection.cursor().execute(sql),
    )

    migration.drop_clear_text_keys(django_apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert call_with("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b").status_code == 401


def test_delete_on_the_token_endpoint_with_a_browser_session_revokes_all_the_users_tokens(
    client, hr
):
    _a, key_a = create_api_token(hr, name="a")
    _b, key_b = create_api_token(hr, name="b")
    client.force_login(hr)

    response = client.delete("/api/v1/auth/token/", HTTP_X_CSRFTOKEN="ignored-in-tests")

    assert response.status_code == 204
    assert not works(key_a) and not works(key_b)


def test_token_and_admin_events_read_in_english_and_korean(client, hr):
    from django.utils import translation

    from audit.summaries import describe_event

    token, key = create_api_token(hr, name="script")
    call_with(key, f"/api/v1/auth/tokens/{token.pk}/", "delete")
    call_with(key)
    create_api_token(hr, name="other")
    revoke_all_tokens(hr, "password changed")
    events = AuditEvent.objects.filter(action__startswith="auth.token")
    assert {e.action for e in events} == {
        "auth.token_issued",
        "auth.token_revoked",
        "auth.token_refused",
        "auth.tokens_revoked",
    }
    for language in ("en", "ko"):
        with translation.override(language):
            for event in events:
                text = describe_event(event)
                assert "hana" in text, (language, event.action)
                if language == "ko":
                    assert "토큰" in text, event.action
