"""Phones: invalid, VoIP, another country than the claimed one, North Korea (+850)."""

import phonenumbers
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberType

from ..facts import CandidateFacts
from ..findings import ADVISORY_2022, Finding, Severity, Source, country_mismatch, interpolate
from ..reference import ReferenceData

FINDINGS = ("phone.invalid", "phone.voip", "phone.country_mismatch", "phone.dprk")
LIBPHONENUMBER = Source(
    "libphonenumber metadata (Google), via the phonenumbers package",
    "https://github.com/daviddrysdale/python-phonenumbers",
)
MANDIANT_2024 = Source(
    "Mandiant / Google Cloud, Staying a Step Ahead: Mitigating the DPRK IT Worker Threat (2024)",
    "https://cloud.google.com/blog/topics/threat-intelligence/mitigating-dprk-it-worker-threat",
)


def parse(text: str, default_region: str | None):
    """The parsed number, reading national formats in the claimed country; None if unreadable."""
    try:
        return phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    for text in facts.phones:
        number = parse(text, facts.claimed_country)
        if number is not None and number.country_code == 850:
            findings.append(
                Finding(
                    "phone.dprk",
                    Severity.CRITICAL,
                    _("North Korean phone number (+850)"),
                    interpolate(
                        _("%(phone)s has the country code +850 of North Korea."), {"phone": text}
                    ),
                    LIBPHONENUMBER,
                    subject=text,
                )
            )
            continue
        if number is None or not phonenumbers.is_valid_number(number):
            findings.append(
                Finding(
                    "phone.invalid",
                    Severity.LOW,
                    _("Phone number is not valid"),
                    interpolate(
                        _("%(phone)s is not a valid number (read with the claimed country %(c)s)."),
                        {"phone": text, "c": facts.claimed_country or "?"},
                    ),
                    ADVISORY_2022,
                    subject=text,
                )
            )
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.number_type(number) == PhoneNumberType.VOIP:
            findings.append(
                Finding(
                    "phone.voip",
                    Severity.MEDIUM,
                    _("VoIP phone number"),
                    interpolate(
                        _("%(phone)s is in a range reserved for VoIP services."), {"phone": e164}
                    ),
                    MANDIANT_2024,
                    subject=e164,
                )
            )
        findings += country_mismatch(
            "phone.country_mismatch",
            Severity.LOW,
            _("Phone number from another country"),
            _("%(subject)s is a number of %(found)s; the candidate claims to live in %(claimed)s."),
            found=phonenumbers.region_code_for_number(number),
            claimed=facts.claimed_country,
            source=ADVISORY_2022,
            subject=e164,
        )
    return findings
