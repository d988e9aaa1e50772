"""Reads of the notifications app. A user sees only their own notifications."""

from django.conf import settings
from django.db.models import QuerySet

from . import preferences
from .models import Notification, NotificationSettings


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's inbox, newest first. Anyone else's notifications are never in it."""
    rows = Notification.objects.filter(recipient=user, in_inbox=True)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(user) -> int:
    """One cheap indexed count (notification_unread_idx)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user, unread_only=True).count()


def settings_for(user, default_language: str | None = None) -> tuple[str, dict]:
    """(language of e-mails, channels per event) of the user: their choices over the defaults.
    `default_language` is offered before they have saved any (e.g. the page's language)."""
    row = NotificationSettings.objects.filter(user=user).first()
    if row is None:
        return default_language or settings.LANGUAGE_CODE, preferences.resolve(None)
    return row.language, preferences.resolve(row.channels)
