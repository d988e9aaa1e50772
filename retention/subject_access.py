"""The subject access export: everything vetting holds about one candidate, as a ZIP.

Built synchronously in memory: it is a few JSON and CSV files of one case (the evidence files
only when asked for, and those are bounded by the upload limit), so a request answers it at
once and no copy is left in the report storage for a later purge to find."""

import csv
import hashlib
import io
import json
import zipfile

from django.utils import timezone

from cases.models import Candidate, Case
from cases.selectors import answers_for

from .selectors import case_audit_events

NUMBER_FIELDS = ("account_number", "identity_document_number")
SKIPPED = {"normalized_name", "name_key", "normalized_shipping_address", "version"}
SKIPPED |= {"account_number_index", "identity_document_index"}


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def candidate_facts(candidate: Candidate, *, clear_numbers: bool) -> tuple[dict, list[str]]:
    """The candidate's facts, numbers masked unless `clear_numbers`; and the numbers given in
    clear (each to be recorded as a reveal)."""
    facts, revealed = {}, []
    for f in Candidate._meta.concrete_fields:
        if f.primary_key or f.name in SKIPPED:
            continue
        value = getattr(candidate, f.name)
        if f.name in NUMBER_FIELDS and value:
            if clear_numbers:
                revealed.append(f.name)
            else:
                value = getattr(candidate, f"masked_{f.name}")
        facts[f.name] = _value(value)
    facts["contacts"] = [
        {"kind": c.kind, "value": c.value, "label": c.label, "belongs_to": c.belongs_to}
        for c in candidate.contacts.all()
    ]
    facts["online_profiles"] = [
        {"kind": p.kind, "url_or_handle": p.url_or_handle} for p in candidate.profiles.all()
    ]
    facts["education_and_employment"] = [
        {
            "kind": h.kind,
            "organisation": h.organisation,
            "country": str(h.country),
            "from": h.start_year,
            "to": h.end_year,
            "detail": h.detail,
        }
        for h in candidate.history_entries.all()
    ]
    return facts, revealed


def _who(user) -> str:
    return user.get_username() if user else ""


def build(actor, case: Case, *, clear_numbers: bool, include_files: bool):
    """(ZIP bytes, file name, SHA-256, the number fields included in clear)."""
    candidate = case.candidate
    facts, revealed = candidate_facts(candidate, clear_numbers=clear_numbers)
    files: dict[str, bytes] = {}
    files["candidate.json"] = json.dumps(facts, indent=2, ensure_ascii=False).encode()
    files["case.json"] = json.dumps(
        {
            "reference": case.reference,
            "status": case.status,
            "decision": case.decision,
            "decision_note": case.decision_note,
            "risk_level": case.risk_level,
            "risk_score": _value(case.risk_score),
            "opened_at": _value(case.created_at),
            "submitted_at": _value(case.submitted_at),
            "closed_at": _value(case.closed_at),
            "catalogue_version": case.catalog_version.code,
        },
        indent=2,
        ensure_ascii=False,
    ).encode()
    files["answers.csv"] = _csv(
        [
            {
                "item": a.item.code,
                "title": a.item.title,
                "answer": a.value,
                "note": a.note,
                "answered_by": _who(a.answered_by),
                "answered_at": _value(a.answered_at) or "",
            }
            for a in answers_for(case).select_related("answered_by")
        ]
    )
    evidence = list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"))
    files["evidence.csv"] = _csv(
        [
            {
                "file_name": e.original_name,
                "description": e.description,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_by": _who(e.uploaded_by),
                "uploaded_at": _value(e.uploaded_at),
                "withdrawn_at": _value(e.withdrawn_at) or "",
                "withdrawn_reason": e.withdrawn_reason,
            }
            for e in evidence
        ]
    )
    files["decisions.csv"] = _csv(
        [
            {
                "outcome": s.outcome,
                "note": s.note,
                "reviewer": _who(s.reviewer),
                "signed_at": _value(s.signed_at),
                "risk_level": s.risk_level,
            }
            for s in case.signoffs.select_related("reviewer")
        ]
    )
    files["findings.csv"] = _csv(
        [
            {
                "check": f.check_code,
                "severity": f.severity,
                "about": f.subject,
                "summary": f.summary,
                "detail": f.detail,
                "status": f.status,
                "note": f.note,
                "source": f.source_title,
            }
            for f in case.findings.all()
        ]
    )
    files["audit_events.csv"] = _csv(
        [
            {
                "at": _value(e.at),
                "who": e.actor_username,
                "action": e.action,
                "summary": e.summary,
                "sequence": e.sequence or "",
                "hash": e.hash,
            }
            for e in case_audit_events(case)
        ]
    )
    if include_files:
        for e in evidence:
            if not e.file:
                continue
            try:
                with e.file.open("rb") as stored:
                    files[f"evidence/{e.pk}-{e.download_name}"] = stored.read()
            except FileNotFoundError:
                continue
    now = timezone.now()
    manifest = {
        "reference": case.reference,
        "generated_at": now.isoformat(),
        "generated_by": actor.get_username(),
        "numbers": "clear" if clear_numbers else "masked",
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, data in files.items():
            archive.writestr(name, data)
    content = buffer.getvalue()
    name = f"vetting-subject-access-{case.reference}-{now:%Y%m%d}.zip"
    return content, name, hashlib.sha256(content).hexdigest(), revealed
