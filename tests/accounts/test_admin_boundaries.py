"""The admin role manages users and roles in the Django admin but gains no power there: no
superuser, no single permissions, no changes to its own access or to a superuser's account, no
groups beyond the roles or its own permissions; no API keys to copy. Admin changes are audited."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from accounts import roles
from accounts.services import create_api_token, set_user_roles
from audit.models import AuditEvent
from tests.accounts.test_role_audit import change_form_data
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_role(db):
    user = make_user("alex", roles.ADMIN)
    set_user_roles(user, [roles.ADMIN])  # admin site access, as the admin pages give it
    return user


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.org", "pw-root")


def url(user, page="change"):
    return f"/admin/auth/user/{user.pk}/{page}/"


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_the_admin_role_sees_no_superuser_or_permission_inputs(client, admin_role):
    bob = make_user("bob", roles.HR)
    client.force_login(admin_role)

    response = client.get(url(bob))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    assert {"groups", "is_staff", "is_active"} <= set(form.fields)


def test_the_admin_role_cannot_make_anyone_superuser_or_grant_permissions(client, admin_role):
    bob = make_user("bob", roles.HR)
    client.force_login(admin_role)
    data = change_form_data(client.get(url(bob)))
    data["is_superuser"] = "on"
    data["user_permissions"] = [Permission.objects.get(codename="delete_user").pk]

    client.post(url(bob), data)

    assert not fresh(bob).is_superuser
    assert not fresh(bob).user_permissions.exists()


def test_the_admin_role_cannot_change_its_own_access(client, admin_role):
    client.force_login(admin_role)
    response = client.get(url(admin_role))
    form = response.context["adminform"].form
    assert not {"groups", "is_staff", "is_superuser", "is_active"} & set(form.fields)
    data = change_form_data(response)
    data.update(
        is_superuser="on",
        groups=[Group.objects.get(name=n).pk for n in (roles.ADMIN, roles.COMPLIANCE)],
        first_name="Alexandra",
    )

    assert client.post(url(admin_role), data).status_code == 302

    me = fresh(admin_role)
    assert me.first_name == "Alexandra"  # the rest of its own account stays editable
    assert not me.is_superuser
    assert set(me.groups.values_list("name", flat=True)) == {roles.ADMIN}


def test_the_admin_role_gives_and_takes_roles(client, admin_role):
    bob = make_user("bob", roles.HR)
    client.force_login(admin_role)
    data = change_form_data(client.get(url(bob)))
    data["groups"] = [Group.objects.get(name=roles.COMPLIANCE).pk]

    response = client.post(url(bob), data)

    assert response.status_code == 302
    assert set(fresh(bob).groups.values_list("name", flat=True)) == {roles.COMPLIANCE}
    event = AuditEvent.objects.filter(action="accounts.roles_changed").latest("id")
    assert event.actor == admin_role and event.data["after"]["groups"] == ["compliance"]


def test_the_admin_role_cannot_give_a_group_with_more_than_its_own_permissions(client, admin_role):
    powerful = Group.objects.create(name="user deleters")
    powerful.permissions.add(Permission.objects.get(codename="delete_user"))
    harmless = Group.objects.create(name="user viewers")
    harmless.permissions.add(Permission.objects.get(codename="view_user"))
    bob = make_user("bob", roles.HR)
    client.force_login(admin_role)
    data = change_form_data(client.get(url(bob)))

    refused = client.post(url(bob), {**data, "groups": [*data["groups"], powerful.pk]})
    allowed = client.post(url(bob), {**data, "groups": [*data["groups"], harmless.pk]})

    assert refused.status_code == 200
    assert "user deleters" in str(refused.context["adminform"].form.errors["groups"])
    assert allowed.status_code == 302
    assert set(fresh(bob).groups.values_list("name", flat=True)) == {roles.HR, "user viewers"}


def test_the_admin_role_cannot_touch_a_superusers_account(client, admin_role, root):
    client.force_login(admin_role)
    data = change_form_data(client.get(url(root)))  # it may still look
    data["email"] = "attacker@example.org"

    changed = client.post(url(root), data)
    password = client.post(
        url(root, "password"),
        {"password1": "taken-Over-2026-x", "password2": "taken-Over-2026-x"},
    )

    assert changed.status_code == 403
    assert password.status_code == 403
    assert fresh(root).email == "root@example.org"
    assert fresh(root).check_password("pw-root")


def test_a_superuser_still_grants_superuser(client, root):
    bob = make_user("bob", roles.HR)
    client.force_login(root)
    data = change_form_data(client.get(url(bob)))
    data["is_superuser"] = "on"

    assert client.post(url(bob), data).status_code == 302

    assert fresh(bob).is_superuser


def test_the_admin_shows_no_api_tokens_or_keys(client, admin_role, root, reviewer):
    _token, key = create_api_token(reviewer, name="reviewer's script")
    for user in (admin_role, root):
        client.force_login(user)
        index = client.get("/admin/").content.decode().lower()
        assert "authtoken" not in index and "api token" not in index
        assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
        assert client.get("/admin/accounts/apitoken/").status_code == 404
        assert key not in client.get(url(reviewer)).content.decode()


def test_the_admin_role_has_no_token_permissions(admin_role):
    assert not any("token" in perm for perm in admin_role.get_all_permissions())


def test_admin_changes_to_a_user_are_audited_with_who_and_what(client, admin_role):
    bob = make_user("bob", roles.HR)
    client.force_login(admin_role)
    data = change_form_data(client.get(url(bob)))
    data["email"] = "bob@example.org"

    assert client.post(url(bob), data).status_code == 302

    event = AuditEvent.objects.get(action="admin.user_changed")
    assert event.actor == admin_role
    assert event.object_id == str(bob.pk)
    # (The test's form data rounds the join time, so that counts as changed too.)
    assert "email" in event.data["fields"]
    # Role and access changes are accounts.roles_changed events, not repeated here.
    assert not {"groups", "is_staff", "is_active"} & set(event.data["fields"])


def test_a_password_set_in_the_admin_is_audited_and_revokes_the_tokens(client, admin_role):
    bob = make_user("bob", roles.HR)
    _token, key = create_api_token(bob, name="bob's script")
    client.force_login(admin_role)

    response = client.post(
        url(bob, "password"),
        {"password1": "new-Passphrase-2026", "password2": "new-Passphrase-2026"},
    )

    assert response.status_code == 302
    changed = AuditEvent.objects.get(action="admin.user_changed")
    assert (changed.actor, changed.data["fields"]) == (admin_role, ["password"])
    revoked = AuditEvent.objects.get(action="auth.tokens_revoked")
    assert revoked.actor == admin_role and revoked.data["username"] == "bob"


def test_adding_a_user_and_changing_a_group_in_the_admin_are_audited(client, admin_role, root):
    client.force_login(admin_role)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "carol",
            "usable_password": "true",
            "password1": "new-Passphrase-2026",
            "password2": "new-Passphrase-2026",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = AuditEvent.objects.get(action="admin.user_added")
    assert (added.actor, added.data["username"]) == (admin_role, "carol")

    client.force_login(root)
    group = Group.objects.create(name="auditors")
    perm = Permission.objects.get(codename="view_user")
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "auditors", "permissions": [perm.pk]}
    )
    assert response.status_code == 302
    changed = AuditEvent.objects.get(action="admin.group_changed")
    assert changed.actor == root
    assert changed.data["fields"] == ["permissions"]
    assert changed.data["permissions"] == ["auth.view_user"]


def test_the_revoke_tokens_action_revokes_and_is_audited(client, admin_role):
    bob = make_user("bob", roles.HR)
    create_api_token(bob, name="one")
    create_api_token(bob, name="two")
    client.force_login(admin_role)

    response = client.post(
        "/admin/auth/user/", {"action": "revoke_api_tokens", "_selected_action": [bob.pk]}
    )

    assert response.status_code == 302
    assert not bob.api_tokens.active().exists()
    event = AuditEvent.objects.get(action="auth.tokens_revoked")
    assert (event.actor, event.data["count"]) == (admin_role, 2)
