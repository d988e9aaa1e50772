"""Writes of the notifications app: notify, mark read, preferences, send an e-mail.

Other apps call `notify()` after a state change, inside its transaction: the rows are written
with it (and vanish if it rolls back), and each e-mail is handed to Celery only on commit.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from common.errors import ServiceValidationError

from . import preferences, render
from .events import CHANNELS, EMAIL, EVENTS, INBOX
from .models import EmailStatus, Notification, NotificationSettings

logger = logging.getLogger(__name__)

EXCERPT_MAX = 200
CONTEXT_VALUE_MAX = 300


def _recipients(recipients) -> list:
    if recipients is None:
        return []
    if hasattr(recipients, "pk"):
        recipients = [recipients]
    unique = {}
    for user in recipients:
        if user is not None and user.pk not in unique:
            unique[user.pk] = user
    return list(unique.values())


def _is_local_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _clean_context(event: str, context: dict | None) -> dict:
    spec = EVENTS[event]
    context = dict(context or {})
    missing = [key for key in spec.context_keys if not context.get(key)]
    if missing:
        raise ValueError(f"notify({event!r}) needs context {', '.join(missing)}")
    cleaned = {}
    for key, value in context.items():
        if not isinstance(value, str | int | bool) or value is None:
            raise ValueError(f"notify() context {key!r} must be text or a number")
        if isinstance(value, str):
            limit = EXCERPT_MAX if key == "comment_excerpt" else CONTEXT_VALUE_MAX
            value = value[:limit]
        cleaned[key] = value
    for key in ("url", "comment_url"):
        if key in cleaned and not _is_local_path(str(cleaned[key])):
            raise ValueError(f"notify() context {key!r} must be a path on this site")
    return cleaned


def _target(event: str, case, context: dict) -> str:
    if context.get("comment_url"):
        return context["comment_url"]
    if context.get("url"):
        return context["url"]
    if case is not None:
        return reverse("case_detail", args=[case.reference])
    return ""


def notify(
    event: str, recipients, *, case=None, actor=None, context: dict | None = None
) -> list[Notification]:
    """Notify each recipient of `event` (one of notifications.events), by the channels they
    chose: a row in their inbox and/or an e-mail sent by a Celery task after commit.

    `recipients` is a user or an iterable of users (None entries and repeats are ignored). The
    actor is never notified of their own action, nor is an inactive user. `context` holds the
    event's own values (events.Event.context_keys), text or numbers only; `url` or
    `comment_url` (a path on this site) is where the notification leads, by default the case.
    Returns the notifications written.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}")
    context = _clean_context(event, context)
    users = [
        user
        for user in _recipients(recipients)
        if user.is_active and (actor is None or user.pk != actor.pk)
    ]
    if not users:
        return []
    chosen = dict(
        NotificationSettings.objects.filter(user__in=users).values_list("user_id", "channels")
    )
    url = _target(event, case, context)
    written = []
    for user in users:
        channels = preferences.resolve(chosen.get(user.pk))[event]
        if not channels[INBOX] and not channels[EMAIL]:
            continue
        written.append(
            Notification(
                recipient=user,
                event=event,
                case=case,
                case_reference=case.reference if case is not None else "",
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_username=actor.get_username() if actor is not None else "",
                context=context,
                url=url,
                in_inbox=channels[INBOX],
                email_status=EmailStatus.PENDING if channels[EMAIL] else EmailStatus.NOT_WANTED,
            )
        )
    for notification in written:
        notification.save()
    for notification in written:
        if notification.email_status == EmailStatus.PENDING:
            transaction.on_commit(lambda pk=notification.pk: _queue_email(pk))
    return written


def _queue_email(notification_id: int) -> None:
    from .tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:  # broker down: the e-mail stays pending; the inbox row is there
        logger.warning("Could not queue e-mail of notification %s", notification_id, exc_info=True)


# ---------------------------------------------------------------- the inbox


def mark_read(user, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (no-op if it already is)."""
    if notification.recipient_id != user.pk:
        raise ValueError("a notification is marked read only by its recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification in the user's inbox read; returns how many."""
    return Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ---------------------------------------------------------------- preferences


def _settings_row(user) -> NotificationSettings:
    row = NotificationSettings.objects.select_for_update().filter(user=user).first()
    return row or NotificationSettings(user=user)


@transaction.atomic
def update_preferences(user, *, language: str, channels: dict[str, dict[str, bool]]):
    """Save the user's e-mail language and channels per event; recorded in history and in the
    audit log."""
    languages = {code for code, _name in settings.LANGUAGES}
    if language not in languages:
        raise ServiceValidationError({"language": _("Choose one of the languages offered.")})
    unknown = sorted(set(channels) - set(EVENTS))
    if unknown:
        raise ServiceValidationError(
            {"channels": _("Unknown events: %(e)s.") % {"e": ", ".join(unknown)}}
        )
    for key, chosen in channels.items():
        if set(chosen) - set(CHANNELS) or not all(isinstance(v, bool) for v in chosen.values()):
            raise ServiceValidationError(
                {"channels": _("Say yes or no for the inbox and e-mail of %(e)s.") % {"e": key}}
            )
    row = _settings_row(user)
    row.language = language
    row.channels = preferences.differences(preferences.resolve(channels))
    row._history_user = user
    row._change_reason = "notification settings changed"
    row.save()
    off = sorted(
        f"{key}:{channel}"
        for key, values in preferences.resolve(row.channels).items()
        for channel, on in values.items()
        if not on
    )
    record_event(
        actor=user,
        action="notifications.settings_changed",
        obj=row,
        summary=f"Notification settings of {user.get_username()} changed",
        data={"language": language, "off": off},
    )
    return row


# ---------------------------------------------------------------- e-mail


# Refusals that another attempt will not change: the address itself is refused.
PERMANENT_SMTP_ERRORS = (smtplib.SMTPRecipientsRefused,)


def send_email(notification_id: int) -> bool:
    """Send the notification's e-mail if it is still pending. Returns True when sent now.
    A temporary SMTP problem propagates (the Celery task retries); a refused address is
    recorded as a failure at once."""
    notification = (
        Notification.objects.select_related("recipient", "recipient__notification_settings")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.email_status != EmailStatus.PENDING:
        return False
    recipient = notification.recipient
    if not recipient.email:
        record_email_failure(notification_id, _("The recipient has no e-mail address."))
        return False
    row = getattr(recipient, "notification_settings", None)
    language = row.language if row else settings.LANGUAGE_CODE
    subject, body = render.email(notification, language)
    Notification.objects.filter(pk=notification_id).update(email_attempts=F("email_attempts") + 1)
    message = EmailMessage(
        subject,
        body,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    try:
        message.send()
    except PERMANENT_SMTP_ERRORS as exc:
        record_email_failure(notification_id, f"{type(exc).__name__}: {exc}")
        return False
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
    )
    return True


def note_email_retry(notification_id: int, error: str) -> None:
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_error=error[: Notification.ERROR_MAX]
    )


def record_email_failure(notification_id: int, error: str) -> None:
    """The e-mail could not be sent, for good: say why on the notification (its inbox row, if
    any, is unaffected)."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.FAILED, email_error=error[: Notification.ERROR_MAX]
    )
    logger.warning("E-mail of notification %s not sent: %s", notification_id, error)


def users_named(usernames) -> list:
    """Active users with these user names (for emitters that know names, e.g. @mentions)."""
    return list(get_user_model().objects.filter(username__in=list(usernames), is_active=True))
