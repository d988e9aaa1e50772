"""Audit receivers: sign-ins, lockouts, password and role changes are recorded whichever door
they come through (the sign-in page, the admin, the API token endpoint, services, the shell).

It also defines `password_changed`, the one signal other code listens to when a password
changes.
"""

from contextlib import contextmanager

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import Signal

from . import audit, services

password_changed = Signal()
password_changed.__doc__ = """Sent once each time a user's password is set to a new value.

Sent (by `password_after_save` below, the only sender) from inside the save of the user, for
every door: the password change page, the admin's "change password" form (a reset by an admin),
`manage.py changepassword`, `user.set_password(...); user.save()` in services or the shell, a
stored hash assigned directly. Not sent when a user is created, nor when Django re-hashes an
unchanged password at sign-in.

Keyword arguments: `user` (the User, already saved with the new password) and `actor` (who set
it: the user, an admin, or None for the system). `sender` is the User class.

By then every other session of the user is already invalid (Django checks a hash of the
password on each request; the page that changed it keeps its own session with
update_session_auth_hash). Receivers revoke what else the old password gave: API tokens
(`tokens_revoked_on_password_change`); the audit log records it (`password_change_recorded`).
They run inside the save's transaction: an exception aborts the change.
"""

# Where the stored state before a change waits for the signal after it.
_FLAGS_BEFORE = "_vetting_flags_before"
_GROUPS_BEFORE = "_vetting_groups_before"
_PASSWORD_CHANGED = "_vetting_password_changed"  # noqa: S105 - an attribute name


def signed_in(sender, request, user, **kwargs):
    audit.record_sign_in(user, request)
    if getattr(request, "session", None) is not None:
        from .middleware import mark_active

        mark_active(request.session)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked anything that looks like a secret; only the username is kept.
    audit.record_sign_in_failed(str(credentials.get(User.USERNAME_FIELD) or ""), request)


def signed_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        audit.record_sign_out(user, request)


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """axes' `user_locked_out`: recorded when the failure that reaches the limit locks."""
    from django.conf import settings

    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return  # a further refused attempt during the lockout (recorded as a failed sign-in)
    audit.record_lockout(username or "", request)


def password_change_recorded(sender, user, actor=None, **kwargs):
    audit.record_password_change(user, actor)


def tokens_revoked_on_password_change(sender, user, **kwargs):
    services.revoke_all_tokens(user, "password changed")


def flags_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or audit.is_grouped(instance.pk):
        return
    if update_fields is not None and not set(update_fields) & set(audit.ACCESS_FLAGS):
        return  # e.g. last_login on every sign-in
    instance.__dict__[_FLAGS_BEFORE] = audit.stored_access(instance.pk)


def flags_after_save(sender, instance, created, raw=False, **kwargs):
    if raw or audit.is_grouped(instance.pk):
        return
    before = audit.NEW_USER_STATE if created else instance.__dict__.pop(_FLAGS_BEFORE, None)
    if before is not None:
        audit.record_access_change(instance.pk, before)


def password_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note a new password, however it was set: the password change and reset forms, the admin,
    `manage.py changepassword`, the shell, a stored hash assigned directly."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    # check_password() re-hashing the same password with a newer hasher is not a change: it
    # saves only the password, with the raw password already cleared (see AbstractBaseUser).
    if (
        instance._password is None
        and update_fields is not None
        and set(update_fields) == {"password"}
    ):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and (stored != instance.password or instance._password is not None):
        instance.__dict__[_PASSWORD_CHANGED] = True


def password_after_save(sender, instance, created, raw=False, **kwargs):
    """The one sender of `password_changed`."""
    if instance.__dict__.pop(_PASSWORD_CHANGED, False):
        password_changed.send(sender=User, user=instance, actor=audit.request_user())


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """`user.groups` changes (forward) and `group.user_set` changes (reverse)."""
    if action.startswith("pre_"):
        if not reverse:
            users = {instance.pk}
        elif action == "pre_clear":
            users = set(instance.user_set.values_list("pk", flat=True))
        else:
            users = set(pk_set or ())
        instance.__dict__[_GROUPS_BEFORE] = {
            pk: audit.stored_access(pk) for pk in users if not audit.is_grouped(pk)
        }
        return
    for pk, before in instance.__dict__.pop(_GROUPS_BEFORE, {}).items():
        if before is not None:
            audit.record_access_change(pk, before)


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(signed_in, dispatch_uid="vetting-audit-signed-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="vetting-audit-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="vetting-audit-signed-out")
    user_locked_out.connect(locked_out, dispatch_uid="vetting-audit-locked-out")
    password_changed.connect(password_change_recorded, dispatch_uid="vetting-audit-password")
    password_changed.connect(
        tokens_revoked_on_password_change, dispatch_uid="vetting-password-revokes-tokens"
    )
    pre_save.connect(flags_before_save, sender=User, dispatch_uid="vetting-audit-flags-before")
    post_save.connect(flags_after_save, sender=User, dispatch_uid="vetting-audit-flags-after")
    pre_save.connect(password_before_save, sender=User, dispatch_uid="vetting-password-before")
    post_save.connect(password_after_save, sender=User, dispatch_uid="vetting-password-after")
    m2m_changed.connect(
        groups_changed, sender=User.groups.through, dispatch_uid="vetting-audit-groups"
    )


@contextmanager
def replaying_rows():
    """Loading a backup replays stored rows, not actions: role changes are not recorded again
    (the backup holds the audit events of the original ones, with their own ids and hashes)."""
    m2m_changed.disconnect(sender=User.groups.through, dispatch_uid="vetting-audit-groups")
    try:
        yield
    finally:
        m2m_changed.connect(
            groups_changed, sender=User.groups.through, dispatch_uid="vetting-audit-groups"
        )
