"""Identifiers that public research ties to DPRK IT-worker personas."""

import phonenumbers
from django.utils.translation import gettext_lazy as _

from common.normalize import normalize_email, normalize_phone

from ..facts import CandidateFacts
from ..findings import Finding, Severity, Source, interpolate
from ..reference import ReferenceData

FINDINGS = ("persona.public_identifier",)


def _phone_digits(text: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return normalize_phone(text)
    return f"{number.country_code}{number.national_number}"


def _candidates(facts: CandidateFacts):
    """(kind, normalised value, as typed) for every identifier of the candidate."""
    for email in facts.emails:
        yield "email", normalize_email(email), email
        yield "email_domain", email.rsplit("@", 1)[-1].strip().lower(), email
    for handle in facts.handles:
        yield "handle", handle.lower(), handle
    for phone in facts.phones:
        yield "phone", _phone_digits(phone, facts.claimed_country), phone
    for wallet in facts.wallets:
        yield "wallet", wallet.strip(), wallet


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    for kind, value, typed in _candidates(facts):
        entry = data.personas[kind].get(value)
        if entry:
            findings.append(
                Finding(
                    "persona.public_identifier",
                    Severity.HIGH,
                    _("Identifier tied to a DPRK IT-worker persona in public research"),
                    interpolate(
                        _(
                            "%(value)s matches %(listed)s (%(kind)s), listed by public research: "
                            "%(persona)s."
                        ),
                        {
                            "value": typed,
                            "listed": entry["value"],
                            "kind": kind,
                            "persona": entry.get("persona", ""),
                        },
                    ),
                    Source(**entry["source"]),
                    subject=typed,
                )
            )
    return findings
