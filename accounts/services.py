"""Role groups, demo users, API tokens and the second factor."""

from base64 import b32encode

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.errors import InvalidTransition, NotAllowed, ServiceValidationError

from . import audit, otp, roles
from .models import RecoveryCode, RecoveryCodeDevice, code_digest, new_code

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
    code = (code or "").strip()
    is_totp = code.replace(" ", "").isdigit()
    if is_totp:
        device, method = otp.authenticator(user), "totp"
    else:
        device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
        method = "recovery_code"
    _check_code(request, device, code.replace(" ", "") if is_totp else code, method=method)
    left = None
    if not is_totp:
        left = device.codes_left()
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


def _check_code(request, device, code: str, *, method: str) -> None:
    """The code against the device, with django-otp's row lock, replay and throttling rules;
    a refusal is recorded and raised with the reason a person can act on."""
    if device is not None:
        allowed, details = device.verify_is_allowed()
        locked_until = (details or {}).get("locked_until")
        if not allowed and locked_until:
            seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
            message = _(
                "Too many wrong codes. Wait %(seconds)d seconds, then enter a new code."
            ) % {"seconds": seconds}
            raise ServiceValidationError({"code": message})
        if verify_token(request.user, device.persistent_id, code) is not None:
            return
    audit.record_second_factor(request.user, request, "auth.second_factor_failed", method=method)
    raise ServiceValidationError({"code": wrong_code_message()})


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
