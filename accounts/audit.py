"""What the audit log records about accounts: sign-ins, failed sign-ins, lockouts and unlocks,
sign-outs, password and role changes.

Django's auth signals and the model signals of `User` call these (see accounts/signals.py), so
every door is covered: the sign-in page, the admin, the API token endpoint, services, the shell.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from audit.services import record_event

from .lockout import client_ip

USER_AGENT_MAX = 300
# Account flags that grant or take away access, audited with the role groups.
ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")
# What a user created with no roles looks like: creating one is not a role change.
NEW_USER_STATE = {"groups": [], "is_active": True, "is_staff": False, "is_superuser": False}


def client_details(request) -> dict:
    """Where a request came from, as the audit log keeps it."""
    meta = getattr(request, "META", None) or {}
    path = getattr(request, "path", "")
    return {
        "via": "api" if path == reverse("api-token") else "web",
        "ip": client_ip(request),
        "user_agent": meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
    }


def _record_access(
    action: str, request, *, username: str, summary: str, user=None, extra: dict | None = None
) -> None:
    details = client_details(request)
    record_event(
        actor=user,
        action=action,
        obj=user,
        object_type="auth.user",
        summary=f"{summary} ({details['via']}, {details['ip']})",
        data={"username": username, **details, **(extra or {})},
    )


def record_sign_in(user, request) -> None:
    username = user.get_username()
    _record_access(
        "auth.signed_in", request, user=user, username=username, summary=f"{username} signed in"
    )


def record_sign_in_failed(username: str, request) -> None:
    """A wrong password, an unknown or a deactivated user. The password itself is never kept."""
    username = (username or "")[: User._meta.get_field("username").max_length]
    summary = f"Failed sign-in as {username or '(no username)'}"
    _record_access("auth.sign_in_failed", request, username=username, summary=summary)


def record_lockout(username: str, request) -> None:
    """Too many failed sign-ins: the username and the address are locked for a while."""
    username = (username or "")[: User._meta.get_field("username").max_length]
    summary = f"Sign-in locked after repeated failures as {username or '(no username)'}"
    _record_access("auth.locked_out", request, username=username, summary=summary)


def record_unlock(username: str, actor, attempts: int, *, user=None, addresses=()) -> None:
    """An admin forgot failed sign-ins (`attempts` records of them), ending a lockout early."""
    data = {"username": username, "failed_attempts_cleared": attempts}
    if addresses:
        data["addresses"] = list(addresses)
    record_event(
        actor=actor,
        action="auth.unlocked",
        obj=user,
        object_type="auth.user",
        summary=f"Sign-in of {username or '(no username)'} unlocked",
        data=data,
    )


def record_password_change(user, actor=None) -> None:
    """A new password; `by` tells whether the user chose it or someone else set it."""
    username = user.get_username()
    if actor is None:
        by = "system"
    elif actor.pk == user.pk:
        by = "self"
    else:
        by = "admin"
    record_event(
        actor=actor,
        action="accounts.password_changed",
        obj=user,
        object_type="auth.user",
        summary=f"Password of {username} changed" + ("" if by == "self" else f" ({by})"),
        data={"username": username, "by": by},
    )


def record_sign_out(user, request) -> None:
    username = user.get_username()
    _record_access(
        "auth.signed_out", request, user=user, username=username, summary=f"{username} signed out"
    )


# What each second-factor event says, in the log's own (English) summary.
SECOND_FACTOR_SUMMARIES = {
    "auth.second_factor_verified": "{user} passed the second factor ({method})",
    "auth.second_factor_failed": "Wrong second-factor code for {user} ({method})",
    "auth.second_factor_not_shown_by_idp": "The IdP showed no second factor for {user}",
    "accounts.second_factor_enrolled": "{user} set up an authenticator app",
    "accounts.recovery_codes_regenerated": "{user} generated new recovery codes",
}


def record_second_factor(user, request, action: str, *, method: str, **data) -> None:
    """A second-factor step of the signed-in `user`: verified, failed, enrolled, new codes."""
    username = user.get_username()
    summary = SECOND_FACTOR_SUMMARIES[action].format(user=username, method=method)
    _record_access(
        action,
        request,
        user=user,
        username=username,
        summary=summary,
        extra={"method": method, **data},
    )


# ---------------------------------------------------------------- role changes


def stored_access(user_pk: int) -> dict | None:
    """The user's role groups and access flags as the database holds them now."""
    flags = User.objects.filter(pk=user_pk).values(*ACCESS_FLAGS).first()
    if flags is None:
        return None
    groups = Group.objects.filter(user__pk=user_pk).order_by("name").values_list("name", flat=True)
    return {"groups": list(groups), **flags}


def access_text(state: dict) -> str:
    """A user's role groups and access flags, in words: `hr, reviewer, admin site access`."""
    parts = list(state.get("groups", []))
    if state.get("is_staff"):
        parts.append(_("admin site access"))
    if state.get("is_superuser"):
        parts.append(_("superuser"))
    if not state.get("is_active", True):
        parts.append(_("deactivated"))
    return ", ".join(parts) or _("no roles")


def request_user():
    """Who is making the current request (the admin, for changes made there), if anyone."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def record_access_change(user_pk: int, before: dict, actor=None) -> None:
    """Record `accounts.roles_changed` if the roles or access flags now differ from `before`."""
    after = stored_access(user_pk)
    if after is None or after == before:
        return
    username = User.objects.filter(pk=user_pk).values_list("username", flat=True).first() or ""
    with translation.override("en"):
        summary = f"Roles of {username}: {access_text(before)} → {access_text(after)}"
    record_event(
        actor=actor or request_user(),
        action="accounts.roles_changed",
        object_type="auth.user",
        object_id=str(user_pk),
        summary=summary,
        data={"username": username, "before": before, "after": after},
    )


# Users whose changes an enclosing `access_change` block records as one event.
_grouped: ContextVar[frozenset] = ContextVar("vetting_access_change", default=frozenset())


def is_grouped(user_pk) -> bool:
    return user_pk in _grouped.get()


@contextmanager
def access_change(user, actor=None):
    """Record the role and flag changes made to `user` inside the block as one event.

    Without it each step is recorded on its own (a `groups.set()` is a removal and an addition).
    """
    if user.pk is None or is_grouped(user.pk):
        yield
        return
    before = stored_access(user.pk)
    token = _grouped.set(_grouped.get() | {user.pk})
    try:
        yield
    finally:
        _grouped.reset(token)
    record_access_change(user.pk, before, actor)
