"""How values are shown to people. Times: one format everywhere, always with the time zone."""

import datetime

from django.utils import dateformat, timezone

WHEN = "Y-m-d H:i T"  # 2026-11-28 14:05 UTC
WHEN_SECONDS = "Y-m-d H:i:s T"  # 2026-11-28 14:05:09 UTC


def when(value, *, seconds: bool = False) -> str:
    """A moment in the current time zone (settings.TIME_ZONE) with its abbreviation, e.g.
    `2026-11-28 14:05 UTC` or `2026-11-28 23:05 KST`. Takes a datetime or ISO text (as stored in
    snapshots); other text is returned as it is, and nothing as ""."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime.datetime):
        return "" if value is None else str(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, WHEN_SECONDS if seconds else WHEN)
