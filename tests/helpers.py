"""Builders for test state, shared by every test package (fixtures live in conftest.py)."""

from django.contrib.auth.models import Group, User

from accounts.services import sync_roles


def make_user(username: str, *role_names: str) -> User:
    """An active user with the given roles and the password `pw-<username>`."""
    sync_roles()
    user = User.objects.create_user(
        username=username, password="pw-" + username, first_name=username.title()
    )
    user.groups.set(Group.objects.filter(name__in=role_names))
    return user
