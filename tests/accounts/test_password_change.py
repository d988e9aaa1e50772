"""A new password (chosen by the user or set by an admin) ends the user's other sessions, keeps
the session that changed it, is audited, and sends `accounts.signals.password_changed` once."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.test import Client

from accounts import roles, services
from accounts.signals import password_changed
from audit.models import AuditEvent
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

NEW = "violet-anchor-mosaic-41"


@pytest.fixture
def sent():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    password_changed.connect(receiver, dispatch_uid="test-password-changed")
    yield calls
    password_changed.disconnect(dispatch_uid="test-password-changed")


def signed_in(username: str, password: str, address: str = "192.0.2.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_changing_the_password_signs_out_the_other_sessions_but_not_this_one(hr, sent):
    here = signed_in("hana", "pw-hana")
    elsewhere = signed_in("hana", "pw-hana", "192.0.2.2")

    response = here.post(
        "/accounts/password/",
        {"old_password": "pw-hana", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302  # to the sign-in page
    assert elsewhere.get("/api/v1/auth/me/").status_code == 401
    assert [(c["user"], c["actor"]) for c in sent] == [(hr, hr)]
    (event,) = AuditEvent.objects.filter(action="accounts.password_changed")
    assert event.actor == hr and event.data == {"username": "hana", "by": "self"}
    assert event.object_id == str(hr.pk)


def test_an_admin_resetting_a_password_signs_out_every_session_of_the_user(hr, sent):
    admin = make_user("alex", roles.ADMIN)
    services.set_user_roles(admin, [roles.ADMIN])
    users_browser = signed_in("hana", "pw-hana")
    admin_browser = Client()
    admin_browser.force_login(admin)

    response = admin_browser.post(
        f"/admin/auth/user/{hr.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )

    assert response.status_code == 302, response.context["form"].errors
    assert users_browser.get("/").status_code == 302
    assert admin_browser.get("/admin/").status_code == 200
    assert [(c["user"], c["actor"]) for c in sent] == [(hr, admin)]
    (event,) = AuditEvent.objects.filter(action="accounts.password_changed")
    assert event.actor == admin and event.data["by"] == "admin"


def test_the_admin_refuses_a_weak_password_too(hr):
    admin = User.objects.create_superuser("root", "root@example.org", "pw-root")
    browser = Client()
    browser.force_login(admin)

    response = browser.post(
        f"/admin/auth/user/{hr.pk}/password/",
        {"password1": "hr2hr2hr2hr2", "password2": "hr2hr2hr2hr2", "usable_password": "true"},
    )

    assert response.status_code == 200
    hr.refresh_from_db()
    assert hr.check_password("pw-hana")


def test_a_password_set_in_a_service_or_the_shell_is_recorded_as_by_the_system(hr, sent):
    hr.set_password(NEW)
    hr.save()

    assert [(c["user"], c["actor"]) for c in sent] == [(hr, None)]
    (event,) = AuditEvent.objects.filter(action="accounts.password_changed")
    assert event.actor is None and event.data["by"] == "system"


def test_creating_a_user_or_saving_other_fields_sends_nothing(db, sent):
    user = make_user("newbie")
    user.first_name = "New"
    user.save()

    assert sent == []
    assert not AuditEvent.objects.filter(action="accounts.password_changed").exists()


def test_re_hashing_an_unchanged_password_at_sign_in_sends_nothing(db, settings, sent):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    user = make_user("old")
    User.objects.filter(pk=user.pk).update(password=make_password("pw-old", hasher="pbkdf2_sha1"))

    signed_in("old", "pw-old")

    assert User.objects.get(pk=user.pk).password.startswith("md5$")  # it was re-hashed
    assert sent == []


def test_password_lockout_and_unlock_events_read_in_korean(client, hr):
    from django.utils import translation

    from audit.summaries import describe_event

    admin = make_user("alex", roles.ADMIN)
    for _ in range(5):
        client.post("/accounts/login/", {"username": "hana", "password": "wrong-password"})
    services.unlock_sign_in(hr, actor=admin)
    hr.set_password(NEW)
    hr.save()

    with translation.override("ko"):
        texts = {
            e.action: describe_event(e)
            for e in AuditEvent.objects.filter(
                action__in=["auth.locked_out", "auth.unlocked", "accounts.password_changed"]
            )
        }
    assert texts == {
        "auth.locked_out": "hana(으)로 로그인이 반복해서 실패하여 잠김(웹)",
        "auth.unlocked": "alex이(가) hana의 로그인 잠금 해제",
        "accounts.password_changed": "시스템이 hana의 비밀번호 설정",
    }
