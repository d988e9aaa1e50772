"""The text of a notification in a given language: the inbox line, the e-mail subject and body.

Context values are rendered at display time: `due` (an ISO date-time) as a date and time in the
server's time zone, `report` (the report kind's English label, a message id) translated.
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from .events import EVENTS

SUBJECT_PREFIX = "[vetting] "


def _values(notification) -> dict[str, str]:
    context = notification.context or {}
    values = {
        key: str(value)
        for key, value in context.items()
        if isinstance(value, str | int) and key not in EVENTS[notification.event].inbox_only_keys
    }
    values["reference"] = notification.case_reference or "—"
    values["actor"] = notification.actor_username or gettext("vetting")
    if context.get("report"):
        values["report"] = gettext(str(context["report"]))
    if context.get("due"):
        try:
            due = datetime.datetime.fromisoformat(str(context["due"]))
            values["due"] = date_format(timezone.localtime(due), "Y-m-d H:i T")
        except ValueError:
            values["due"] = str(context["due"])
    return values


def subject(notification) -> str:
    """The inbox line in the active language."""
    spec = EVENTS.get(notification.event)
    if spec is None:
        return notification.event
    return str(spec.subject) % _values(notification)


def body(notification) -> str:
    spec = EVENTS.get(notification.event)
    if spec is None:
        return notification.event
    return str(spec.body) % _values(notification)


def absolute_url(path: str) -> str:
    return settings.VETTING_BASE_URL + path if path else settings.VETTING_BASE_URL + "/"


def email(notification, language: str) -> tuple[str, str]:
    """(subject, body) of the notification's e-mail in `language`. The body holds what happened,
    the case reference and a link: never a candidate's name, numbers or a user's free text."""
    with translation.override(language):
        text = render_to_string(
            "notifications/email/message.txt",
            {
                "body": body(notification),
                "link": absolute_url(notification.url),
                "preferences_link": absolute_url(reverse("notifications:preferences")),
            },
        )
        return SUBJECT_PREFIX + subject(notification), text
