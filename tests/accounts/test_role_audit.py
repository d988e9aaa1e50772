"""Role changes are in the audit log with the roles before and after and who made them, from the
admin's change form, the roles service and the shell alike."""

import pytest
from django.contrib.auth.models import Group, User

from accounts import roles
from accounts.services import set_user_roles
from audit.models import AuditEvent
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def role_events(user):
    return list(
        AuditEvent.objects.filter(action="accounts.roles_changed", object_id=str(user.pk)).order_by(
            "id"
        )
    )


@pytest.fixture
def superadmin(db):
    return User.objects.create_superuser("root", "root@example.org", "pw-root")


def change_form_data(response) -> dict:
    """What the admin's user change form would post back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name in ("last_login", "date_joined"):
            when = form.initial.get(name)
            data[f"{name}_0"] = when.strftime("%Y-%m-%d") if when else ""
            data[f"{name}_1"] = when.strftime("%H:%M:%S") if when else ""
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None and name != "password":
            data[name] = value
    return data


def test_adding_a_user_to_the_reviewer_group_in_the_admin_is_recorded_once(client, superadmin):
    user = make_user("bob", roles.HR)
    client.force_login(superadmin)
    url = f"/admin/auth/user/{user.pk}/change/"
    data = change_form_data(client.get(url))
    data["groups"] = [*data["groups"], Group.objects.get(name=roles.REVIEWER).pk]
    before = len(role_events(user))

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(user.groups.values_list("name", flat=True)) == {roles.HR, roles.REVIEWER}
    events = role_events(user)
    assert len(events) == before + 1
    event = events[-1]
    assert event.actor == superadmin
    assert event.data["username"] == "bob"
    assert event.data["before"]["groups"] == ["hr"]
    assert event.data["after"]["groups"] == ["hr", "reviewer"]
    assert "hr → hr, reviewer" in event.summary


def test_changing_groups_and_flags_in_one_admin_save_is_one_event(client, superadmin):
    user = make_user("bob", roles.HR)
    client.force_login(superadmin)
    url = f"/admin/auth/user/{user.pk}/change/"
    data = change_form_data(client.get(url))
    data["groups"] = [Group.objects.get(name=roles.COMPLIANCE).pk]
    data["is_staff"] = "on"
    before = len(role_events(user))

    assert client.post(url, data).status_code == 302

    (event,) = role_events(user)[before:]
    assert event.data["before"] == {
        "groups": ["hr"],
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }
    assert event.data["after"] == {
        "groups": ["compliance"],
        "is_active": True,
        "is_staff": True,
        "is_superuser": False,
    }


def test_saving_the_admin_form_unchanged_records_nothing(client, superadmin):
    user = make_user("bob", roles.HR)
    client.force_login(superadmin)
    url = f"/admin/auth/user/{user.pk}/change/"
    before = len(role_events(user))

    assert client.post(url, change_form_data(client.get(url))).status_code == 302

    assert len(role_events(user)) == before


def test_the_roles_service_records_one_change_with_its_actor(superadmin):
    user = make_user("bob", roles.HR)
    before = len(role_events(user))

    set_user_roles(user, [roles.REVIEWER, roles.COMPLIANCE], actor=superadmin)

    (event,) = role_events(user)[before:]
    assert event.actor == superadmin
    assert event.data["before"]["groups"] == ["hr"]
    assert event.data["after"]["groups"] == ["compliance", "reviewer"]
    assert event.data["after"]["is_staff"] is True


def test_changes_from_the_shell_are_recorded_as_the_system():
    user = make_user("bob")
    reviewers = Group.objects.get(name=roles.REVIEWER)
    before = len(role_events(user))

    user.groups.add(reviewers)
    reviewers.user_set.remove(user)
    user.is_active = False
    user.save()

    added, removed, deactivated = role_events(user)[before:]
    assert added.actor_username == "system"
    assert (added.data["before"]["groups"], added.data["after"]["groups"]) == ([], ["reviewer"])
    assert removed.data["after"]["groups"] == []
    assert (deactivated.data["before"]["is_active"], deactivated.data["after"]["is_active"]) == (
        True,
        False,
    )


def test_a_new_superuser_is_a_role_change_but_a_plain_new_user_is_not(superadmin):
    plain = User.objects.create_user("plain", password="pw-plain")

    assert role_events(plain) == []
    (event,) = role_events(superadmin)
    assert event.data["after"]["is_superuser"] is True


def test_signing_in_records_no_role_change(client):
    user = make_user("bob", roles.HR)
    before = len(role_events(user))

    client.post("/accounts/login/", {"username": "bob", "password": "pw-bob"})

    assert len(role_events(user)) == before
