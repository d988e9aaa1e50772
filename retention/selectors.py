"""Reads for retention: periods in force, what is due, holds, tombstones, key status, and the
data held about one candidate (subject access)."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from cases import selectors as case_selectors
from cases.crypto import key_fingerprint, key_of
from cases.models import FINAL_STATUSES, Case, Status
from cases.services import encrypted_columns

from .models import (
    FieldKeySighting,
    LegalHold,
    PurgeRun,
    PurgeState,
    RetentionPolicy,
    Tombstone,
)

# ---------------------------------------------------------------- periods


def default_months() -> dict[str, int]:
    """The periods that apply where compliance set none (settings.VETTING_RETENTION_MONTHS)."""
    return {status: int(settings.VETTING_RETENTION_MONTHS[status]) for status in FINAL_ORDER}


FINAL_ORDER = (Status.CLOSED_CLEARED, Status.APPROVED, Status.REJECTED, Status.REFERRED)


def retention_months() -> dict[str, int]:
    """Months kept after the final state, per final state: compliance's, else the default."""
    months = default_months()
    months.update(dict(RetentionPolicy.objects.values_list("status", "months")))
    return months


@dataclass
class PolicyRow:
    status: str
    label: str
    months: int
    default: int
    updated_by: str = ""
    updated_at: datetime.datetime | None = None

    @property
    def is_default(self) -> bool:
        return self.updated_at is None


def policy_rows() -> list[PolicyRow]:
    stored = {p.status: p for p in RetentionPolicy.objects.select_related("updated_by")}
    defaults = default_months()
    rows = []
    for status in FINAL_ORDER:
        policy = stored.get(status)
        rows.append(
            PolicyRow(
                status=status.value,
                label=str(status.label),
                months=policy.months if policy else defaults[status],
                default=defaults[status],
                updated_by=policy.updated_by.get_username() if policy and policy.updated_by else "",
                updated_at=policy.updated_at if policy else None,
            )
        )
    return rows


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """`moment` plus whole calendar months (the 31st becomes the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def final_at(case: Case) -> datetime.datetime | None:
    """When the case reached its final state (the decision's time), None when it is not final."""
    if case.status not in FINAL_STATUSES:
        return None
    return case.closed_at or case.updated_at


def retention_ends(case: Case, months: dict[str, int] | None = None):
    """When the case's retention period ends, or None for a case that is not final."""
    reached = final_at(case)
    if reached is None:
        return None
    months = retention_months() if months is None else months
    return add_months(reached, months[case.status])


def cases_past_retention(now: datetime.datetime | None = None) -> QuerySet[Case]:
    """Final cases whose period has ended and that are not purged yet (held ones included: a
    hold keeps them, it does not hide them)."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for status, months in retention_months().items():
        cutoff = add_months(now, -months)
        condition |= Q(status=status, closed_at__lte=cutoff)
        condition |= Q(status=status, closed_at__isnull=True, updated_at__lte=cutoff)
    return Case.objects.filter(condition).exclude(
        Exists(Tombstone.objects.filter(case=OuterRef("pk")))
    )


# ---------------------------------------------------------------- holds


def active_holds(case: Case) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).select_related(
        "set_by", "origin__case"
    )


def is_held(case: Case) -> bool:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists()


def holds_for(case: Case) -> QuerySet[LegalHold]:
    """Every hold of the case, active and lifted, newest first."""
    return LegalHold.objects.filter(case=case).select_related("set_by", "lifted_by", "origin__case")


def _held():
    return Exists(LegalHold.objects.filter(case=OuterRef("case"), lifted_at__isnull=True))


# ---------------------------------------------------------------- purges


def due_runs() -> QuerySet[PurgeRun]:
    """Cases past retention, not purged yet, soonest first, each with `held`."""
    return (
        PurgeRun.objects.exclude(state=PurgeState.DONE)
        .select_related("case", "confirmed_by")
        .annotate(held=_held())
        .order_by("purge_after", "id")
    )


def runs_to_purge(now: datetime.datetime | None = None) -> QuerySet[PurgeRun]:
    """Runs a sweep carries on: grace over (or confirmed) and not held, or half done."""
    now = now or timezone.now()
    ready = Q(state=PurgeState.DUE, purge_after__lte=now) | Q(state=PurgeState.DELETING_FILES)
    return PurgeRun.objects.filter(ready).annotate(held=_held()).filter(held=False)


def tombstone_for(case: Case) -> Tombstone | None:
    return Tombstone.objects.filter(case=case).select_related("purged_by").first()


@dataclass
class CaseRecords:
    """What the case page shows about retention: holds, a pending purge, the tombstone."""

    holds: list = field(default_factory=list)
    run: PurgeRun | None = None
    tombstone: Tombstone | None = None
    retention_ends: datetime.datetime | None = None


def case_records(case: Case) -> CaseRecords:
    cached = getattr(case, "_retention_records", None)
    if cached is not None:
        return cached
    # One query for the pending purge and the tombstone (reverse one-to-ones), one for holds.
    row = Case.objects.select_related("purge_run", "tombstone__purged_by").get(pk=case.pk)
    run = getattr(row, "purge_run", None) if hasattr(row, "purge_run") else None
    tombstone = getattr(row, "tombstone", None) if hasattr(row, "tombstone") else None
    records = CaseRecords(
        holds=list(active_holds(case)),
        run=run if run is not None and run.state != PurgeState.DONE else None,
        tombstone=tombstone,
    )
    if case.status in FINAL_STATUSES and records.tombstone is None:
        records.retention_ends = retention_ends(case)
    case._retention_records = records
    return records


# ---------------------------------------------------------------- keys


@dataclass
class KeyRow:
    position: int
    fingerprint: str
    first_seen_at: datetime.datetime | None

    @property
    def is_current(self) -> bool:
        return self.position == 0

    def age_days(self, now) -> int | None:
        return (now - self.first_seen_at).days if self.first_seen_at else None


@dataclass
class ColumnRow:
    model: str
    field: str
    rows: int = 0
    current: int = 0
    by_key: dict = field(default_factory=dict)  # fingerprint -> rows under that old key
    unreadable: int = 0

    @property
    def old(self) -> int:
        return self.rows - self.current


@dataclass
class KeyStatus:
    keys: list[KeyRow]
    columns: list[ColumnRow]
    now: datetime.datetime

    @property
    def rows_under_old_keys(self) -> int:
        return sum(column.old for column in self.columns)


def _raw_tokens(model, name: str):
    """The stored ciphertext of one column (the field would decrypt it on read)."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        while rows := cursor.fetchmany(1000):
            yield from (row[0] for row in rows)


def key_status() -> KeyStatus:
    """Each configured field key (by fingerprint) with its age, and per encrypted column how
    many stored values each key holds: the rows a rotation still has to re-encrypt."""
    fingerprints = [key_fingerprint(key) for key in settings.FIELD_ENCRYPTION_KEYS]
    seen = dict(
        FieldKeySighting.objects.filter(fingerprint__in=fingerprints).values_list(
            "fingerprint", "first_seen_at"
        )
    )
    keys = [KeyRow(i, fp, seen.get(fp)) for i, fp in enumerate(fingerprints)]
    columns = []
    for model, name in encrypted_columns():
        column = ColumnRow(model=model._meta.label, field=name)
        for token in _raw_tokens(model, name):
            column.rows += 1
            position = key_of(token)
            if position == 0:
                column.current += 1
            elif position is None:
                column.unreadable += 1
            else:
                fp = fingerprints[position]
                column.by_key[fp] = column.by_key.get(fp, 0) + 1
        columns.append(column)
    return KeyStatus(keys=keys, columns=columns, now=timezone.now())


# ---------------------------------------------------------------- subject access


def case_audit_events(case: Case) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(case_reference=case.reference).order_by("at", "id")


def linked_case_ids(case: Case) -> list[int]:
    return [link.case.pk for link in case_selectors.linked_cases(case)]
