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


def open_cases(open_case, count: int, **facts) -> list:
    """`count` cases through the `open_case` fixture, each with its own email and phone."""
    return [
        open_case(emails=[f"c{i}@example.com"], phones=[f"+1 555 010 {i:04d}"], **facts)
        for i in range(count)
    ]


def submit_all(cases, reviewer) -> None:
    """Put the cases straight into the review queue (the workflow itself is tested elsewhere)."""
    from django.utils import timezone

    from cases.models import Case

    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        status="submitted", submitted_at=timezone.now(), reviewer=reviewer, risk_level="low"
    )


def new_case_form(**facts) -> dict:
    """What the "Open a case" page posts: the required facts, no profile or history rows."""
    return {
        "legal_name": "Jane Roe",
        "role_applied_for": "Developer",
        "sourcing_channel": "direct",
        "profiles-TOTAL_FORMS": "0",
        "profiles-INITIAL_FORMS": "0",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
        **facts,
    }
