"""Shipping address: known package forwarders, and a country other than the claimed one."""

from django.utils.translation import gettext_lazy as _

from ..facts import CandidateFacts
from ..findings import (
    ADVISORY_2023,
    Finding,
    Severity,
    Source,
    Suggestion,
    country_mismatch,
    interpolate,
)
from ..reference import ReferenceData, normalized_address

FINDINGS = ("shipping.forwarder", "shipping.country_mismatch")
FORWARDING_ADDRESS = Suggestion("RF-2023-05", "observed")


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    address = normalized_address(facts.shipping_address)
    if address:
        for patterns, entry in data.forwarders:
            if all(pattern.search(address) for pattern in patterns):
                findings.append(
                    Finding(
                        "shipping.forwarder",
                        Severity.HIGH,
                        _("Equipment address is a package forwarder"),
                        interpolate(
                            _(
                                "The shipping address is the warehouse of %(name)s, a package "
                                "forwarding service."
                            ),
                            {"name": entry["name"]},
                        ),
                        Source(**entry["source"]),
                        suggests=FORWARDING_ADDRESS,
                        subject=facts.shipping_address,
                    )
                )
                break
    findings += country_mismatch(
        "shipping.country_mismatch",
        Severity.MEDIUM,
        _("Equipment to be shipped to another country"),
        _("The shipping address is in %(found)s; the candidate claims to live in %(claimed)s."),
        found=facts.shipping_country,
        claimed=facts.claimed_country,
        source=ADVISORY_2023,
        subject=facts.shipping_address,
        suggests=FORWARDING_ADDRESS,
    )
    return findings
