"""What an audit event says to a person, in the active language.

Every event keeps the English `summary` written when it was recorded: that is the record. Pages
and exports show `describe_event(event)` instead, rendered from the event's `action` and `data`
with the choice labels of the models ("Not observed", not `not_observed`). An event no app
describes, or one recorded before its data carried what the sentence needs, shows its stored
summary.

Each app describes its own events in its `summaries.py`, registered from its AppConfig.ready()
with `register()`: the audit app knows no other app.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

REFUSED_SUFFIX = ".refused"

# action -> describe(event, data) -> str
DESCRIBERS: dict[str, Callable] = {}
# action -> what an actor tried to do when that action is refused ("open cases")
ATTEMPTS: dict[str, str] = {}


def register(describers: dict[str, Callable], attempts: dict | None = None) -> None:
    """Add an app's describers (by action) and the phrases of its refusable attempts."""
    DESCRIBERS.update(describers)
    ATTEMPTS.update(attempts or {})


def label(choices, value) -> str:
    """The display label of a stored choice value; the value itself if it is not a choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def with_note(text: str, note: str) -> str:
    return f"{text} — {note}" if note else text


def _refused(event, data):
    attempted = event.action.removesuffix(REFUSED_SUFFIX)
    values = {
        "what": _(str(ATTEMPTS[attempted])) if attempted in ATTEMPTS else attempted,
        "ref": event.case_reference,
        "reason": data["reason"],
    }
    if event.case_reference:
        return _("Refused (%(ref)s): may not %(what)s: %(reason)s") % values
    return _("Refused: may not %(what)s: %(reason)s") % values


def describer_for(action: str) -> Callable | None:
    """The function that tells events of `action` in words; None for actions it does not know."""
    if action.endswith(REFUSED_SUFFIX):
        return _refused
    return DESCRIBERS.get(action)


def describe_event(event) -> str:
    """The event's summary in the active language; its stored summary if it cannot say more.

    `event` is an AuditEvent, or anything with its `action`, `data`, `summary`,
    `case_reference`, `object_id` and `actor_username`.
    """
    describe = describer_for(event.action)
    if describe is None:
        return event.summary
    try:
        return describe(event, event.data or {})
    except (KeyError, TypeError, ValueError):
        # Recorded before the event carried what this sentence needs.
        return event.summary
