"""Documents built from a case: what they say (context) and the PDF rendering.

Layout is blocks rather than wide tables: WeasyPrint lays out blocks several times faster, which
keeps a typical risk summary well under the 1.5 s budget (see `make bench`).
"""

import datetime
import logging
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format

from .labels import choice_label, labels
from .selectors import Dossier

# WeasyPrint logs every layout step at INFO: noise in worker logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class DocumentError(Exception):
    """A document cannot be produced; the message is shown to the user as the job's error."""


def fmt_dt(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    return value.isoformat()


def fmt_size(size: int | None) -> str:
    if size is None:
        return ""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{number_format(round(size / scale, 1), use_l10n=False)} {unit}"
    return f"{size} B"


def css_string(value: str) -> str:
    """A value safe inside a double-quoted CSS string in a <style> element."""
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + escaped.replace("\n", "\\a ") + '"'


def user_name(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _refuse_urls(url, *args, **kwargs):
    # Documents are self-contained: nothing from the network or disk beyond installed fonts.
    raise ValueError(f"Documents do not load external resources ({url}).")


# Between two Hangul syllables: WeasyPrint has no `word-break: keep-all`, and without this
# Korean lines break in the middle of words. U+2060 WORD JOINER forbids the break, prints nothing.
_HANGUL_PAIR = re.compile("(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
WORD_JOINER = "\u2060"


def keep_korean_words(html: str) -> str:
    """Join Hangul syllables in the body only: the <title> becomes the PDF's metadata."""
    head, body_tag, body = html.partition("<body")
    return head + body_tag + _HANGUL_PAIR.sub(WORD_JOINER, body)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is slow and only workers need it

    html = keep_korean_words(render_to_string(template, context))
    return HTML(string=html, url_fetcher=_refuse_urls).write_pdf()


# ---------------------------------------------------------------- shared parts


def page_context(job, language: str, generated_at: datetime.datetime, title: str) -> dict:
    L = labels(language)
    reference = job.case.reference if job.case_id else ""
    return {
        "L": L,
        "language": language,
        "title": title,
        "organisation": settings.VETTING_ORGANISATION_NAME,
        "job": job,
        "generated_at": fmt_dt(generated_at),
        "requester": user_name(job.requester),
        "page_css": {
            "top_left": css_string(f"{reference} · {title}"),
            "top_right": css_string(L["confidential"]),
            "bottom_left": css_string(
                f"{L['generated_at']} {fmt_dt(generated_at)} · {L['report_job']} #{job.pk}"
            ),
            "page_prefix": css_string(f"{L['page']} "),
            "page_middle": css_string(f" {L['of']} "),
        },
    }


def candidate_rows(dossier: Dossier, language: str, *, clear_numbers: bool = False) -> list:
    """(label, value) rows of the candidate's claimed facts; numbers masked unless asked."""
    L = labels(language)
    c = dossier.candidate
    none = L["none_recorded"]
    residence = ", ".join(v for v in (c.claimed_city, c.claimed_country) if v)
    sourcing = choice_label(language, "sourcing", c.sourcing_channel)
    if c.sourcing_name:
        sourcing = f"{sourcing} — {c.sourcing_name}"
    history = [
        f"{choice_label(language, 'history_kind', h.kind)}: {h.organisation}"
        + (f" ({h.country})" if h.country else "")
        + f" {h.start_year or '?'}–{h.end_year or '?'}"
        + (f", {h.detail}" if h.detail else "")
        for h in dossier.history_entries
    ]
    if clear_numbers:
        account, identity_number = c.account_number, c.identity_document_number
    else:
        account, identity_number = c.masked_account_number, c.masked_identity_document_number
    identity = " ".join(v for v in (c.identity_document_type, identity_number) if v)
    rows = [
        (L["legal_name"], c.legal_name),
        (L["aliases"], ", ".join(c.aliases) or none),
        (L["date_of_birth"], c.date_of_birth.isoformat() if c.date_of_birth else none),
        (L["claimed_residence"], residence or none),
        (L["claimed_nationality"], c.claimed_nationality or none),
        (L["sourcing"], sourcing),
        (L["role_applied_for"], c.role_applied_for),
        (L["emails"], ", ".join(dossier.emails) or none),
        (L["phones"], ", ".join(dossier.phones) or none),
        (L["ip_addresses"], ", ".join(dossier.ip_addresses) or none),
        (
            L["profiles"],
            "; ".join(f"{p.get_kind_display()}: {p.url_or_handle}" for p in dossier.profiles)
            or none,
        ),
        (L["education_employment"], "; ".join(history) or none),
        (L["shipping_address"], c.shipping_address or none),
        (L["bank"], c.bank_name or none),
        (L["routing_number"], c.routing_number or none),
    ]
    suffix = "" if clear_numbers else "_masked"
    rows += [
        (L["account_number" + suffix], account or none),
        (L["identity_document" + suffix], identity or none),
    ]
    return rows


def item_title(dossier: Dossier, code: str, fallback: str, language: str) -> str:
    item = dossier.items_by_code.get(code)
    return item.localized_title(language) if item else fallback


def risk_context(dossier: Dossier, language: str) -> dict:
    L = labels(language)
    risk = dossier.risk
    contributions = []
    for c in risk.get("contributions", []):
        reason = choice_label(language, "reason", c["value"])
        if c.get("critical") and c["code"] in risk.get("forced_critical_by", []):
            reason = f"{reason} — {L['critical_item']}"
        contributions.append(
            {
                "code": c["code"],
                "title": item_title(dossier, c["code"], c["title"], language),
                "answer": choice_label(language, "answer", c["value"]) or L["unanswered"],
                "points": c["points"],
                "reason": reason,
            }
        )
    return {
        "score": risk["score"],
        "level": choice_label(language, "risk_level", risk["level"]),
        "level_code": risk["level"],
        "policy_version": risk["policy_version"],
        "catalog_version": risk["catalog_version"],
        "inputs_hash": risk["inputs_hash"],
        "computed_at": fmt_dt(risk.get("computed_at")),
        "forced_critical_by": ", ".join(risk.get("forced_critical_by", [])),
        "contributions": contributions,
        "note": L["snapshot_note"] if dossier.risk_is_snapshot else L["current_note"],
    }


def evidence_rows(dossier: Dossier, language: str) -> list[dict]:
    return [
        {
            "number": index,
            "name": e.original_name,
            "description": e.description,
            "content_type": e.content_type,
            "size": fmt_size(e.size),
            "sha256": e.sha256,
            "uploaded_by": e.uploaded_by.get_username(),
            "uploaded_at": fmt_dt(e.uploaded_at),
            "withdrawn": (
                f"{fmt_dt(e.withdrawn_at)} — {e.withdrawn_reason}" if e.is_withdrawn else ""
            ),
            "items": ", ".join(a.item.code for a in e.answers.all()),
        }
        for index, e in enumerate(dossier.evidence, start=1)
    ]


def catalog_context(dossier: Dossier) -> dict:
    source = dossier.catalog.source or {}
    return {
        "code": dossier.catalog.code,
        "title": dossier.catalog.title,
        "advisory": source.get("advisory", dossier.catalog.title),
        "agencies": ", ".join(source.get("agencies", [])),
        "date": source.get("date", dossier.catalog.published_on.isoformat()),
        "url": source.get("url", ""),
        "sha256": dossier.catalog.content_sha256,
    }


# ---------------------------------------------------------------- risk summary


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
                    "title": item.localized_title(language),
                    "kind": choice_label(language, "kind", item.kind),
                    "is_red_flag": item.is_red_flag,
                    "critical": item.critical,
                    "weight": item.weight,
                    "value": a.value,
                    "answer": choice_label(language, "answer", a.value),
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
        categories.append({"name": choice_label(language, "category", category), "answers": rows})
    return categories


def risk_summary_context(job, dossier: Dossier, generated_at: datetime.datetime) -> dict:
    language = job.language
    L = labels(language)
    case = dossier.case
    context = page_context(job, language, generated_at, L["risk_summary_title"])
    context.update(
        {
            "case": case,
            "case_rows": [
                (L["reference"], case.reference),
                (L["status"], choice_label(language, "status", case.status)),
                (L["decision"], choice_label(language, "decision", case.decision) or "—"),
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
            "signoffs": [
                {
                    "reviewer": user_name(s.reviewer),
                    "outcome": choice_label(language, "outcome", s.outcome),
                    "note": s.note,
                    "risk": f"{s.risk_score if s.risk_score is not None else '—'} "
                    f"{choice_label(language, 'risk_level', s.risk_level)}".strip(),
                    "inputs_hash": s.inputs_hash,
                    "signed_at": fmt_dt(s.signed_at),
                }
                for s in dossier.signoffs
            ],
            "history": {
                "key_events": [
                    {"at": fmt_dt(e.at), "by": e.actor_username, "summary": e.summary}
                    for e in dossier.history.key_events
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
            "integrity_note": L["integrity_note"].format(job=job.pk),
        }
    )
    return context


def render_risk_summary(job, dossier: Dossier, generated_at: datetime.datetime) -> bytes:
    return render_pdf(
        "reports/pdf/risk_summary.html", risk_summary_context(job, dossier, generated_at)
    )
