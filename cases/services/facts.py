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

from accounts import roles
from common import normalize
from common.errors import ServiceValidationError

from .. import crypto, selectors
from ..models import (
    LIST_MAX_ITEMS,
    Candidate,
    CandidateContact,
    Case,
    CaseSequence,
    ContactKind,
    HistoryEntry,
    OnlineProfile,
    Status,
)
from .base import (
    case_event,
    lock_case,
    records_refusals,
    require_editable,
    require_role,
    require_version,
    save_as,
    start_assessing_if_draft,
)
from .catalogues import choose_versions, create_answers, pin_versions
from .findings import rescreen_linked_cases, screen_case

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
    "shipping_country",
    "bank_name",
    "bank_country",
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
    # Contact rows given ({"value", "label", "belongs_to"}), by input field ("emails",
    # "phones", "ip_addresses"); a list not given is left unchanged.
    contacts: dict[str, list[dict]] = field(default_factory=dict)
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
    is_valid: Callable[[str], bool]
    normalize: Callable[[str], str]
    problem: str  # shown for an invalid value, with %(v)s
    # The value is read in the candidate's claimed country (national phone numbers).
    regional: bool = False

    @property
    def max_length(self) -> int:
        return CandidateContact.VALUE_MAX_LENGTH[self.kind]

    def key(self, value: str, candidate: Candidate) -> str:
        """The value's normalised form, which links cases."""
        if self.regional:
            return self.normalize(value, normalize.phone_region(candidate.claimed_country))
        return self.normalize(value)


# By the input field that carries the list (web form, API and services alike).
CONTACT_LISTS = {
    "emails": ContactList(
        ContactKind.EMAIL,
        _is_email,
        normalize.normalize_email,
        gettext_lazy("%(v)s is not a valid e-mail address."),
    ),
    "phones": ContactList(
        ContactKind.PHONE,
        _is_phone,
        normalize.normalize_phone,
        gettext_lazy("%(v)s does not look like a phone number."),
        regional=True,
    ),
    "ip_addresses": ContactList(
        ContactKind.IP_ADDRESS,
        _is_ip_address,
        normalize.normalize_ip,
        gettext_lazy("%(v)s is not an IPv4 or IPv6 address."),
    ),
}


# The forms and serializers parse the shape of the input (types, choices, and the limits they
# read from the models). What must hold whichever door the facts come through is checked here,
# by the models' own validation (field limits, choices and validators, `clean()`), plus the
# rules that need the services: contact validity and normalisation, duplicates, list sizes.


def _model_errors(instance, given=None) -> dict[str, list[str]]:
    """Messages of the instance's own validation, by field, for the editable fields `given`."""
    exclude = [
        f.name
        for f in instance._meta.fields
        if not f.editable or f.is_relation or (given is not None and f.name not in given)
    ]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _text(value):
    """Text input stripped; None becomes empty text. Other types are left for validation."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _country_code(value):
    """An alpha-2 code as typed ("us" is US); other input is left for the model to refuse."""
    value = _text(value)
    return value.upper() if isinstance(value, str) else value


# Inputs that are ISO 3166-1 alpha-2 codes (the models' CountryFields).
COUNTRY_INPUTS = ("claimed_country", "claimed_nationality", "bank_country", "shipping_country")


def _stored(instance, name: str):
    """The value as stored: a country is its code, not django-countries' Country object."""
    value = getattr(instance, name)
    return getattr(value, "code", value)


def _unique(values) -> list:
    """The non-empty values, each once, in their order."""
    kept = []
    for value in values:
        if value and value not in kept:
            kept.append(value)
    return kept


def _as_list(values, name: str, errors: dict) -> list:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        errors.setdefault(name, []).append(_("Give a list of values."))
        return []
    if len(values) > LIST_MAX_ITEMS:
        errors.setdefault(name, []).append(_("At most %(n)d entries.") % {"n": LIST_MAX_ITEMS})
        return []
    return list(values)


def _add_row_errors(errors: dict, name: str, row: str, found: dict) -> bool:
    """Report a list row's problems under the list's name; True when there were some."""
    for messages in found.values():
        for message in messages:
            errors.setdefault(name, []).append(
                _("%(row)s: %(problem)s") % {"row": row, "problem": message}
            )
    return bool(found)


def _clean_scalars(data: dict, partial: bool, errors: dict) -> dict:
    candidate = Candidate()
    given = [name for name in CANDIDATE_FACT_FIELDS if name in data]
    for name in given:
        value = data[name]
        if name == "aliases" and isinstance(value, list | tuple | None):
            value = _unique(map(_text, value or []))
        elif name == "date_of_birth":
            value = _text(value) or None
        elif name in COUNTRY_INPUTS:
            value = _country_code(value)
        else:
            value = _text(value)
        setattr(candidate, name, value)
    found = _model_errors(candidate, given if partial else CANDIDATE_FACT_FIELDS)
    errors.update(found)
    return {name: _stored(candidate, name) for name in given if name not in found}


def _contact_input(entry) -> dict:
    """A contact given as its value alone, or as {"value", "label", "belongs_to"}."""
    if not isinstance(entry, dict):
        entry = {"value": entry}
    return {
        "value": _text(entry.get("value")),
        "label": _text(entry.get("label")),
        "belongs_to": entry.get("belongs_to") or CandidateContact.Owner.CANDIDATE,
    }


def _clean_contacts(values, name: str, spec: ContactList, errors: dict) -> list[dict]:
    rows = []
    for entry in _as_list(values, name, errors):
        row = _contact_input(entry)
        if not row["value"] or any(row["value"] == kept["value"] for kept in rows):
            continue
        contact = CandidateContact(kind=spec.kind, **row)
        shown = str(row["value"])
        shown = shown if len(shown) <= 30 else f"{shown[:30]}…"
        if _add_row_errors(errors, name, shown, _model_errors(contact)):
            continue
        if not spec.is_valid(contact.value):
            errors.setdefault(name, []).append(str(spec.problem) % {"v": contact.value})
            continue
        rows.append({key: getattr(contact, key) for key in row})
    return rows


def _clean_profiles(values, errors: dict) -> list[tuple[str, str]]:
    profiles = []
    for index, entry in enumerate(_as_list(values, "profiles", errors), start=1):
        if not isinstance(entry, dict):  # also taken as a (kind, url_or_handle) pair
            pair = entry if isinstance(entry, list | tuple) and len(entry) == 2 else ("", "?")
            entry = {"kind": pair[0], "url_or_handle": pair[1]}
        kind, value = entry.get("kind"), entry.get("url_or_handle")
        profile = OnlineProfile(kind=_text(kind), url_or_handle=_text(value))
        if not profile.url_or_handle:
            continue
        row = _("Row %(n)d") % {"n": index}
        if not _add_row_errors(errors, "profiles", row, _model_errors(profile)):
            profiles.append((profile.kind, profile.url_or_handle))
    return profiles


HISTORY_FIELDS = ("kind", "organisation", "country", "start_year", "end_year", "detail")


def _clean_history(values, errors: dict) -> list[dict]:
    rows = []
    for index, entry in enumerate(_as_list(values, "history", errors), start=1):
        if not isinstance(entry, dict):
            entry = {}
        given = {name: _text(entry.get(name)) for name in HISTORY_FIELDS}
        entry = HistoryEntry(**dict(given, country=_country_code(entry.get("country"))))
        if not entry.organisation:
            continue
        for bound in ("start_year", "end_year"):
            setattr(entry, bound, getattr(entry, bound) or None)
        row = _("Row %(n)d") % {"n": index}
        if not _add_row_errors(errors, "history", row, _model_errors(entry)):
            rows.append({name: _stored(entry, name) for name in HISTORY_FIELDS})
    return rows


def clean_candidate_facts(data: dict, *, partial: bool = False) -> CandidateFacts:
    """Check candidate input from any interface; ServiceValidationError lists every problem."""
    errors: dict[str, list[str]] = {}
    facts = CandidateFacts(fields=_clean_scalars(data, partial, errors))
    for name, spec in CONTACT_LISTS.items():
        if name in data:
            facts.contacts[name] = _clean_contacts(data[name], name, spec, errors)
    if "profiles" in data:
        facts.profiles = _clean_profiles(data["profiles"], errors)
    if "history" in data:
        facts.history = _clean_history(data["history"], errors)
    if errors:
        raise ServiceValidationError(errors)
    return facts


def _write_candidate(candidate: Candidate, facts: CandidateFacts, actor) -> Candidate:
    for name, value in facts.fields.items():
        setattr(candidate, name, value)
    if candidate.pk is not None:
        candidate.version += 1
    set_identity_keys(candidate)
    save_as(candidate, actor)
    if facts.contacts:
        wanted = []
        for name, values in facts.contacts.items():
            spec = CONTACT_LISTS[name]
            wanted += [
                dict(row, kind=spec.kind, normalized=spec.key(row["value"], candidate))
                for row in values
            ]
        _replace_rows(
            candidate.contacts.filter(kind__in=[CONTACT_LISTS[n].kind for n in facts.contacts]),
            wanted,
            key=lambda row: (row["kind"], row["value"], row["label"], row["belongs_to"]),
            model=CandidateContact,
            candidate=candidate,
            actor=actor,
        )
    if "claimed_country" in facts.fields:
        rekey_contacts(candidate)
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


def set_identity_keys(candidate: Candidate) -> None:
    """The candidate's normalised keys that link cases, from its facts (not saved here)."""
    candidate.normalized_name = normalize.normalize_name(candidate.legal_name)
    candidate.name_key = normalize.name_key(candidate.legal_name)
    candidate.normalized_shipping_address = normalize.normalize_address(candidate.shipping_address)
    candidate.account_number_index = crypto.account_number_index(candidate.account_number)
    candidate.identity_document_index = crypto.blind_index(candidate.identity_document_number)


def rekey_contacts(candidate: Candidate) -> None:
    """Recompute the normalised contacts whose key depends on other facts (phones on the
    claimed country). A derived key, not a fact: written without a history row."""
    specs = {spec.kind: spec for spec in CONTACT_LISTS.values()}
    for contact in candidate.contacts.all():
        key = specs[contact.kind].key(contact.value, candidate)
        if key != contact.normalized:
            CandidateContact.objects.filter(pk=contact.pk).update(normalized=key)


def _replace_rows(existing_qs, wanted: list[dict], *, key, model, candidate, actor) -> None:
    """Make the related rows equal `wanted`, touching (and so historising) only what changed."""
    fields = list(wanted[0].keys()) if wanted else []
    existing = {}
    for row in existing_qs:
        row_key = key({f: getattr(row, f) for f in fields}) if fields else None
        if row_key is not None and row_key not in existing:
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
    """Open a case for an applicant: candidate facts, pinned catalogues, one answer per item.

    `data["catalog_version"]`: the base version's code (default: the default base);
    `data["supplements"]`: codes of the versions asked besides it (absent or None: the
    defaults for new cases; a list, even empty, replaces them)."""
    require_role(actor, roles.HR, action=_("open cases"))
    errors = {}
    try:
        facts = clean_candidate_facts(data)
    except ServiceValidationError as exc:
        errors.update(exc.errors)
    try:
        version, extra = choose_versions(data.get("catalog_version"), data.get("supplements"))
    except ServiceValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ServiceValidationError(errors)
    candidate = _write_candidate(Candidate(), facts, actor)
    case = Case(
        reference=_next_reference(timezone.now()),
        candidate=candidate,
        owner=actor,
        catalog_version=version,
        status=Status.DRAFT,
    )
    save_as(case, actor, reason="opened")
    pin_versions(case, extra, actor)
    versions = [version, *extra]
    items = create_answers(case, versions, actor)
    links = selectors.linked_cases(case)
    case_event(
        actor,
        "case.opened",
        case,
        f"Opened case {case.reference} for {candidate.legal_name} "
        f"(catalogue {', '.join(v.code for v in versions)})",
        candidate=candidate.legal_name,
        catalog_version=version.code,
        catalog_versions=[v.code for v in versions],
        items=items,
        linked_cases=_linked_references(links),
    )
    _screen_with_links(case, actor, links)
    return case


def _linked_references(links) -> dict[str, list[str]]:
    """What this candidate shares with other cases, kept in the audit trail when facts change."""
    return {link.case.reference: sorted({what for what, _shown in link.matches}) for link in links}


def _screen_with_links(case: Case, actor, links) -> None:
    """Screen the case, then the open cases it is now linked to (their link findings count it)."""
    screen_case(case, actor, links=links)
    rescreen_linked_cases(case, links)


@records_refusals("candidate.updated")
@transaction.atomic
def update_candidate(actor, case: Case, data: dict, *, expected_version: int | None = None) -> Case:
    """Change candidate facts (only the keys given). Returns the case; see linked_cases().

    With `expected_version` (the candidate's version the change was based on), a change to
    facts someone saved since is refused with StaleVersion."""
    require_role(actor, roles.HR, action=_("edit candidate facts"))
    case = lock_case(case)
    require_editable(case)
    facts = clean_candidate_facts(data, partial=True)
    require_version(case.candidate, expected_version, _("the candidate facts"))
    changed = sorted(
        set(facts.fields) | {k for k in (*CONTACT_LISTS, "profiles", "history") if k in data}
    )
    _write_candidate(case.candidate, facts, actor)
    start_assessing_if_draft(case, actor)
    links = selectors.linked_cases(case)
    case_event(
        actor,
        "candidate.updated",
        case,
        f"Updated candidate facts of {case.reference}: {', '.join(changed) or 'nothing'}",
        obj=case.candidate,
        fields=changed,
        linked_cases=_linked_references(links),
    )
    _screen_with_links(case, actor, links)
    return case
