"""Reminders of review deadlines, sent by beat (cases.tasks.review_deadline_reminders).

A case waiting for or in review is "near" its deadline VETTING_REVIEW_DEADLINE_WARNING_DAYS
working days before it and "overdue" after it. The reviewer (if one is assigned) and the case's
owner are notified once per case, deadline and kind: a DeadlineReminder row records each, so a
second run (or two beats at once) sends nothing again. A case found already overdue gets the
overdue reminder only.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notifications import events
from notifications.services import notify

from .. import deadlines
from ..models import Case, DeadlineReminder, Status
from .base import case_event

REVIEW_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)
EVENTS = {deadlines.NEAR: events.DEADLINE_NEAR, deadlines.OVERDUE: events.DEADLINE_PASSED}


def _due_soon(now: datetime.datetime):
    from django.conf import settings

    # A superset of the near ones (weekends make a working-day window longer); checked below.
    horizon = now + datetime.timedelta(days=settings.VETTING_REVIEW_DEADLINE_WARNING_DAYS + 4)
    overdue_sent = DeadlineReminder.objects.filter(
        case=OuterRef("pk"), kind=DeadlineReminder.Kind.OVERDUE, due_at=OuterRef("review_due_at")
    )
    return (
        Case.objects.filter(status__in=REVIEW_STATUSES, review_due_at__lte=horizon)
        .exclude(Exists(overdue_sent))
        .select_related("owner", "reviewer")
        .order_by("review_due_at", "pk")
    )


def send_deadline_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """Notify of every deadline that became near or passed and was not notified yet. Returns
    how many reminders of each kind were sent."""
    now = now or timezone.now()
    sent = {deadlines.NEAR: 0, deadlines.OVERDUE: 0}
    for case in _due_soon(now).iterator(chunk_size=200):
        kind = deadlines.state(case.review_due_at, now)
        if kind and _remind(case, kind):
            sent[kind] += 1
    return sent


def _remind(case: Case, kind: str) -> bool:
    try:
        with transaction.atomic():
            _reminder, created = DeadlineReminder.objects.get_or_create(
                case=case, kind=kind, due_at=case.review_due_at
            )
            if not created:
                return False
            due = case.review_due_at.isoformat()
            notify(EVENTS[kind], [case.reviewer, case.owner], case=case, context={"due": due})
            case_event(
                None,
                f"case.deadline_{kind}",
                case,
                f"{case.reference}: review deadline {kind} ({due}); reviewer and owner notified",
                due=due,
                reviewer=case.reviewer.get_username() if case.reviewer else "",
                owner=case.owner.get_username(),
            )
    except IntegrityError:  # another beat recorded it at the same moment
        return False
    return True
