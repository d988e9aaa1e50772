"""Role groups, demo users, sign-in unlocks, API tokens and the second factor."""

from base64 import b32encode
from datetime import timedelta

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record_event
from common.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    ServiceValidationError,
)

from . import audit, otp, roles
from .models import (
    ApiToken,
    RecoveryCode,
    RecoveryCodeDevice,
    code_digest,
    hash_key,
    new_code,
    new_key,
)

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
def create_demo_users(password: str = DEMO_PASSWORD) -> list[tuple[str, list[str], str]]:
    """Create one demo user per role; existing demo users get their password and roles reset.

    Demo users whose role must use a second factor get an authenticator key (kept across runs);
    each tuple ends with it in base32 ("" for the others)."""
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
        key = demo_authenticator_key(user) if set(user_roles) & otp.required_roles() else ""
        created.append((username, user_roles, key))
    return created


def demo_authenticator_key(user) -> str:
    """A confirmed authenticator app for a demo user (the existing one if any), as the base32
    key to type into an app; `manage.py demo_totp` prints its current code in development."""
    device = otp.authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    return b32encode(device.bin_key).decode()


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


# ---------------------------------------------------------------- second factor

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"


def wrong_code_message() -> str:
    return _(
        "That code is not right. Enter the 6-digit code your authenticator app shows now, "
        "or one of your recovery codes."
    )


def start_enrolment(user) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device per user, kept until confirmed
    so that reloading the page shows the same key."""
    if otp.has_authenticator(user):
        raise InvalidTransition(_("You already have an authenticator app set up."))
    device = otp.authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def confirm_enrolment(request, code: str) -> list[str]:
    """Confirm the signed-in user's new authenticator app with a code from it; the session
    counts as verified. Returns the new recovery codes: the only time they are readable."""
    user = request.user
    device = otp.authenticator(user, confirmed=False)
    if device is None or otp.has_authenticator(user):
        raise InvalidTransition(_("There is no authenticator app waiting to be confirmed."))
    _check_code(request, device, code, method="enrolment")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        audit.record_second_factor(user, request, "accounts.second_factor_enrolled", method="totp")
    _session_verified(request, device)
    return codes


def verify_second_factor(request, code: str) -> int | None:
    """Check a code from the authenticator app (digits) or a recovery code (letters) for the
    signed-in user; the session then counts as verified. Returns the number of recovery codes
    left when one was used, else None."""
    user = request.user
    device, method, code = _device_for_code(user, (code or "").strip())
    _check_code(request, device, code, method=method)
    left = device.codes_left() if method == "recovery_code" else None
    audit.record_second_factor(
        user,
        request,
        "auth.second_factor_verified",
        method=method,
        **({"recovery_codes_left": left} if left is not None else {}),
    )
    _session_verified(request, device)
    return left


@transaction.atomic
def regenerate_recovery_codes(request) -> list[str]:
    """New recovery codes for the signed-in, verified user; the old ones stop working."""
    user = request.user
    if not otp.has_authenticator(user):
        raise InvalidTransition(_("Set up an authenticator app first."))
    if not otp.is_verified(request):
        raise NotAllowed(_("Enter a code from your authenticator app first."))
    codes = _replace_recovery_codes(user)
    audit.record_second_factor(
        user, request, "accounts.recovery_codes_regenerated", method="recovery_code"
    )
    return codes


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


@transaction.atomic
def reset_second_factor(actor, user) -> bool:
    """An admin removes `user`'s authenticator app and recovery codes: the user's sessions lose
    their verification and the user must enrol again (if their role requires it) at the next
    page. Recorded in the audit log; False when the user had nothing to reset."""
    if not roles.has_role(actor, roles.ADMIN):
        raise NotAllowed(_("Only admin users may reset a second factor."))
    apps = TOTPDevice.objects.filter(user=user)
    code_sets = RecoveryCodeDevice.objects.filter(user=user)
    had = {"authenticator_apps": apps.count(), "recovery_codes": recovery_codes_left(user)}
    if not had["authenticator_apps"] and not code_sets.exists():
        return False
    apps.delete()
    code_sets.delete()
    from audit.services import record_event

    username = user.get_username()
    record_event(
        actor=actor,
        action="accounts.second_factor_reset",
        obj=user,
        object_type="auth.user",
        summary=f"Second factor of {username} reset by {actor.get_username()}",
        data={"username": username, **had},
    )
    return True


def _check_code(request, device, code: str, *, method: str, user=None) -> None:
    """The code against the device, with django-otp's row lock, replay and throttling rules;
    a refusal is recorded and raised with the reason a person can act on. `user`: whose code it
    is, when not the request's (the API token endpoint has no signed-in user)."""
    user = user or request.user
    if device is not None:
        allowed, details = device.verify_is_allowed()
        locked_until = (details or {}).get("locked_until")
        if not allowed and locked_until:
            seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
            message = _(
                "Too many wrong codes. Wait %(seconds)d seconds, then enter a new code."
            ) % {"seconds": seconds}
            raise ServiceValidationError({"code": message})
        if verify_token(user, device.persistent_id, code) is not None:
            return
    audit.record_second_factor(user, request, "auth.second_factor_failed", method=method)
    raise ServiceValidationError({"code": wrong_code_message()})


def _device_for_code(user, code: str):
    """The device a code is for: the authenticator app (digits) or the recovery codes."""
    if code.replace(" ", "").isdigit():
        return otp.authenticator(user), "totp", code.replace(" ", "")
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    return device, "recovery_code", code


def check_second_factor_for_token(request, user, code: str) -> None:
    """The second factor of a password sign-in at the API token endpoint: a token is as strong
    as a session, so whoever has an authenticator app sends its current code (or a recovery
    code), and whoever must have one but has not set it up gets no token until they do."""
    code = (code or "").strip()
    if not otp.has_authenticator(user):
        if otp.is_required_for(user):
            audit.record_second_factor(user, request, "auth.second_factor_failed", method="totp")
            raise ServiceValidationError(
                {
                    "code": _(
                        "Your role needs a second factor: sign in on the web once to set up an "
                        "authenticator app, then send its code as `code`."
                    )
                }
            )
        return
    if not code:
        raise ServiceValidationError(
            {
                "code": _(
                    "This account uses a second factor: send the current code from your "
                    "authenticator app (or a recovery code) as `code`."
                )
            }
        )
    device, method, code = _device_for_code(user, code)
    _check_code(request, device, code, method=method, user=user)
    audit.record_second_factor(user, request, "auth.second_factor_verified", method=method)


def _replace_recovery_codes(user) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=code_digest(code)) for code in codes
    )
    return codes


def _session_verified(request, device) -> None:
    request.session.cycle_key()  # a new session id for the more trusted session
    otp.device_verified(request, device)
