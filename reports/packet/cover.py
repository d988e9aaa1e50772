"""The packet's cover page (PDF, in the job's language): what the packet holds, where to file."""

from django.conf import settings

from cases.models import Decision

from ..documents import (
    candidate_rows,
    catalog_context,
    catalogs_context,
    fmt_dt,
    page_context,
    render_pdf,
    risk_context,
    user_name,
)
from ..labels import choice_label, labels
from ..selectors import Dossier


def cover_context(job, dossier: Dossier, generated_at, evidence: list) -> dict:
    language = job.language
    L = labels(language)
    case = dossier.case
    context = page_context(job, language, generated_at, L["referral_cover_title"])
    referral = dossier.referral_signoff
    context.update(
        {
            "case": case,
            "intro": L["packet_intro"] % {"organisation": settings.VETTING_ORGANISATION_NAME},
            "subject_rows": candidate_rows(dossier, language)[:10],
            "decision": choice_label(language, Decision, case.decision),
            "decision_note": case.decision_note,
            "referral": {
                "reviewer": user_name(referral.reviewer),
                "signed_at": fmt_dt(referral.signed_at),
            }
            if referral
            else None,
            "risk": risk_context(dossier, language),
            "indicators": [
                {"code": a.item.code, "title": a.item.localized_title(language), "note": a.note}
                for a in dossier.observed + dossier.adverse
            ],
            "contents": [
                ("cover.pdf", L["cover"]),
                ("ic3_complaint.txt", L["ic3_text"]),
                ("ic3_complaint.json", L["ic3_json"]),
                ("nis_knpa_ko.txt", L["nis_text"]),
                ("manifest.json, manifest.sha256", L["manifest_files"]),
            ],
            "evidence": evidence,
            "catalog": catalog_context(dossier),
            "catalogs": catalogs_context(dossier),
        }
    )
    return context


def cover_pdf(job, dossier: Dossier, generated_at, evidence: list) -> bytes:
    return render_pdf(
        "reports/pdf/referral_cover.html", cover_context(job, dossier, generated_at, evidence)
    )
