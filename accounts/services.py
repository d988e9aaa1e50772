"""Role groups, demo users, sign-in unlocks and API tokens."""

from datetime import timedelta

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from common.errors import NotFound, ServiceValidationError

from . import audit, roles
from .models import ApiToken, hash_key, new_key

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
        # Sign-in lockouts (django-axes): see them, and delete one to unlock early.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
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


def may_assign_group(actor, group: Group) -> bool:
    """Whether `actor` may give a user `group` (or take it away) in the admin: a superuser any
    group; anyone else a role group (what the admin role hands out) or a group whose every
    permission they hold themselves, so no one grants more than they have."""
    if actor.is_superuser:
        return True
    if group.name in roles.ALL_ROLES:
        return True
    perms = group.permissions.values_list("content_type__app_label", "codename")
    return {f"{app}.{code}" for app, code in perms} <= actor.get_all_permissions()


def record_admin_change(*, actor, obj, action: str, summary: str, data: dict) -> None:
    """A change made in the Django admin (roles and access flags have their own event)."""
    record_event(actor=actor, action=action, obj=obj, summary=summary, data=data)


# ---------------------------------------------------------------- sign-in lockout


@transaction.atomic
def unlock_sign_in(user: User, *, actor) -> int:
    """Forget the user's failed sign-ins, ending a lockout before its time; recorded when there
    was anything to forget. Returns how many records of failures were removed.

    The failures are removed with the addresses they came from, so an address locked only by
    failures as this user is unlocked too."""
    from axes.utils import reset

    cleared = reset(username=user.get_username())
    if cleared:
        audit.record_unlock(user.get_username(), actor, cleared, user=user)
    return cleared


def forget_failed_sign_ins(attempts, *, actor) -> int:
    """Delete records of failed sign-ins chosen in the admin (a queryset of axes'
    AccessAttempt): the admin's other way to unlock, e.g. an address. Recorded per username."""
    rows: dict[str, list[str]] = {}
    for username, address in attempts.values_list("username", "ip_address"):
        rows.setdefault(username or "", []).append(address or "")
    with transaction.atomic():
        deleted, _ = attempts.delete()
        for username, seen in sorted(rows.items()):
            user = User.objects.filter(username=username).first() if username else None
            audit.record_unlock(username, actor, len(seen), user=user, addresses=sorted(set(seen)))
    return deleted


# ---------------------------------------------------------------- API tokens


DEFAULT_API_TOKEN_NAME = "API sign-in"  # noqa: S105 - a label, not a secret


class TokenRefused(Exception):
    """A token key that does not authenticate; the message tells its holder why."""


def token_lifetime() -> timedelta:
    return timedelta(days=settings.VETTING_TOKEN_DAYS)


def _token_data(token: ApiToken, **extra) -> dict:
    return {
        "username": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat(),
        **extra,
    }


@transaction.atomic
def sign_in_for_token(user, request, name: str = ""):
    """A password sign-in at the API token endpoint: recorded like one on the sign-in page.
    Returns the new token and its key (the only time the key is seen)."""
    audit.record_sign_in(user, request)
    return create_api_token(user, name=name or DEFAULT_API_TOKEN_NAME, via="api")


@transaction.atomic
def create_api_token(user, *, name: str, via: str = "web") -> tuple[ApiToken, str]:
    """A new token for `user`, valid for VETTING_TOKEN_DAYS; returns it with its key, which is
    not stored (only its hash is) and so can never be shown again."""
    name = (name or "").strip()
    if not name:
        raise ServiceValidationError({"name": _("Give the token a name.")})
    if len(name) > ApiToken.NAME_MAX:
        raise ServiceValidationError(
            {"name": _("At most %(max)d characters.") % {"max": ApiToken.NAME_MAX}}
        )
    key = new_key()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=hash_key(key),
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    record_event(
        actor=user,
        action="auth.token_issued",
        obj=token,
        summary=f"API token “{name}” ({token.prefix}…) issued to {user.get_username()} "
        f"({via}), valid until {token.expires_at:%Y-%m-%d %H:%M} UTC",
        data=_token_data(token, via=via),
    )
    return token, key


@transaction.atomic
def revoke_api_token(actor, token_id, *, reason: str = "revoked by its owner") -> ApiToken:
    """Revoke one of the actor's own tokens (NotFound for anyone else's: no one revokes, or
    learns about, another user's tokens here). Revoking a revoked token changes nothing."""
    token = (
        ApiToken.objects.select_for_update()
        .select_related("user")
        .filter(pk=token_id, user=actor)
        .first()
    )
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = reason[:200]
        token.save(update_fields=["revoked_at", "revoked_reason"])
        record_event(
            actor=actor,
            action="auth.token_revoked",
            obj=token,
            summary=f"API token “{token.name}” ({token.prefix}…) of "
            f"{token.user.get_username()} revoked: {reason}",
            data=_token_data(token, reason=reason),
        )
    return token


@transaction.atomic
def revoke_all_tokens(user, reason: str, *, actor=None) -> int:
    """Revoke every usable token of `user` (e.g. when their password changes); one audit event
    by `actor` (the user making the request when None) if there were any."""
    now = timezone.now()
    tokens = ApiToken.objects.active(now).filter(user=user)
    ids = list(tokens.values_list("pk", flat=True))
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).update(revoked_at=now, revoked_reason=reason[:200])
    record_event(
        actor=actor or audit.request_user(),
        action="auth.tokens_revoked",
        obj=user,
        object_type="auth.user",
        summary=f"All {len(ids)} API token(s) of {user.get_username()} revoked: {reason}",
        data={"username": user.get_username(), "count": len(ids), "reason": reason},
    )
    return len(ids)


def use_api_token(key: str) -> ApiToken:
    """The active token whose key this is, with its user; TokenRefused otherwise. Using an
    expired or revoked token is recorded in the audit log (someone still holds that key)."""
    try:
        token = ApiToken.objects.select_related("user").get(key_hash=hash_key(key))
    except ApiToken.DoesNotExist:
        token = None
    if token is None or not token.user.is_active:
        raise TokenRefused(_("Invalid token."))
    now = timezone.now()
    if token.is_revoked or token.is_expired(now):
        _record_refused_token(token)
        if token.is_revoked:
            raise TokenRefused(
                _("This token was revoked. Obtain a new one with POST /api/v1/auth/token/.")
            )
        raise TokenRefused(
            _("This token expired on %(when)s UTC. Obtain a new one with POST /api/v1/auth/token/.")
            % {"when": f"{token.expires_at:%Y-%m-%d %H:%M}"}
        )
    # One UPDATE on every call, matching no row while the stored time is recent enough.
    recent = now - timedelta(seconds=ApiToken.LAST_USED_PRECISION_SECONDS)
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=recent)
    ).update(last_used_at=now)
    return token


def _record_refused_token(token: ApiToken) -> None:
    why = "revoked" if token.is_revoked else "expired"
    record_event(
        actor=None,
        action="auth.token_refused",
        obj=token,
        summary=f"Refused the {why} API token “{token.name}” ({token.prefix}…) of "
        f"{token.user.get_username()}",
        data=_token_data(token, why=why),
    )
