"""Every write to a case goes through these functions: web pages, API and admin alike.

Each function checks the actor's role and the case's state, changes the data in one
transaction, attributes the django-simple-history record to the actor and appends an audit event.
"""

import datetime
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts import roles
from audit.services import record_event
from common.errors import FourEyesViolation, InvalidTransition, NotAllowed, ServiceValidationError
from indicators.models import CatalogVersion
from indicators.selectors import NoCatalogError, default_catalog_version, version_items

from . import crypto, normalize, scoring, selectors, uploads
from .models import (
    EDITABLE_STATUSES,
    FINAL_STATUSES,
    VALUES_BY_KIND,
    VALUES_NEEDING_NOTE,
    AnswerValue,
    Candidate,
    CandidateContact,
    Case,
    CaseSequence,
    ChecklistAnswer,
    ContactKind,
    Decision,
    Evidence,
    HistoryEntry,
    OnlineProfile,
    ProfileKind,
    SensitiveReveal,
    SignOff,
    SignOffOutcome,
    SourcingChannel,
    Status,
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
SENSITIVE_FIELDS = ("account_number", "identity_document_number")


# ---------------------------------------------------------------- helpers


def _save(obj, actor, reason: str = "", **kwargs):
    obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]
    obj.save(**kwargs)
    return obj


def _require_role(actor, *allowed: str, action: str) -> None:
    if not roles.has_role(actor, *allowed):
        names = " or ".join(allowed)
        raise NotAllowed(
            _("Only %(roles)s users may %(action)s.") % {"roles": names, "action": action}
        )


def _require_editable(case: Case) -> None:
    if case.status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            _("Case %(ref)s is %(status)s: it can only be changed while draft or assessing.")
            % {"ref": case.reference, "status": case.get_status_display()}
        )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("candidate").get(pk=case.pk)


def _event(actor, action: str, case: Case, summary: str, obj=None, **data):
    return record_event(
        actor=actor,
        action=action,
        obj=obj if obj is not None else case,
        case_reference=case.reference,
        summary=summary,
        data=data,
    )


# ---------------------------------------------------------------- candidate facts


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
    _save(candidate, actor)
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
            _save(model(candidate=candidate, **values), actor)
    for row_key, row in existing.items():
        if row_key not in wanted_keys:
            row._history_user = actor
            row.delete()


def _next_reference(now: datetime.datetime) -> str:
    sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=now.year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"VET-{now.year}-{sequence.last_number:06d}"


@transaction.atomic
def open_case(actor, data: dict) -> Case:
    """Open a case for an applicant: candidate facts, pinned catalogue, one answer per item."""
    _require_role(actor, roles.HR, action=_("open cases"))
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
    _save(case, actor, reason="opened")
    answers = [ChecklistAnswer(case=case, item=item) for item in version_items(version)]
    bulk_create_with_history(answers, ChecklistAnswer, default_user=actor)
    _event(
        actor,
        "case.opened",
        case,
        f"Opened case {case.reference} for {candidate.legal_name} (catalogue {version.code})",
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


@transaction.atomic
def update_candidate(actor, case: Case, data: dict) -> Case:
    """Change candidate facts (only the keys given). Returns the case; see linked_cases()."""
    _require_role(actor, roles.HR, action=_("edit candidate facts"))
    case = _lock(case)
    _require_editable(case)
    facts = clean_candidate_facts(data, partial=True)
    changed = sorted(
        set(facts.fields) | {k for k in (*CONTACT_LISTS, "profiles", "history") if k in data}
    )
    _write_candidate(case.candidate, facts, actor)
    _start_assessing_if_draft(case, actor)
    _event(
        actor,
        "candidate.updated",
        case,
        f"Updated candidate facts of {case.reference}: {', '.join(changed) or 'nothing'}",
        obj=case.candidate,
        fields=changed,
        linked_cases=_linked_references(case),
    )
    return case


def _start_assessing_if_draft(case: Case, actor) -> None:
    if case.status == Status.DRAFT:
        case.status = Status.ASSESSING
        _save(case, actor, reason="assessment started")
        _event(actor, "case.assessing", case, f"Assessment of {case.reference} started")


# ---------------------------------------------------------------- checklist


@transaction.atomic
def answer_item(actor, case: Case, item_code: str, value: str, note: str = "") -> ChecklistAnswer:
    _require_role(actor, roles.HR, action=_("answer checklist items"))
    case = _lock(case)
    _require_editable(case)
    answer = (
        ChecklistAnswer.objects.select_for_update()
        .select_related("item")
        .filter(case=case, item__code=item_code)
        .first()
    )
    if answer is None:
        raise ServiceValidationError(
            {
                "item": _("%(code)s is not an item of catalogue %(v)s.")
                % {"code": item_code, "v": case.catalog_version.code}
            }
        )
    value = (value or "").strip()
    note = (note or "").strip()
    allowed = VALUES_BY_KIND[answer.item.kind]
    if value not in allowed:
        raise ServiceValidationError(
            {
                "value": _("For a %(kind)s choose one of: %(values)s.")
                % {"kind": answer.item.get_kind_display().lower(), "values": ", ".join(allowed)}
            }
        )
    if value in VALUES_NEEDING_NOTE and not note:
        raise ServiceValidationError(
            {
                "note": _(
                    "A note is required when the answer is “%(v)s”: say what was seen or why."
                )
                % {"v": AnswerValue(value).label}
            }
        )
    if len(note) > 5000:
        raise ServiceValidationError({"note": _("At most 5000 characters.")})
    if answer.value == value and answer.note == note:
        return answer
    previous = answer.value
    answer.value, answer.note = value, note
    answer.answered_by, answer.answered_at = actor, timezone.now()
    _save(answer, actor)
    _start_assessing_if_draft(case, actor)
    _event(
        actor,
        "answer.recorded",
        case,
        f"{answer.item.code} answered “{value}” on {case.reference}"
        + (f" (was “{previous}”)" if previous else ""),
        obj=answer,
        item=answer.item.code,
        value=value,
        previous=previous,
    )
    return answer


# ---------------------------------------------------------------- evidence


@transaction.atomic
def upload_evidence(
    actor, case: Case, uploaded_file, description: str = "", answer_codes: list[str] | None = None
) -> Evidence:
    """Store an evidence file after checking its real type and size. Nothing is kept on error."""
    _require_role(actor, roles.HR, action=_("upload evidence"))
    case = _lock(case)
    _require_editable(case)
    if uploaded_file is None:
        raise ServiceValidationError({"file": _("Choose a file to upload.")})
    max_bytes = settings.EVIDENCE_MAX_BYTES
    size = uploaded_file.size or 0
    if size == 0:
        raise ServiceValidationError({"file": _("The file is empty.")})
    if size > max_bytes:
        raise ServiceValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)}
            }
        )
    original_name = uploads.sanitize_filename(getattr(uploaded_file, "name", "") or "")
    uploaded_file.seek(0)
    head = uploaded_file.read(4096)
    content_type = uploads.sniff_content_type(head, original_name)
    if content_type is None:
        raise ServiceValidationError(
            {
                "file": _("This type of file is not accepted. Allowed: %(types)s.")
                % {"types": uploads.ALLOWED_DESCRIPTION}
            }
        )
    if len(description) > 500:
        raise ServiceValidationError({"description": _("At most 500 characters.")})
    answers = []
    if answer_codes:
        answers = list(ChecklistAnswer.objects.filter(case=case, item__code__in=answer_codes))
        missing = set(answer_codes) - {a.item.code for a in answers}
        if missing:
            raise ServiceValidationError(
                {"answers": _("Not items of this case: %(c)s.") % {"c": ", ".join(sorted(missing))}}
            )
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    evidence = Evidence(
        case=case,
        stored_name=f"{uuid.uuid4().hex}{uploads.ALLOWED_TYPES[content_type]}",
        original_name=original_name,
        description=description.strip(),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    evidence.file.save(evidence.stored_name, uploaded_file, save=False)
    try:
        _save(evidence, actor)
        if answers:
            evidence.answers.set(answers)
    except Exception:
        evidence.file.delete(save=False)
        raise
    _start_assessing_if_draft(case, actor)
    _event(
        actor,
        "evidence.uploaded",
        case,
        f"Uploaded {original_name} ({content_type}, {size} bytes) to {case.reference}",
        obj=evidence,
        sha256=evidence.sha256,
        size=size,
        content_type=content_type,
        answers=[a.item.code for a in answers],
    )
    return evidence


@transaction.atomic
def link_evidence(actor, evidence: Evidence, answer_codes: list[str]) -> Evidence:
    _require_role(actor, roles.HR, action=_("link evidence"))
    case = _lock(evidence.case)
    _require_editable(case)
    answers = list(ChecklistAnswer.objects.filter(case=case, item__code__in=answer_codes))
    missing = set(answer_codes) - {a.item.code for a in answers}
    if missing:
        raise ServiceValidationError(
            {"answers": _("Not items of this case: %(c)s.") % {"c": ", ".join(sorted(missing))}}
        )
    evidence.answers.set(answers)
    _event(
        actor,
        "evidence.linked",
        case,
        f"Linked {evidence.original_name} to {', '.join(sorted(answer_codes)) or 'no items'}",
        obj=evidence,
        answers=answer_codes,
    )
    return evidence


@transaction.atomic
def withdraw_evidence(actor, evidence: Evidence, reason: str) -> Evidence:
    """Mark evidence as withdrawn. The file and its hash stay for the audit trail."""
    _require_role(actor, roles.HR, action=_("withdraw evidence"))
    case = _lock(evidence.case)
    _require_editable(case)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceValidationError({"reason": _("Say why the evidence is withdrawn.")})
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.is_withdrawn:
        raise InvalidTransition(_("This evidence was already withdrawn."))
    evidence.withdrawn_at, evidence.withdrawn_by = timezone.now(), actor
    evidence.withdrawn_reason = reason[:2000]
    _save(evidence, actor, reason="withdrawn")
    _event(
        actor,
        "evidence.withdrawn",
        case,
        f"Withdrew {evidence.original_name}: {reason}",
        obj=evidence,
        reason=reason,
    )
    return evidence


def record_evidence_download(actor, evidence: Evidence) -> None:
    if not selectors.can_view_case(actor, evidence.case):
        raise NotAllowed(_("You may not download evidence of this case."))
    _event(
        actor,
        "evidence.downloaded",
        evidence.case,
        f"Downloaded {evidence.original_name} of {evidence.case.reference}",
        obj=evidence,
        sha256=evidence.sha256,
    )


# ---------------------------------------------------------------- risk


def risk_snapshot(case: Case) -> dict:
    """Score the case's current answers and return the snapshot stored at submission."""
    inputs = selectors.scoring_inputs(case)
    result = scoring.compute_risk(inputs, case.catalog_version.code)
    return {
        **result.as_dict(),
        "inputs": [vars(i) for i in inputs],
        "computed_at": timezone.now().isoformat(),
    }


def recompute_snapshot(snapshot: dict) -> scoring.RiskResult:
    """Recompute a stored snapshot from its own inputs; it must give the same result."""
    inputs = [scoring.ScoringInput(**i) for i in snapshot["inputs"]]
    return scoring.compute_risk(inputs, snapshot["catalog_version"], snapshot["policy_version"])


# ---------------------------------------------------------------- workflow


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    roles: tuple
    needs_note: bool
    label: str


TRANSITIONS = {
    "start_assessment": Transition(
        frozenset({Status.DRAFT}), Status.ASSESSING, (roles.HR,), False, "start the assessment"
    ),
    "submit": Transition(
        frozenset({Status.DRAFT, Status.ASSESSING}),
        Status.SUBMITTED,
        (roles.HR,),
        False,
        "submit the case for review",
    ),
    "close_cleared": Transition(
        frozenset({Status.SUBMITTED}),
        Status.CLOSED_CLEARED,
        (roles.HR,),
        False,
        "close the case as cleared",
    ),
    "start_review": Transition(
        frozenset({Status.SUBMITTED}),
        Status.IN_REVIEW,
        (roles.REVIEWER,),
        False,
        "start the review",
    ),
    "approve": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.APPROVED,
        (roles.REVIEWER,),
        False,
        "approve (clear) the case",
    ),
    "reject": Transition(
        frozenset({Status.IN_REVIEW}), Status.REJECTED, (roles.REVIEWER,), True, "reject the case"
    ),
    "refer": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.REFERRED,
        (roles.REVIEWER,),
        True,
        "refer the case to the authorities",
    ),
    "return": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.ASSESSING,
        (roles.REVIEWER,),
        True,
        "return the case for more work",
    ),
    "reopen": Transition(
        frozenset(FINAL_STATUSES),
        Status.ASSESSING,
        (roles.HR, roles.REVIEWER),
        True,
        "reopen the case",
    ),
}
SIGN_OFF_ACTIONS = {
    "approve": (SignOffOutcome.APPROVE, Decision.CLEARED),
    "reject": (SignOffOutcome.REJECT, Decision.REJECTED),
    "refer": (SignOffOutcome.REFER, Decision.REFERRED),
    "return": (SignOffOutcome.RETURN, ""),
}
REVIEW_ACTIONS = {"start_review", *SIGN_OFF_ACTIONS}


def _check_four_eyes(actor, case: Case) -> None:
    if actor.pk in selectors.assessor_ids(case):
        raise FourEyesViolation(
            _(
                "Four-eyes rule: you assessed %(ref)s (you own it or recorded its facts, answers "
                "or evidence), so another reviewer must review it."
            )
            % {"ref": case.reference}
        )


def _check_preconditions(action: str, case: Case, actor) -> None:
    if action == "submit":
        unanswered = selectors.unanswered_items(case)
        if unanswered:
            codes = ", ".join(a.item.code for a in unanswered[:8])
            more = len(unanswered) - 8
            raise ServiceValidationError(
                {
                    "__all__": _(
                        "Answer every checklist item before submitting: "
                        "%(n)d left (%(codes)s%(more)s)."
                    )
                    % {
                        "n": len(unanswered),
                        "codes": codes,
                        "more": f" and {more} more" if more > 0 else "",
                    }
                }
            )
    if action == "close_cleared":
        reasons = selectors.why_not_closable_by_hr(case)
        if reasons:
            raise InvalidTransition(
                _(
                    "HR can close only low-risk cases with due diligence complete: %(r)s. "
                    "Send it to a reviewer instead."
                )
                % {"r": "; ".join(reasons)}
            )
    if action in REVIEW_ACTIONS:
        _check_four_eyes(actor, case)
        if action != "start_review" and case.reviewer_id and case.reviewer_id != actor.pk:
            raise NotAllowed(
                _("%(ref)s is being reviewed by %(who)s; only that reviewer can sign it off.")
                % {"ref": case.reference, "who": case.reviewer.get_username()}
            )
        if action == "start_review" and case.reviewer_id and case.reviewer_id != actor.pk:
            raise NotAllowed(
                _("%(ref)s is assigned to %(who)s.")
                % {"ref": case.reference, "who": case.reviewer.get_username()}
            )


def allowed_actions(actor, case: Case) -> list[str]:
    """The actions `actor` could take on `case` now (for showing buttons)."""
    result = []
    for action, transition in TRANSITIONS.items():
        if case.status not in transition.sources or not roles.has_role(actor, *transition.roles):
            continue
        try:
            _check_preconditions(action, case, actor)
        except (NotAllowed, InvalidTransition):
            continue
        except ServiceValidationError:
            pass  # shown with its message when tried
        result.append(action)
    return result


@transaction.atomic
def perform_action(actor, case: Case, action: str, note: str = "") -> Case:
    """Move a case through the workflow. The row lock makes concurrent actions take turns."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ServiceValidationError({"action": _("Unknown action %(a)s.") % {"a": action}})
    _require_role(actor, *transition.roles, action=_(transition.label))
    case = _lock(case)
    if case.status not in transition.sources:
        raise InvalidTransition(
            _("Cannot %(action)s: %(ref)s is %(status)s.")
            % {
                "action": _(transition.label),
                "ref": case.reference,
                "status": case.get_status_display(),
            }
        )
    note = (note or "").strip()
    if transition.needs_note and not note:
        raise ServiceValidationError(
            {"note": _("A reason is required to %(action)s.") % {"action": _(transition.label)}}
        )
    if len(note) > 5000:
        raise ServiceValidationError({"note": _("At most 5000 characters.")})
    _check_preconditions(action, case, actor)

    previous = case.status
    now = timezone.now()
    case.status = transition.target
    if action == "submit":
        snapshot = risk_snapshot(case)
        case.risk_snapshot = snapshot
        case.risk_score = snapshot["score"]
        case.risk_level = snapshot["level"]
        case.submitted_at = now
    elif action == "close_cleared":
        case.decision, case.decision_note, case.closed_at = Decision.CLEARED, note, now
    elif action == "start_review":
        case.reviewer = actor
    elif action in SIGN_OFF_ACTIONS:
        outcome, decision = SIGN_OFF_ACTIONS[action]
        snapshot = case.risk_snapshot or {}
        _save(
            SignOff(
                case=case,
                reviewer=actor,
                outcome=outcome,
                note=note,
                risk_score=case.risk_score,
                risk_level=case.risk_level,
                inputs_hash=snapshot.get("inputs_hash", ""),
            ),
            actor,
        )
        if decision:
            case.decision, case.decision_note, case.closed_at = decision, note, now
        else:
            case.reviewer = None
    elif action == "reopen":
        case.decision, case.decision_note, case.closed_at = "", "", None
        case.reviewer = None
    _save(case, actor, reason=f"{action}: {note}" if note else action)
    _event(
        actor,
        f"case.{action}",
        case,
        f"{case.reference}: {previous} → {case.status}" + (f" — {note}" if note else ""),
        previous=previous,
        status=case.status,
        note=note,
        decision=case.decision,
        risk_level=case.risk_level,
    )
    return case


@transaction.atomic
def assign_reviewer(actor, case: Case, reviewer) -> Case:
    """Assign (or with None, unassign) the reviewer of a submitted case."""
    _require_role(actor, roles.HR, roles.REVIEWER, action=_("assign reviewers"))
    case = _lock(case)
    if case.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        raise InvalidTransition(_("Only submitted cases or cases in review get a reviewer."))
    if (
        case.status == Status.IN_REVIEW
        and case.reviewer_id != getattr(actor, "pk", None)
        and not (roles.has_role(actor, roles.HR))
    ):
        raise NotAllowed(_("Only the current reviewer or HR may hand this review on."))
    if reviewer is not None:
        if not reviewer.is_active:
            raise ServiceValidationError(
                {"reviewer": _("%(u)s is deactivated.") % {"u": reviewer.get_username()}}
            )
        if not roles.has_role(reviewer, roles.REVIEWER):
            raise ServiceValidationError(
                {"reviewer": _("%(u)s is not a reviewer.") % {"u": reviewer.get_username()}}
            )
        if reviewer.pk in selectors.assessor_ids(case):
            raise ServiceValidationError(
                {
                    "reviewer": _("Four-eyes rule: %(u)s assessed this case and cannot review it.")
                    % {"u": reviewer.get_username()}
                }
            )
    case.reviewer = reviewer
    _save(case, actor, reason="reviewer assigned")
    who = reviewer.get_username() if reviewer else "nobody"
    _event(
        actor, "case.reviewer_assigned", case, f"{case.reference} assigned to {who}", reviewer=who
    )
    return case


def assign_reviewer_named(actor, case: Case, username: str | None) -> Case:
    """`assign_reviewer` by username, as the pages and the API take it; empty unassigns."""
    reviewer = None
    if username:
        reviewer = selectors.user_named(username)
        if reviewer is None or not reviewer.is_active:
            raise ServiceValidationError(
                {"reviewer": _("No active user named %(u)s.") % {"u": username}}
            )
    return assign_reviewer(actor, case, reviewer)


# ---------------------------------------------------------------- sensitive numbers


@transaction.atomic
def reveal_sensitive(actor, case: Case, field: str, reason: str) -> str:
    """Return an account or identity document number in clear, recording who asked and why."""
    if field not in SENSITIVE_FIELDS:
        raise ServiceValidationError(
            {"field": _("Choose account_number or identity_document_number.")}
        )
    if not selectors.can_reveal_sensitive(actor):
        raise NotAllowed(_("Your role may not see these numbers in clear."))
    if not selectors.can_view_case(actor, case):
        raise NotAllowed(_("You may not view this case."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceValidationError({"reason": _("Say why you need to see the number.")})
    SensitiveReveal.objects.create(case=case, field=field, revealed_by=actor, reason=reason[:300])
    _event(
        actor,
        "candidate.revealed",
        case,
        f"Revealed {field} of {case.reference}: {reason}",
        obj=case.candidate,
        field=field,
        reason=reason,
    )
    return getattr(case.candidate, field)


# ---------------------------------------------------------------- key rotation


@transaction.atomic
def rotate_field_keys() -> dict[str, int]:
    """Re-encrypt every stored sensitive number under the current (first) key.

    Raw ciphertext is rotated in place with QuerySet.update(): this is not a change of the
    candidate's facts, so it adds no history rows.
    """
    counts = {"candidates": 0, "history_rows": 0}
    for model, counter in ((Candidate, "candidates"), (Candidate.history.model, "history_rows")):
        pk_name = model._meta.pk.name
        rows = model.objects.values_list(pk_name, *SENSITIVE_FIELDS)
        for pk, *values in rows.iterator(chunk_size=500):
            # values were decrypted on read; update() re-encrypts them under the first key.
            changes = {f: v for f, v in zip(SENSITIVE_FIELDS, values, strict=True) if v}
            if changes:
                model.objects.filter(**{pk_name: pk}).update(**changes)
                counts[counter] += 1
    return counts
