"""The risk summary: a PDF of everything an auditor needs about one case, in English or Korean."""

import datetime

from django.utils import timezone, translation

from audit.summaries import describe_event
from cases.models import AnswerValue, Decision, RiskLevel, SignOffOutcome, Status
from cases.templatetags.vetting_tags import match_label
from indicators.models import Category, Kind

from .documents import (
    Built,
    candidate_rows,
    catalog_context,
    catalogs_context,
    earlier_answer_rows,
    evidence_rows,
    finding_rows,
    fmt_dt,
    page_context,
    render_pdf,
    risk_context,
    user_name,
)
from .labels import choice_label, labels
from .selectors import Dossier


def _checklist(dossier: Dossier, language: str) -> list[dict]:
    evidence_numbers = {e.pk: n for n, e in enumerate(dossier.evidence, start=1)}
    categories = []
    for category, answers in dossier.answers_by_category.items():
        rows = []
        for a in answers:
            item = a.item
            rows.append(
                {
                    "code": item.code,
                    "version": item.version.code,
                    "title": item.localized_title(language),
                    "kind": choice_label(language, Kind, item.kind),
                    "is_red_flag": item.is_red_flag,
                    "critical": item.critical,
                    "weight": item.weight,
                    "value": a.value,
                    "answer": choice_label(language, AnswerValue, a.value),
                    "note": a.note,
                    "answered_by": a.answered_by.get_username() if a.answered_by else "",
                    "answered_at": fmt_dt(a.answered_at),
                    "source_text": item.source_text,
                    "evidence": ", ".join(
                        f"E{evidence_numbers[e.pk]}"
                        for e in a.evidence.all()
                        if e.pk in evidence_numbers
                    ),
                }
            )
        categories.append({"name": choice_label(language, Category, category), "answers": rows})
    return categories


def _linked(dossier: Dossier, language: str) -> list[dict]:
    """The other cases that share an identifier with this one; protected numbers stay masked
    (cases.selectors.linked_cases shows them so)."""
    with translation.override(language):
        return [
            {
                "reference": link.case.reference,
                "status": choice_label(language, Status, link.case.status),
                "decision": choice_label(language, Decision, link.case.decision) or "—",
                "matches": "; ".join(
                    f"{match_label(what)}: {shown}" for what, shown in link.matches
                ),
            }
            for link in dossier.linked
        ]


def risk_summary_context(job, dossier: Dossier, generated_at: datetime.datetime) -> dict:
    language = job.language
    L = labels(language)
    case = dossier.case
    context = page_context(job, language, generated_at, L["risk_summary_title"])
    with translation.override(language):
        described = [describe_event(e) for e in dossier.history.key_events]
    context.update(
        {
            "case": case,
            "case_rows": [
                (L["reference"], case.reference),
                (L["status"], choice_label(language, Status, case.status)),
                (L["decision"], choice_label(language, Decision, case.decision) or "—"),
                (L["decision_note"], case.decision_note or "—"),
                (L["owner"], user_name(case.owner)),
                (L["reviewer"], user_name(case.reviewer) or "—"),
                (L["opened"], fmt_dt(case.created_at)),
                (L["submitted"], fmt_dt(case.submitted_at) or "—"),
                (L["closed"], fmt_dt(case.closed_at) or "—"),
            ],
            "candidate_rows": candidate_rows(dossier, language),
            "risk": risk_context(dossier, language),
            "categories": _checklist(dossier, language),
            "evidence": evidence_rows(dossier, language),
            "linked": _linked(dossier, language),
            "findings": finding_rows(dossier, language),
            "signoffs": [
                {
                    "reviewer": user_name(s.reviewer),
                    "outcome": choice_label(language, SignOffOutcome, s.outcome),
                    "note": s.note,
                    "risk": f"{s.risk_score if s.risk_score is not None else '—'} "
                    f"{choice_label(language, RiskLevel, s.risk_level)}".strip(),
                    "inputs_hash": s.inputs_hash,
                    "signed_at": fmt_dt(s.signed_at),
                }
                for s in dossier.signoffs
            ],
            "history": {
                "key_events": [
                    {"at": fmt_dt(e.at), "by": e.actor_username, "summary": summary}
                    for e, summary in zip(dossier.history.key_events, described, strict=True)
                ],
                "more": dossier.history.more_key_events,
                "other": [
                    {
                        "action": s.action,
                        "count": s.count,
                        "first": fmt_dt(s.first),
                        "last": fmt_dt(s.last),
                        "by": ", ".join(s.actors),
                    }
                    for s in dossier.history.other_actions
                ],
            },
            "catalog": catalog_context(dossier),
            "catalogs": catalogs_context(dossier),
            "earlier": earlier_answer_rows(dossier, language),
            "integrity_note": L["integrity_note"] % {"job": job.pk},
        }
    )
    return context


def build(job, dossier: Dossier, output, progress) -> Built:
    context = risk_summary_context(job, dossier, timezone.now())
    progress(30)
    output.write(render_pdf("reports/pdf/risk_summary.html", context))
    progress(90)
    return Built()
