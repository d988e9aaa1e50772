"""Review deadlines: working days from submission, per risk level (settings
VETTING_REVIEW_DEADLINES, README "Review deadlines"). Working days are Monday to Friday; a
deadline falls at the same time of day as the submission, that many working days later (a
submission on a Saturday or Sunday counts from the Monday at 00:00). Times are the server's
time zone (VETTING_TIME_ZONE)."""

import datetime

from django.conf import settings
from django.utils import timezone

from .models import RiskLevel

NEAR = "near"
OVERDUE = "overdue"


def _is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """`start` moved `days` working days on (Saturdays and Sundays skipped)."""
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    while not _is_working_day(local.date()):
        local = (local + datetime.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    left = days
    while left > 0:
        local += datetime.timedelta(days=1)
        if _is_working_day(local.date()):
            left -= 1
    if timezone.is_aware(start):  # the same wall-clock time, whatever the DST change
        local = timezone.make_aware(local.replace(tzinfo=None))
    return local


def subtract_working_days(end: datetime.datetime, days: int) -> datetime.datetime:
    local = timezone.localtime(end) if timezone.is_aware(end) else end
    left = days
    while left > 0:
        local -= datetime.timedelta(days=1)
        if _is_working_day(local.date()):
            left -= 1
    if timezone.is_aware(end):
        local = timezone.make_aware(local.replace(tzinfo=None))
    return local


def days_for(risk_level: str) -> int:
    """Working days a review of this risk level may take (no level: as for low risk)."""
    deadlines = settings.VETTING_REVIEW_DEADLINES
    return deadlines.get(risk_level or RiskLevel.LOW, deadlines[RiskLevel.LOW])


def review_due(submitted_at: datetime.datetime, risk_level: str) -> datetime.datetime:
    return add_working_days(submitted_at, days_for(risk_level))


def near_from(due: datetime.datetime) -> datetime.datetime:
    """From when a deadline counts as near."""
    return subtract_working_days(due, settings.VETTING_REVIEW_DEADLINE_WARNING_DAYS)


def state(due: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """NEAR, OVERDUE or "" for a deadline (no deadline: "")."""
    if due is None:
        return ""
    now = now or timezone.now()
    if now >= due:
        return OVERDUE
    if now >= near_from(due):
        return NEAR
    return ""
