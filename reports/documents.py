"""Documents built from a case: what they say (context) and the PDF rendering.

Layout is blocks rather than wide tables: WeasyPrint lays out blocks several times faster, which
keeps a typical risk summary well under the 1.5 s budget (see `make bench`).
"""

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from cases.models import (
    AnswerValue,
    FindingStatus,
    HistoryEntry,
    ProfileKind,
    RiskLevel,
    SourcingChannel,
)
from cases.scoring import contribution_reason, forced_reason
from cases.templatetags.vetting_tags import contribution_title, contribution_value

from .labels import choice_label, country_label, labels, severity_label
from .selectors import Dossier

# WeasyPrint logs every layout step at INFO: noise in worker logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class DocumentError(Exception):
    """A document cannot be produced; the message is shown to the user as the job's error."""


@dataclass(frozen=True)
class Built:
    """What a report kind's `build` says about its document beyond the bytes it wrote."""

    # Stored on the job (what an integrity check found).
    summary: dict = field(default_factory=dict)
    # Sensitive candidate fields the document holds in clear; each is recorded as a reveal.
    revealed: list[str] = field(default_factory=list)


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
            **_page_number_css(L["page_of"]),
        },
    }


def _page_number_css(page_of: str) -> dict:
    """The translated "Page 1 of 3" as CSS strings around the page counters."""
    prefix, rest = page_of.split("%(page)s", 1)
    middle, suffix = rest.split("%(pages)s", 1)
    return {
        "page_prefix": css_string(prefix),
        "page_middle": css_string(middle),
        "page_suffix": css_string(suffix),
    }


def candidate_rows(dossier: Dossier, language: str, *, clear_numbers: bool = False) -> list:
    """(label, value) rows of the candidate's claimed facts; numbers masked unless asked."""
    L = labels(language)
    c = dossier.candidate
    none = L["none_recorded"]
    country = country_label(language, c.claimed_country, c.claimed_country_text)
    nationality = country_label(language, c.claimed_nationality, c.claimed_nationality_text)
    residence = ", ".join(v for v in (c.claimed_city, country) if v)
    sourcing = choice_label(language, SourcingChannel, c.sourcing_channel)
    if c.sourcing_name:
        sourcing = f"{sourcing} — {c.sourcing_name}"
    history = [
        f"{choice_label(language, HistoryEntry.Kind, h.kind)}: {h.organisation}"
        + (f" ({where})" if (where := country_label(language, h.country, h.country_text)) else "")
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
        (L["claimed_nationality"], nationality or none),
        (L["sourcing"], sourcing),
        (L["role_applied_for"], c.role_applied_for),
        (L["emails"], ", ".join(dossier.emails) or none),
        (L["phones"], ", ".join(dossier.phones) or none),
        (L["ip_addresses"], ", ".join(dossier.ip_addresses) or none),
        (
            L["profiles"],
            "; ".join(
                f"{choice_label(language, ProfileKind, p.kind)}: {p.url_or_handle}"
                for p in dossier.profiles
            )
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
        signal = c.get("kind") in ("finding", "link")  # policy 2026.2: findings and links count
        with translation.override(language):
            reason = contribution_reason(c)
            if signal:
                title, answer = contribution_title(c), contribution_value(c)
        if not signal:
            title = item_title(dossier, c["code"], c["title"], language)
            answer = choice_label(language, AnswerValue, c["value"]) or L["unanswered"]
        contributions.append(
            {
                "code": c["code"],
                "title": title,
                "answer": answer,
                "points": c["points"],
                "reason": reason,
            }
        )
    with translation.override(language):
        forced_by = [
            f"{forced_reason(f)} → {choice_label(language, RiskLevel, f['level'])}"
            for f in risk.get("forced_by") or []
        ]
    return {
        "score": risk["score"],
        "level": choice_label(language, RiskLevel, risk["level"]),
        "level_code": risk["level"],
        "policy_version": risk["policy_version"],
        "catalog_version": risk["catalog_version"],
        # Snapshots taken before several catalogues per case name their one version only.
        "catalog_versions": ", ".join(risk.get("catalog_versions") or [risk["catalog_version"]]),
        "inputs_hash": risk["inputs_hash"],
        "computed_at": fmt_dt(risk.get("computed_at")),
        "forced_critical_by": ", ".join(risk.get("forced_critical_by", [])),
        "forced_by": "; ".join(forced_by),
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


def finding_rows(dossier: Dossier, language: str) -> list[dict]:
    """The stored findings of the automated checks, most severe first, with their sources and
    decisions. Summaries are stored in English and translated here; details carry the values
    as they were found."""
    rows = []
    with translation.override(language):
        for finding in dossier.findings:
            decided = ""
            if finding.decided_at:
                decided = f"{user_name(finding.decided_by)}, {fmt_dt(finding.decided_at)}"
            rows.append(
                {
                    "check": finding.check_code,
                    "severity": severity_label(language, finding.severity),
                    "severity_code": finding.severity,
                    "summary": gettext(finding.summary),
                    "detail": finding.detail,
                    "status": choice_label(language, FindingStatus, finding.status),
                    "decided": decided,
                    "note": finding.note,
                    "source_title": finding.source_title,
                    "source_url": finding.source_url,
                }
            )
    return rows


def version_context(version) -> dict:
    source = version.source or {}
    return {
        "code": version.code,
        "title": version.title,
        "kind": version.kind,
        "advisory": source.get("advisory", version.title),
        "agencies": ", ".join(source.get("agencies", [])),
        "date": source.get("date", version.published_on.isoformat()),
        "url": source.get("url", ""),
        "sha256": version.content_sha256,
    }


def catalog_context(dossier: Dossier) -> dict:
    """The case's base catalogue version (`catalogs_context` for every pinned one)."""
    return version_context(dossier.catalog)


def catalogs_context(dossier: Dossier) -> list[dict]:
    """Every catalogue version the case pins, base first."""
    return [version_context(version) for version in dossier.catalogs or [dossier.catalog]]


def earlier_answer_rows(dossier: Dossier, language: str) -> list[dict]:
    """Answers kept from an earlier catalogue version after an upgrade: shown, not scored."""
    return [
        {
            "code": a.item.code,
            "version": a.item.version.code,
            "title": a.item.localized_title(language),
            "value": a.value,
            "answer": choice_label(language, AnswerValue, a.value),
            "note": a.note,
            "answered_by": a.answered_by.get_username() if a.answered_by else "",
            "answered_at": fmt_dt(a.answered_at),
            "retired_at": fmt_dt(a.retired_at),
        }
        for a in dossier.earlier_answers
    ]
