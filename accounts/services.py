"""Role groups and demo users."""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from . import audit, roles

# Django-admin permissions each role gets. The business rules themselves are enforced by the
# case services from the role; these only decide what each role sees in /admin/.
ROLE_ADMIN_PERMISSIONS = {
    roles.HR: [],
    roles.REVIEWER: [],
    roles.COMPLIANCE: [
        "indicators.view_catalogversion",
        "indicators.view_catalogitem",
        "indicators.change_catalogversion",
        "cases.view_case",
        "cases.view_candidate",
        "cases.view_checklistanswer",
        "cases.view_evidence",
        "cases.view_signoff",
        "reports.view_reportjob",
    ],
    roles.ADMIN: [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "authtoken.view_tokenproxy",
        "authtoken.add_tokenproxy",
        "authtoken.delete_tokenproxy",
    ],
}

DEMO_PASSWORD = "vetting-demo-2026"  # noqa: S105 - printed on purpose for local demos only
DEMO_USERS = [
    ("hr", "Hana", "Kim", [roles.HR]),
    ("hr2", "Henry", "Park", [roles.HR]),
    ("reviewer", "Riley", "Lee", [roles.REVIEWER]),
    ("reviewer2", "Seo-yeon", "Choi", [roles.REVIEWER]),
    ("compliance", "Chris", "Jung", [roles.COMPLIANCE]),
    ("admin", "Alex", "Admin", [roles.ADMIN]),
]


def sync_roles() -> None:
    """Create the role groups and give them their admin permissions (idempotent)."""
    for role in roles.ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in ROLE_ADMIN_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm:
                wanted.append(perm)
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Run once, after the last app, when every permission exists.
    if app_config is None or app_config.label != list(global_apps.get_app_configs())[-1].label:
        return
    sync_roles()


@transaction.atomic
def create_demo_users(password: str = DEMO_PASSWORD) -> list[tuple[str, list[str]]]:
    """Create one demo user per role; existing demo users get their password and roles reset."""
    sync_roles()
    created = []
    for username, first, last, user_roles in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        with audit.access_change(user):
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.org"
            user.is_staff = roles.ADMIN in user_roles or roles.COMPLIANCE in user_roles
            user.is_superuser = False
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=user_roles))
        created.append((username, user_roles))
    return created


@transaction.atomic
def set_user_roles(user: User, role_names: list[str], *, actor=None) -> None:
    """Give the user exactly these roles; recorded as one role change by `actor`."""
    unknown = set(role_names) - set(roles.ALL_ROLES)
    if unknown:
        raise ValueError(f"Unknown role(s): {', '.join(sorted(unknown))}")
    with audit.access_change(user, actor):
        user.groups.set(Group.objects.filter(name__in=role_names))
        user.is_staff = bool({roles.ADMIN, roles.COMPLIANCE} & set(role_names)) or user.is_superuser
        user.save(update_fields=["is_staff"])


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def sign_in_for_token(user, request):
    """A password sign-in at the API token endpoint: recorded like one on the sign-in page."""
    audit.record_sign_in(user, request)
    return issue_api_token(user)


def issue_api_token(user):
    """The user's API token (created on first use); recorded in the audit log."""
    from rest_framework.authtoken.models import Token

    from audit.services import record_event

    token, created = Token.objects.get_or_create(user=user)
    record_event(
        actor=user,
        action="auth.token_issued" if created else "auth.token_retrieved",
        object_type="authtoken.token",
        object_id=str(user.pk),
        summary=f"API token {'issued to' if created else 'retrieved by'} {user.get_username()}",
    )
    return token


def revoke_api_token(user) -> bool:
    """Delete the user's API token; False when there was none."""
    from rest_framework.authtoken.models import Token

    from audit.services import record_event

    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        record_event(
            actor=user,
            action="auth.token_revoked",
            object_type="authtoken.token",
            object_id=str(user.pk),
            summary=f"API token of {user.get_username()} revoked",
        )
    return bool(deleted)
