"""The IC3 complaint: the case's facts arranged by the sections of the FBI's online form, as JSON
and as text to paste. In English: the form is."""

import datetime

from django.conf import settings

from cases.models import ProfileKind, SourcingChannel
from indicators.models import Category

from ..documents import catalog_context, catalogs_context, user_name
from ..labels import choice_label, country_label
from ..selectors import Dossier
from . import narrative
from .evidence import evidence_numbers

IC3_URL = "https://www.ic3.gov"
NIS_KNPA = (
    "National Intelligence Service (www.nis.go.kr, 111) / National Police Agency "
    "(ecrm.police.go.kr, 112)"
)
NO_IP_ADDRESS = "No IP address is recorded in vetting."


def _indicator(answer, evidence_numbers: dict) -> dict:
    item = answer.item
    return {
        "code": item.code,
        "title": item.title,
        "category": choice_label("en", Category, item.category),
        "advisory_wording": item.source_text,
        "advisory_section": item.source_section,
        "observation": answer.note,
        "recorded_by": answer.answered_by.get_username() if answer.answered_by else "",
        "recorded_at": answer.answered_at.isoformat() if answer.answered_at else "",
        "evidence": [
            evidence_numbers[e.pk] for e in answer.evidence.all() if e.pk in evidence_numbers
        ],
    }


def ic3_complaint(
    job, dossier: Dossier, generated_at: datetime.datetime, evidence: list, facts
) -> dict:
    """The case's facts, arranged by the sections of the IC3 complaint form."""
    case, c = dossier.case, dossier.candidate
    numbers = evidence_numbers(evidence)
    risk = dossier.risk
    referral = dossier.referral_signoff
    country = country_label("en", c.claimed_country, c.claimed_country_text)
    residence = ", ".join(v for v in (c.claimed_city, country) if v)
    payment_indicators = [
        _indicator(a, numbers)
        for a in dossier.observed + dossier.adverse
        if a.item.category == Category.PAYMENT
    ]
    return {
        "form": f"FBI Internet Crime Complaint Center (IC3) complaint — {IC3_URL}",
        "case_reference": case.reference,
        "report_job": job.pk,
        "generated_at": generated_at.isoformat(),
        "victim_information": {
            "organisation": settings.VETTING_ORGANISATION_NAME,
            "role": "Employer screening a job applicant (prospective employer)",
            "to_complete": "Contact person's name, business address, phone and e-mail.",
        },
        "financial_transactions": {
            "transactions": [],
            "summary": (
                "No payment to the applicant is recorded in vetting: the applicant was screened "
                "before or while being hired. If money was paid or lost, add each transaction "
                "(date, amount, method, receiving bank and account) in the form."
            ),
            "payment_details_supplied_by_subject": {
                "bank_name": c.bank_name,
                "routing_number": c.routing_number,
                "account_number": c.account_number,
            },
            "payment_related_indicators": payment_indicators,
        },
        "subjects": [
            {
                "name": c.legal_name,
                "aliases": list(c.aliases),
                "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else "",
                "claimed_nationality": country_label(
                    "en", c.claimed_nationality, c.claimed_nationality_text
                ),
                "claimed_residence": residence,
                "addresses": [a for a in (c.shipping_address,) if a],
                "phones": dossier.phones,
                "emails": dossier.emails,
                "websites_and_profiles": [
                    {"kind": choice_label("en", ProfileKind, p.kind), "value": p.url_or_handle}
                    for p in dossier.profiles
                ],
                "ip_addresses": dossier.ip_addresses,
                "ip_addresses_note": "" if dossier.ip_addresses else NO_IP_ADDRESS,
                "identity_document": {
                    "type": c.identity_document_type,
                    "number": c.identity_document_number,
                },
                "sourced_through": {
                    "channel": choice_label("en", SourcingChannel, c.sourcing_channel),
                    "name": c.sourcing_name,
                },
                "role_applied_for": c.role_applied_for,
                "education_and_employment_claimed": [
                    {
                        "kind": h.kind,
                        "organisation": h.organisation,
                        "country": country_label("en", h.country, h.country_text),
                        "from": h.start_year,
                        "to": h.end_year,
                        "detail": h.detail,
                    }
                    for h in dossier.history_entries
                ],
            }
        ],
        "description_of_incident": {
            "narrative": narrative.narrative(facts, "en"),
            "observed_indicators": [_indicator(a, numbers) for a in dossier.observed],
            "adverse_due_diligence": [_indicator(a, numbers) for a in dossier.adverse],
            "automated_findings": [
                {
                    "check": f.check,
                    "severity": f.severity,
                    "summary": f.summary,
                    "detail": f.detail,
                    "status": "accepted" if f.accepted else "open",
                    "source": {"title": f.source_title, "url": f.source_url},
                }
                for f in facts.findings
            ],
            "risk_assessment": {
                "score": risk["score"],
                "level": risk["level"],
                "scoring_policy": risk["policy_version"],
                "inputs_sha256": risk["inputs_hash"],
            },
            "decision": {
                "decision": case.decision,
                "note": case.decision_note,
                "reviewer": user_name(referral.reviewer) if referral else "",
                "signed_at": referral.signed_at.isoformat() if referral else "",
            },
            "advisory": catalog_context(dossier),
            "catalogues": catalogs_context(dossier),
        },
        "other_information": {
            "evidence_files": [{k: v for k, v in e.items() if k != "evidence"} for e in evidence],
            "email_headers": [
                e["number"] for e in evidence if e["content_type"] == "message/rfc822"
            ],
            "also_reported_to": NIS_KNPA + " — Korean version in nis_knpa_ko.txt",
        },
        "who_filed": {
            "organisation": settings.VETTING_ORGANISATION_NAME,
            "prepared_by": user_name(job.requester),
            "prepared_with": f"vetting case {case.reference}, report job #{job.pk}",
        },
    }


def _kv(label: str, value) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v)
    return f"{label}: {value or 'none recorded'}"


def ic3_text(data: dict) -> str:
    """The IC3 complaint as text, one block per section of the online form."""
    victim = data["victim_information"]
    money = data["financial_transactions"]
    payment = money["payment_details_supplied_by_subject"]
    subject = data["subjects"][0]
    incident = data["description_of_incident"]
    other = data["other_information"]
    filed = data["who_filed"]

    def section(title: str, lines: list[str]) -> str:
        return f"=== {title} ===\n" + "\n".join(lines) + "\n"

    profiles = [f"{p['kind']}: {p['value']}" for p in subject["websites_and_profiles"]]
    identity = " ".join(
        v
        for v in (subject["identity_document"]["type"], subject["identity_document"]["number"])
        if v
    )
    parts = [
        f"{data['form']}\nPrepared from vetting case {data['case_reference']} "
        f"(report job #{data['report_job']}) on {data['generated_at']}.\n",
        section(
            "Victim Information",
            [
                _kv("Business / organisation name", victim["organisation"]),
                _kv("Role", victim["role"]),
                f"To complete in the form: {victim['to_complete']}",
            ],
        ),
        section(
            "Financial Transaction(s)",
            [
                money["summary"],
                "Payment details the subject supplied:",
                "  " + _kv("Bank name", payment["bank_name"]),
                "  " + _kv("Routing number", payment["routing_number"]),
                "  " + _kv("Account number", payment["account_number"]),
            ]
            + [
                f"Payment-related indicator [{i['code']}] {i['title']}: {i['observation']}"
                for i in money["payment_related_indicators"]
            ],
        ),
        section(
            "Information About The Subject(s)",
            [
                _kv("Name", subject["name"]),
                _kv("Aliases", subject["aliases"]),
                _kv("Date of birth", subject["date_of_birth"]),
                _kv("Claimed nationality", subject["claimed_nationality"]),
                _kv("Claimed residence", subject["claimed_residence"]),
                _kv("Address (equipment shipping)", subject["addresses"]),
                _kv("Phone numbers", subject["phones"]),
                _kv("E-mail addresses", subject["emails"]),
                _kv("Websites and online profiles", profiles),
                "IP addresses: "
                + (", ".join(subject["ip_addresses"]) or subject["ip_addresses_note"]),
                _kv("Identity document", identity),
                _kv(
                    "Sourced through",
                    " — ".join(v for v in subject["sourced_through"].values() if v),
                ),
                _kv("Role applied for", subject["role_applied_for"]),
            ],
        ),
        section("Description of Incident", [incident["narrative"]]),
        section(
            "Other Information",
            [
                "Evidence files attached (SHA-256):",
                *(
                    [
                        f"  {e['number']} {e['path']} — {e['sha256']} ({e['size']} bytes)"
                        for e in other["evidence_files"]
                    ]
                    or ["  none"]
                ),
                _kv("E-mail headers (.eml evidence)", other["email_headers"]),
                _kv("Also reported to", other["also_reported_to"]),
            ],
        ),
        section(
            "Who Filed the Complaint",
            [
                _kv("Organisation", filed["organisation"]),
                _kv("Prepared by", filed["prepared_by"]),
                _kv("Prepared with", filed["prepared_with"]),
            ],
        ),
    ]
    return "\n".join(parts)
