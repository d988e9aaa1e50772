"""Candidate facts: validating them from any interface, writing them, opening a case."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts import roles
from common.errors import InvalidTransition, ServiceValidationError
from indicators.models import CatalogVersion
from indicators.selectors import NoCatalogError, default_catalog_version, version_items

from .. import crypto, normalize, selectors
from ..models import (
    Candidate,
    CandidateContact,
    Case,
    CaseSequence,
    ChecklistAnswer,
    ContactKind,
    HistoryEntry,
    OnlineProfile,
    ProfileKind,
    SourcingChannel,
    Status,
)
from .base import (
    case_event,
    lock_case,
    records_refusals,
    require_editable,
    require_role,
    save_as,
    start_assessing_if_draft,
)

CANDIDATE_FACT_FIELDS = (
    "legal_name",
    "aliases",
    "date_of_birth",
    "claimed_country",
    "claimed_city",
    "claimed_nationality",
    "sourcing_channel",
    "sourcing_name",
    "role_applied_for",
    "shipping_address",
    "bank_name",
    "routing_number",
    "account_number",
    "identity_document_type",
    "identity_document_number",
)
REQUIRED_FACTS = ("legal_name", "role_applied_for")


@dataclass
class CandidateFacts:
    """Cleaned candidate facts plus the related rows, ready to be written."""

    fields: dict
    # Contact lists given, by input field ("emails", "phones", "ip_addresses"); absent: unchanged.
    contacts: dict[str, list[str]] = field(default_factory=dict)
    profiles: list[tuple[str, str]] | None = None
    history: list[dict] | None = None


def _is_email(value: str) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True


def _is_phone(value: str) -> bool:
    return len(normalize.normalize_phone(value)) >= 6


def _is_ip_address(value: str) -> bool:
    try:
        normalize.normalize_ip(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ContactList:
    """One of the candidate's contact lists, stored as CandidateContact rows of one kind."""

    kind: str
    max_length: int
    is_valid: Callable[[str], bool]
    normalize: Callable[[str], str]
    problem: str  # shown for an invalid value, with %(v)s


# By the input field that carries the list (web form, API and services alike).
CONTACT_LISTS = {
    "emails": ContactList(
        ContactKind.EMAIL,
        254,
        _is_email,
        normalize.normalize_email,
        gettext_lazy("%(v)s is not a valid e-mail address."),
    ),
    "phones": ContactList(
        ContactKind.PHONE,
        40,
        _is_phone,
        normalize.normalize_phone,
        gettext_lazy("%(v)s does not look like a phone number."),
    ),
    "ip_addresses": ContactList(
        ContactKind.IP_ADDRESS,
        45,
        _is_ip_address,
        normalize.normalize_ip,
        gettext_lazy("%(v)s is not an IPv4 or IPv6 address."),
    ),
}


def _clean_str_list(values, field: str, errors: dict, max_len: int = 254) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = list(values.replace("\r", "").replace(",", "\n").split("\n"))
    if not isinstance(values, list | tuple):
        errors[field] = [_("Give a list of values.")]
        return []
    cleaned = []
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if len(value) > max_len:
            errors.setdefault(field, []).append(_("%(v)s… is too long.") % {"v": value[:30]})
        elif value not in cleaned:
            cleaned.append(value)
    return cleaned


def clean_candidate_facts(data: dict, *, partial: bool = False) -> CandidateFacts:
    """Validate candidate input from any interface; ServiceValidationError lists every problem."""
    errors: dict[str, list[str]] = {}
    fields = {}
    for name in CANDIDATE_FACT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "aliases":
            fields[name] = _clean_str_list(value, name, errors, max_len=200)
            continue
        if name == "date_of_birth":
            if value in (None, ""):
                fields[name] = None
                continue
            if isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    errors[name] = [_("Enter a date as YYYY-MM-DD.")]
                    continue
            if not isinstance(value, datetime.date):
                errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            elif value > timezone.localdate() or value.year < 1900:
                errors[name] = [_("Enter a real date of birth.")]
            else:
                fields[name] = value
            continue
        value = "" if value is None else str(value).strip()
        max_length = Candidate._meta.get_field(name).max_length or 2000
        if len(value) > max_length:
            errors[name] = [_("At most %(n)d characters.") % {"n": max_length}]
        elif name == "sourcing_channel" and value not in SourcingChannel.values:
            errors[name] = [_("Choose one of: %(c)s.") % {"c": ", ".join(SourcingChannel.values)}]
        else:
            fields[name] = value
    if not partial:
        for name in REQUIRED_FACTS:
            if not fields.get(name):
                errors[name] = [_("This field is required.")]
    else:
        for name in REQUIRED_FACTS:
            if name in fields and not fields[name]:
                errors[name] = [_("This field is required.")]

    facts = CandidateFacts(fields=fields)
    for name, spec in CONTACT_LISTS.items():
        if name in data:
            facts.contacts[name] = _clean_str_list(data[name], name, errors, spec.max_length)
            for value in facts.contacts[name]:
                if not spec.is_valid(value):
                    errors.setdefault(name, []).append(str(spec.problem) % {"v": value})
    if "profiles" in data:
        facts.profiles = []
        for entry in data["profiles"] or []:
            kind, value = (
                (entry.get("kind"), entry.get("url_or_handle"))
                if isinstance(entry, dict)
                else (entry[0], entry[1])
            )
            value = (value or "").strip()
            if not value:
                continue
            if kind not in ProfileKind.values:
                errors.setdefault("profiles", []).append(
                    _("Unknown profile kind %(k)s.") % {"k": kind}
                )
            elif len(value) > 500:
                errors.setdefault("profiles", []).append(_("A profile is at most 500 characters."))
            else:
                facts.profiles.append((kind, value))
    if "history" in data:
        facts.history = []
        this_year = timezone.localdate().year
        for index, entry in enumerate(data["history"] or [], start=1):
            organisation = (entry.get("organisation") or "").strip()
            if not organisation:
                continue
            row = {
                "kind": entry.get("kind"),
                "organisation": organisation[:200],
                "country": (entry.get("country") or "").strip()[:100],
                "detail": (entry.get("detail") or "").strip()[:200],
            }
            if row["kind"] not in HistoryEntry.Kind.values:
                errors.setdefault("history", []).append(
                    _("Row %(n)d: choose education or employment.") % {"n": index}
                )
            for bound in ("start_year", "end_year"):
                year = entry.get(bound)
                if year in (None, ""):
                    row[bound] = None
                    continue
                try:
                    year = int(year)
                except (TypeError, ValueError):
                    year = -1
                if not 1900 <= year <= this_year + 10:
                    errors.setdefault("history", []).append(
                        _("Row %(n)d: years must be between 1900 and %(max)d.")
                        % {"n": index, "max": this_year + 10}
                    )
                row[bound] = year
            if (
                row.get("start_year")
                and row.get("end_year")
                and row["end_year"] < row["start_year"]
            ):
                errors.setdefault("history", []).append(
                    _("Row %(n)d: the end year is before the start year.") % {"n": index}
                )
            facts.history.append(row)
    if errors:
        raise ServiceValidationError(errors)
    return facts


def _write_candidate(candidate: Candidate, facts: CandidateFacts, actor) -> Candidate:
    for name, value in facts.fields.items():
        setattr(candidate, name, value)
    candidate.normalized_name = normalize.normalize_name(candidate.legal_name)
    candidate.normalized_shipping_address = normalize.normalize_address(candidate.shipping_address)
    candidate.account_number_index = crypto.blind_index(candidate.account_number)
    candidate.identity_document_index = crypto.blind_index(candidate.identity_document_number)
    save_as(candidate, actor)
    if facts.contacts:
        wanted = []
        for name, values in facts.contacts.items():
            spec = CONTACT_LISTS[name]
            wanted += [(spec.kind, v, spec.normalize(v)) for v in values]
        _replace_rows(
            candidate.contacts.filter(kind__in=[CONTACT_LISTS[n].kind for n in facts.contacts]),
            [dict(kind=k, value=v, normalized=n) for k, v, n in wanted],
            key=lambda row: (row["kind"], row["value"]),
            model=CandidateContact,
            candidate=candidate,
            actor=actor,
        )
    if facts.profiles is not None:
        _replace_rows(
            candidate.profiles.all(),
            [
                dict(kind=k, url_or_handle=v, normalized_handle=normalize.normalize_profile(k, v))
                for k, v in facts.profiles
            ],
            key=lambda row: (row["kind"], row["url_or_handle"]),
            model=OnlineProfile,
            candidate=candidate,
            actor=actor,
        )
    if facts.history is not None:
        _replace_rows(
            candidate.history_entries.all(),
            facts.history,
            key=lambda row: tuple(sorted(row.items())),
            model=HistoryEntry,
            candidate=candidate,
            actor=actor,
        )
    return candidate


def _replace_rows(existing_qs, wanted: list[dict], *, key, model, candidate, actor) -> None:
    """Make the related rows equal `wanted`, touching (and so historising) only what changed."""
    fields = list(wanted[0].keys()) if wanted else []
    existing = {}
    for row in existing_qs:
        row_key = key({f: getattr(row, f) for f in fields} if fields else {})
        if fields and row_key not in existing:
            existing[row_key] = row
        else:
            row._history_user = actor
            row.delete()
    wanted_keys = set()
    for values in wanted:
        row_key = key(values)
        wanted_keys.add(row_key)
        if row_key not in existing:
            save_as(model(candidate=candidate, **values), actor)
    for row_key, row in existing.items():
        if row_key not in wanted_keys:
            row._history_user = actor
            row.delete()


def _next_reference(now: datetime.datetime) -> str:
    sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=now.year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"VET-{now.year}-{sequence.last_number:06d}"


@records_refusals("case.opened")
@transaction.atomic
def open_case(actor, data: dict) -> Case:
    """Open a case for an applicant: candidate facts, pinned catalogue, one answer per item."""
    require_role(actor, roles.HR, action=_("open cases"))
    facts = clean_candidate_facts(data)
    requested_version = (data.get("catalog_version") or "").strip()
    if requested_version:
        version = CatalogVersion.objects.filter(code=requested_version, is_active=True).first()
        if version is None:
            raise ServiceValidationError(
                {
                    "catalog_version": _("%(v)s is not an active catalogue version.")
                    % {"v": requested_version}
                }
            )
    else:
        try:
            version = default_catalog_version()
        except NoCatalogError as exc:
            raise InvalidTransition(str(exc)) from exc
    candidate = _write_candidate(Candidate(), facts, actor)
    case = Case(
        reference=_next_reference(timezone.now()),
        candidate=candidate,
        owner=actor,
        catalog_version=version,
        status=Status.DRAFT,
    )
    save_as(case, actor, reason="opened")
    answers = [ChecklistAnswer(case=case, item=item) for item in version_items(version)]
    bulk_create_with_history(answers, ChecklistAnswer, default_user=actor)
    case_event(
        actor,
        "case.opened",
        case,
        f"Opened case {case.reference} for {candidate.legal_name} (catalogue {version.code})",
        candidate=candidate.legal_name,
        catalog_version=version.code,
        items=len(answers),
        linked_cases=_linked_references(case),
    )
    return case


def _linked_references(case: Case) -> dict[str, list[str]]:
    """What this candidate shares with other cases, kept in the audit trail when facts change."""
    return {
        link.case.reference: sorted({what for what, _shown in link.matches})
        for link in selectors.linked_cases(case)
    }


@records_refusals("candidate.updated")
@transaction.atomic
def update_candidate(actor, case: Case, data: dict) -> Case:
    """Change candidate facts (only the keys given). Returns the case; see linked_cases()."""
    require_role(actor, roles.HR, action=_("edit candidate facts"))
    case = lock_case(case)
    require_editable(case)
    facts = clean_candidate_facts(data, partial=True)
    changed = sorted(
        set(facts.fields) | {k for k in (*CONTACT_LISTS, "profiles", "history") if k in data}
    )
    _write_candidate(case.candidate, facts, actor)
    start_assessing_if_draft(case, actor)
    case_event(
        actor,
        "candidate.updated",
        case,
        f"Updated candidate facts of {case.reference}: {', '.join(changed) or 'nothing'}",
        obj=case.candidate,
        fields=changed,
        linked_cases=_linked_references(case),
    )
    return case
