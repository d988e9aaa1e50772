"""Labels of generated documents, as English message ids translated by the gettext catalogue.

Documents speak the same words as the web interface: one catalogue per language
(locale/<language>/LC_MESSAGES/django.po), so "Observed" reads the same on screen and on paper.
The ids below are the wording only documents use; stored choices (status, answer, risk level…)
are named by their model's labels.
"""

from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from signals.findings import Severity

LABELS = {
    "risk_summary_title": _("Risk summary"),
    "referral_cover_title": _("Referral packet"),
    "confidential": _("Confidential — for screening and, where referred, law enforcement"),
    "page_of": _("Page %(page)s of %(pages)s"),
    "generated_at": _("Generated"),
    "generated_by": _("Requested by"),
    "report_job": _("Report job"),
    "section_case": _("Case"),
    "section_candidate": _("Candidate (as claimed)"),
    "section_risk": _("Risk assessment"),
    "section_contributions": _("How the score was reached"),
    "section_checklist": _("Checklist answers"),
    "section_evidence": _("Evidence"),
    "section_signoffs": _("Sign-offs"),
    "section_linked": _("Linked cases"),
    "linked_intro": _("Other cases whose candidate shares an identifier with this one."),
    "no_linked": _("No other case shares an identifier with this one."),
    "shared": _("Shared"),
    "section_findings": _("Automated checks"),
    "findings_intro": _(
        "What vetting's automated checks found in the candidate's facts, each with the public "
        "source that justifies it, and what people decided about it."
    ),
    "no_findings": _("The automated checks found nothing in the candidate's facts."),
    "severity": _("Severity"),
    "check": _("Check"),
    "finding": _("Finding"),
    "source": _("Source"),
    "decided_by": _("Decided by"),
    "section_history": _("History summary"),
    "section_sources": _("Sources and versions"),
    "section_integrity": _("Document integrity"),
    "reference": _("Reference"),
    "status": _("Status"),
    "decision": _("Decision"),
    "decision_note": _("Decision note"),
    "owner": _("Owner"),
    "reviewer": _("Reviewer"),
    "opened": _("Opened"),
    "submitted": _("Submitted"),
    "closed": _("Closed"),
    "legal_name": _("Legal name"),
    "aliases": _("Aliases"),
    "date_of_birth": _("Date of birth"),
    "claimed_residence": _("Claimed residence"),
    "claimed_nationality": _("Claimed nationality"),
    "sourcing": _("Sourcing channel"),
    "role_applied_for": _("Role applied for"),
    "emails": _("E-mail addresses"),
    "phones": _("Phone numbers"),
    "ip_addresses": _("IP addresses"),
    "profiles": _("Online profiles"),
    "education_employment": _("Education and employment"),
    "shipping_address": _("Equipment shipping address"),
    "bank": _("Bank name"),
    "routing_number": _("Routing number"),
    "account_number": _("Account number"),
    "account_number_masked": _("Account number (masked)"),
    "identity_document": _("Identity document"),
    "identity_document_masked": _("Identity document (number masked)"),
    "none_recorded": _("none recorded"),
    "score": _("Risk score"),
    "policy_version": _("Scoring policy"),
    "inputs_hash": _("Inputs hash (SHA-256)"),
    "computed_at": _("Computed at"),
    "forced_critical_by": _("Forced to critical by"),
    "forced_by": _("Levels forced by"),
    "snapshot_note": _(
        "Snapshot taken at submission; recomputing it from its inputs gives the same result."
    ),
    "current_note": _("Not submitted yet: computed from the answers as they are now."),
    "code": _("Item code"),
    "item": _("Item"),
    "answer": _("Answer"),
    "points": _("Points"),
    "reason": _("Reason"),
    "no_contributions": _("No answer raised the score."),
    "unanswered": _("Not answered"),
    "note": _("Note"),
    "answered_by": _("Answered by"),
    "advisory_wording": _("Advisory wording"),
    "linked_evidence": _("Evidence"),
    "critical_item": _("critical item"),
    "weight": _("weight"),
    "uploaded": _("Uploaded"),
    "withdrawn": _("Withdrawn"),
    "no_evidence": _("No evidence was uploaded."),
    "risk_at_signoff": _("Risk at sign-off"),
    "no_signoffs": _("No sign-off yet."),
    "action": _("Recorded action"),
    "count": _("Times"),
    "first": _("First time"),
    "last": _("Last time"),
    "by": _("Done by"),
    "key_events": _("Workflow events"),
    "other_events": _("Other recorded actions"),
    "no_events": _("No events recorded."),
    "catalogue_version": _("Catalogue version"),
    "catalogue_versions": _("Catalogue versions"),
    "section_earlier": _("Answers from an earlier catalogue version"),
    "earlier_intro": _(
        "Answers to items of catalogue versions this case no longer asks, kept as they were "
        "after an upgrade: no successor item took them over. They do not count in the score."
    ),
    "no_longer_asked": _("no longer asked since"),
    "advisory": _("Advisory"),
    "agencies": _("Issuing agencies"),
    "published": _("Published on"),
    "url": _("Web address"),
    "integrity_note": _(
        "The SHA-256 of this file is recorded on report job #%(job)s when it is generated, and "
        "shown on the job's page and in the API. A PDF cannot contain its own hash: compare the "
        "recorded value with `sha256sum` of the file you hold."
    ),
    "packet_contents": _("Contents of this packet"),
    "packet_intro": _(
        "%(organisation)s refers the applicant below to the authorities on suspicion of being a "
        "DPRK IT worker applying under a false identity, following the US/ROK advisories. Every "
        "file of the packet is listed with its SHA-256 in manifest.json and manifest.sha256 "
        "(check with `sha256sum -c manifest.sha256` inside the packet's folder)."
    ),
    "where_to_file": _("Where to file"),
    "ic3_where": _(
        "United States — FBI Internet Crime Complaint Center (IC3): https://www.ic3.gov — paste "
        "ic3_complaint.txt section by section into the complaint form and attach the evidence "
        "files."
    ),
    "nis_where": _(
        "Republic of Korea — National Intelligence Service (www.nis.go.kr, 111) and Korean "
        "National Police Agency (ecrm.police.go.kr, 112): use nis_knpa_ko.txt."
    ),
    "subject": _("Subject"),
    "observed_indicators": _("Observed red flags"),
    "adverse_findings": _("Due diligence with adverse results"),
    "evidence_files": _("Evidence files"),
    "manifest_files": _("Manifest"),
    "ic3_text": _("IC3 complaint text (English)"),
    "ic3_json": _("The same, as structured data"),
    "nis_text": _("Report for NIS / KNPA (Korean)"),
    "cover": _("This cover page"),
}


def labels(language: str) -> dict[str, str]:
    """Every document label, translated into `language`."""
    with translation.override(language):
        return {key: str(text) for key, text in LABELS.items()}


def choice_label(language: str, choices: type[Choices], value: str) -> str:
    """The name of a stored choice value in `language`, as the web interface shows it; the raw
    value if it is not (or no longer) one of the choices."""
    if not value:
        return ""
    try:
        label = choices(value).label
    except ValueError:
        return value
    with translation.override(language):
        return str(label)


def severity_label(language: str, code: str) -> str:
    """A finding's severity (signals.findings.Severity, by code) in `language`."""
    try:
        severity = Severity[code.upper()]
    except KeyError:
        return code
    with translation.override(language):
        return str(severity.label)


def country_label(language: str, country, kept_text: str = "") -> str:
    """A country's name in `language`, from its alpha-2 code (or django-countries' Country).
    Without a known code: `kept_text` (what was typed before countries became codes), else the
    value as given."""
    code = str(getattr(country, "code", country) or "")
    with translation.override(language):
        name = countries.name(code) if code else ""
    return str(name) if name else (kept_text or code)
