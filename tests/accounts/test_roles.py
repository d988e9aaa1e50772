import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from accounts import roles
from accounts.services import DEMO_PASSWORD, set_user_roles, sync_roles

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_four_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_sync_is_idempotent_and_gives_compliance_catalogue_rights():
    sync_roles()
    sync_roles()
    compliance = Group.objects.get(name=roles.COMPLIANCE)
    codenames = set(compliance.permissions.values_list("codename", flat=True))
    assert {"view_catalogversion", "change_catalogversion", "view_case"} <= codenames
    assert not Group.objects.get(name=roles.HR).permissions.exists()


def test_demo_users_are_created_with_printed_credentials(capsys):
    call_command("create_demo_users")
    call_command("create_demo_users")  # again: no error, same users
    out = capsys.readouterr().out
    for username in ("hr", "reviewer", "compliance", "admin"):
        assert username in out
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert username.rstrip("2") in roles.user_roles(user)
    assert DEMO_PASSWORD in out
    assert User.objects.filter(username__in=["hr", "hr2"]).count() == 2


def test_roles_of_inactive_or_anonymous_users_are_empty():
    from django.contrib.auth.models import AnonymousUser

    assert roles.user_roles(AnonymousUser()) == frozenset()
    user = User.objects.create_user("gone", password="x", is_active=False)
    set_user_roles(user, [roles.HR])
    assert roles.user_roles(User.objects.get(pk=user.pk)) == frozenset()


def test_unknown_role_is_refused():
    user = User.objects.create_user("u", password="x")
    with pytest.raises(ValueError, match="Unknown role"):
        set_user_roles(user, ["superhero"])
