"""The history of a case as people read it: audit events, each with the field changes recorded
with it. One read model for the history page and the API.

It runs a fixed number of queries whatever the number of changes: the page of events, the
events around it, and one query per tracked model for its historical records in the window
together with the version just before the window of each object (a changed record is compared
with the version before it, so no record asks for its own previous version).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import case_events
from audit.summaries import describe_event
from common.display import when

from .crypto import mask
from .models import (
    Candidate,
    CandidateContact,
    Case,
    CaseComment,
    ChecklistAnswer,
    Evidence,
    Finding,
    HistoryEntry,
    OnlineProfile,
    SignOff,
)

HIDDEN_HISTORY_FIELDS = {
    "normalized_name",
    "name_key",
    "normalized_shipping_address",
    "account_number_index",
    "identity_document_index",
    "normalized",
    "normalized_handle",
    "fingerprint",
    "risk_snapshot",
    "stored_name",
    "file",
    "updated_at",
    "created_at",
    "answered_at",
    "uploaded_at",
    "signed_at",
    "id",
}
MASKED_HISTORY_FIELDS = {"account_number": 4, "identity_document_number": 3}
# A change belongs to an event of the same person at most this far from it in time.
MATCH_WINDOW = datetime.timedelta(seconds=5)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    at: datetime.datetime
    who: str
    summary: str
    action: str = ""
    changes: list[tuple[str, list[FieldChange]]] = field(default_factory=list)
    event_id: int | None = None  # None: a change no audit event claims


def event_summary(event: AuditEvent) -> str:
    """What an audit event says happened, in the reader's language."""
    return describe_event(event)


def history_events(case: Case, who: str = "") -> QuerySet[AuditEvent]:
    """The events the history of `case` lists, newest first; only `who`'s when given."""
    events = case_events(case.reference).order_by("-at", "-id")
    return events.filter(actor_username=who) if who else events


def history_people(case: Case) -> QuerySet:
    """Usernames of everyone who did something to the case, for the history's person filter."""
    return (
        case_events(case.reference)
        .exclude(actor_username="")
        .order_by("actor_username")
        .values_list("actor_username", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------- historical records


def _tracked(case: Case) -> list[tuple[type, dict, tuple[str, ...]]]:
    """(model, the filter selecting the case's objects, relations the labels read)."""
    candidate_id = case.candidate_id
    return [
        (Case, {"id": case.pk}, ()),
        (Candidate, {"id": candidate_id}, ()),
        (CandidateContact, {"candidate_id": candidate_id}, ()),
        (OnlineProfile, {"candidate_id": candidate_id}, ()),
        (HistoryEntry, {"candidate_id": candidate_id}, ()),
        (ChecklistAnswer, {"case_id": case.pk}, ("item",)),
        (Evidence, {"case_id": case.pk}, ()),
        (SignOff, {"case_id": case.pk}, ()),
        (Finding, {"case_id": case.pk}, ()),
        (CaseComment, {"case_id": case.pk}, ()),
    ]


def _order(record) -> tuple:
    return record.history_date, record.history_id


def _history_records(case: Case, since, until) -> list:
    """The case's historical records from `since` to `until`, each with `previous`: the version
    of the same object before it (None for the first one), as `prev_record` would give it."""
    records = []
    for model, owner, related in _tracked(case):
        history = model.history.filter(**owner)
        latest_before_window = (
            model.history.filter(id=OuterRef("id"), history_date__lt=since)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        rows = history.filter(
            Q(history_date__gte=since, history_date__lte=until)
            | Q(history_id=Subquery(latest_before_window))
        ).select_related("history_user", *related)
        previous_by_object, in_window = {}, []
        for row in sorted(rows, key=_order):
            row.previous = previous_by_object.get(row.id)
            if row.previous is not None and row.previous.history_date == row.history_date:
                row.previous = row.previous.previous  # strictly earlier, like prev_record
            previous_by_object[row.id] = row
            if row.history_date >= since:
                in_window.append(row)
        records.extend(reversed(in_window))  # newest first, as the history manager orders
    return records


def _shown(model_field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if model_field.name in MASKED_HISTORY_FIELDS:
        return mask(str(value), visible=MASKED_HISTORY_FIELDS[model_field.name])
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return when(value)
    return str(value)


def _record_changes(record) -> list[FieldChange]:
    model = record.instance_type
    tracked = [
        f
        for f in record.tracked_fields
        if f.editable and f.name not in HIDDEN_HISTORY_FIELDS and not f.is_relation
    ]
    previous = record.previous if record.history_type == "~" else None
    changes = []
    for model_field in tracked:
        new = getattr(record, model_field.attname, None)
        old = getattr(previous, model_field.attname, None) if previous else None
        if record.history_type == "-":
            new, old = None, new
        if old == new or (
            previous is None and record.history_type == "+" and new in ("", None, [])
        ):
            continue
        label = str(model._meta.get_field(model_field.name).verbose_name)
        changes.append(
            FieldChange(label.capitalize(), _shown(model_field, old), _shown(model_field, new))
        )
    return changes


RECORD_LABELS = {
    Case: lambda record: _("Case"),
    Candidate: lambda record: _("Candidate"),
    CandidateContact: lambda record: record.instance.get_kind_display(),
    OnlineProfile: lambda record: _("Online profile"),
    HistoryEntry: lambda record: record.instance.get_kind_display(),
    ChecklistAnswer: lambda record: _("Answer %(code)s") % {"code": record.item.code},
    Evidence: lambda record: _("Evidence %(name)s") % {"name": record.original_name},
    SignOff: lambda record: _("Sign-off"),
    Finding: lambda record: _("Finding %(check)s") % {"check": record.check_code},
    CaseComment: lambda record: _("Comment"),
}


def _record_label(record) -> str:
    verb = {"+": _("added"), "~": _("changed"), "-": _("removed")}[record.history_type]
    return f"{RECORD_LABELS[record.instance_type](record)} ({verb})"


# ---------------------------------------------------------------- the timeline


def build_timeline(case: Case, events) -> list[TimelineEntry]:
    """Audit events, each with the field-level changes recorded with it.

    `events` is a page of `history_events`, newest first. A change belongs to the event of the
    same person closest in time, preferring the event about the same object. Events just
    outside the page take part in that matching, so a change is never shown under the wrong
    event; changes no event claims (made outside the services, e.g. in a data migration) are
    shown as entries of their own, so nothing recorded is hidden.
    """
    if not events:
        return []
    window = MATCH_WINDOW
    entries = {
        event.pk: TimelineEntry(
            at=event.at,
            who=event.actor_username or _("system"),
            summary=event_summary(event),
            action=event.action,
            event_id=event.pk,
        )
        for event in events
    }
    since = min(event.at for event in events) - window
    until = max(event.at for event in events) + window
    candidates = list(
        case_events(case.reference).filter(at__gte=since, at__lte=until).order_by("at", "id")
    )
    standalone = []
    for record in sorted(_history_records(case, since, until), key=lambda r: r.history_date):
        changes = _record_changes(record)
        if not changes and record.history_type != "-":
            continue
        label = record.instance_type._meta.label_lower
        owner = min(
            (
                event
                for event in candidates
                if event.actor_id == record.history_user_id
                and abs(event.at - record.history_date) <= window
            ),
            key=lambda event: (
                (event.object_type, event.object_id) != (label, str(record.id)),
                abs(event.at - record.history_date),
            ),
            default=None,
        )
        if owner is None:
            if events[-1].at <= record.history_date <= events[0].at:
                entry = TimelineEntry(
                    at=record.history_date,
                    who=record.history_user.get_username() if record.history_user else _("system"),
                    summary=_("Recorded change"),
                )
                entry.changes.append((_record_label(record), changes))
                standalone.append(entry)
        elif owner.pk in entries:
            entries[owner.pk].changes.append((_record_label(record), changes))
    return sorted([*entries.values(), *standalone], key=lambda entry: entry.at, reverse=True)
