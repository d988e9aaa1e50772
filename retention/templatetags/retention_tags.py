from django import template

from retention.selectors import case_records as read_case_records

register = template.Library()


@register.simple_tag
def case_records(case):
    """Holds, a pending purge and the tombstone of a case, read once per page."""
    return read_case_records(case)


@register.filter
def key_age(key, now):
    """Days since a field key was first seen ("—" when never recorded)."""
    days = key.age_days(now)
    return "—" if days is None else days
