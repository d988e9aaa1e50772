import datetime

from django.utils import timezone

from .models import AuditEvent


def events_between(start: datetime.date, end: datetime.date):
    """Events from the start of `start` to the end of `end` (inclusive), oldest first."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return AuditEvent.objects.filter(at__gte=since, at__lt=until).order_by("at", "id")


def case_events(case_reference: str):
    return AuditEvent.objects.filter(case_reference=case_reference).order_by("at", "id")
