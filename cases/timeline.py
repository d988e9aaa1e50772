"""The history of a case as people read it: audit events, each with the field changes recorded
with it. One read model for the history page and the API.

It runs a fixed number of queries whatever the number of changes (issue 12): the page of
events, the events around it, one query listing the historical records near the page (a few
columns of every tracked model, as one UNION ALL), and one query per tracked model reading in
full only the records the page shows, with the version before each (a changed record is
compared with the version before it; no record asks for its own previous version). Each
record finds its event by bisection over the events, so a busy case costs a sort, never a
comparison of every change with every event.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from django.db.models import F, IntegerField, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber
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


@dataclass(frozen=True)
class _Stub:
    """What the timeline knows of a historical record before reading it in full."""

    model: type
    model_index: int  # its place in _tracked
    history_id: int
    object_id: int
    at: datetime.datetime
    user_id: int | None


def _records_near(case: Case, since, until) -> list[_Stub]:
    """The case's historical records from `since` to `until`, oldest first (by time, then in
    the order of `_tracked`): one query."""
    tracked = _tracked(case)
    parts = [
        model.history.filter(**owner, history_date__gte=since, history_date__lte=until)
        .annotate(model_index=Value(index, output_field=IntegerField()))
        .values_list("model_index", "history_id", "id", "history_date", "history_user_id")
        .order_by()
        for index, (model, owner, _related) in enumerate(tracked)
    ]
    rows = parts[0].union(*parts[1:], all=True)
    stubs = [_Stub(tracked[row[0]][0], *row) for row in rows]
    return sorted(stubs, key=lambda stub: (stub.at, stub.model_index, stub.history_id))


def _read_records(case: Case, shown: list[_Stub], since, earlier: dict) -> dict:
    """The records `shown` in full, each with `previous`: the version of the same object just
    before it (strictly earlier, as `prev_record` gives it; None for the first one). `earlier`
    maps a shown record to its previous version's history_id when that is near the page too;
    the others' previous versions are the last ones before `since`. One query per model."""
    records = {}
    for model, owner, related in _tracked(case):
        mine = [stub for stub in shown if stub.model is model]
        wanted = {stub.history_id for stub in mine} | {
            earlier[stub] for stub in mine if stub in earlier
        }
        before = {stub.object_id for stub in mine if stub not in earlier}
        history = model.history  # (simple_history builds a manager class on each access)
        # The last version of each object before `since`: numbered newest first per object in
        # one pass over the objects' versions (a subquery per version would read each object's
        # versions once for every one of them: a thousand-change answer, a million rows).
        last_before = (
            history.filter(id__in=before or {0}, history_date__lt=since)
            .annotate(
                newest_first=Window(
                    RowNumber(),
                    partition_by=[F("id")],
                    order_by=[F("history_date").desc(), F("history_id").desc()],
                )
            )
            .filter(newest_first=1)
            .values("history_id")
        )
        # An id no record has (0) keeps the query when the page shows none of this model's
        # records: the page runs the same queries whatever it shows.
        rows = history.filter(**owner).filter(
            Q(history_id__in=wanted or {0}) | Q(history_id__in=last_before)
        )
        rows = rows.select_related("history_user", *related).order_by()
        by_id = {row.history_id: row for row in rows}
        latest_before = {row.id: row for row in by_id.values() if row.history_date < since}
        for stub in mine:
            record = by_id[stub.history_id]
            if stub in earlier:
                record.previous = by_id[earlier[stub]]
            else:
                record.previous = latest_before.get(stub.object_id)
            records[stub] = record
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
    nearby = _EventsNearby(
        case_events(case.reference).filter(at__gte=since, at__lte=until).order_by("at", "id")
    )
    first, last = events[-1].at, events[0].at
    shown, owners, earlier, versions = [], {}, {}, {}
    for stub in _records_near(case, since, until):
        older = versions.setdefault((stub.model, stub.object_id), [])
        previous = next((v for v in reversed(older) if v.at < stub.at), None)
        older.append(stub)
        owner = nearby.owner(stub)
        if owner is None and not first <= stub.at <= last:
            continue
        if owner is not None and owner.pk not in entries:
            continue  # an event of another page shows it
        shown.append(stub)
        owners[stub] = owner
        if previous is not None:
            earlier[stub] = previous.history_id
    records = _read_records(case, shown, since, earlier)
    standalone = []
    for stub in shown:
        record, owner = records[stub], owners[stub]
        changes = _record_changes(record)
        if not changes and record.history_type != "-":
            continue
        if owner is None:
            entry = TimelineEntry(
                at=record.history_date,
                who=record.history_user.get_username() if record.history_user else _("system"),
                summary=_("Recorded change"),
            )
            entry.changes.append((_record_label(record), changes))
            standalone.append(entry)
        else:
            entries[owner.pk].changes.append((_record_label(record), changes))
    return sorted([*entries.values(), *standalone], key=lambda entry: entry.at, reverse=True)


class _EventsNearby:
    """The audit events around a page, indexed so that the event a change belongs to is found
    by bisection (a change never compares itself with every event: no quadratic matching).

    The event a change belongs to: of the same person, at most MATCH_WINDOW away, about the
    same object if one is, the closest in time, and the earlier (by time, then id) of two as
    close.
    """

    def __init__(self, events):
        self.by_actor: dict = {}
        self.by_object: dict = {}
        for event in events:  # in (at, id) order, so each group is too
            self.by_actor.setdefault(event.actor_id, []).append(event)
            key = (event.actor_id, event.object_type, event.object_id)
            self.by_object.setdefault(key, []).append(event)
        self.times = {
            key: [event.at for event in group]
            for groups in (self.by_actor, self.by_object)
            for key, group in groups.items()
        }

    def owner(self, stub: _Stub) -> AuditEvent | None:
        about = (stub.user_id, stub.model._meta.label_lower, str(stub.object_id))
        return self._closest(self.by_object, about, stub.at) or self._closest(
            self.by_actor, stub.user_id, stub.at
        )

    def _closest(self, groups: dict, key, at) -> AuditEvent | None:
        group = groups.get(key)
        if not group:
            return None
        times = self.times[key]
        after = bisect.bisect_left(times, at)  # the first event at or after `at`
        best = None
        if after > 0:  # the first (by id) of the events at the latest time before `at`
            best = group[bisect.bisect_left(times, times[after - 1])]
        if after < len(group) and (best is None or times[after] - at < at - best.at):
            best = group[after]
        return best if best is not None and abs(best.at - at) <= MATCH_WINDOW else None
