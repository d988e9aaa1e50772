"""IP addresses: North Korea, outside the claimed country, hosting or VPN networks."""

import ipaddress

from django.utils.translation import gettext_lazy as _

from ..facts import CandidateFacts
from ..findings import ADVISORY_2022, Finding, Severity, Source, country_mismatch, interpolate
from ..reference import ReferenceData

FINDINGS = ("ip.dprk_address", "ip.country_mismatch", "ip.hosting_or_vpn")
GEOLITE = Source(
    "GeoLite2 Country and ASN data by MaxMind, shipped in geoip2fast",
    "https://github.com/rabuchaim/geoip2fast",
)


def _address(text: str):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    for text in facts.ip_addresses:
        address = _address(text)
        if address is None or not address.is_global:
            continue
        subject = str(address)
        listed = next((entry for net, entry in data.dprk_networks if address in net), None)
        located = data.geoip().lookup(subject)
        country = located.country_code if len(located.country_code or "") == 2 else None
        if listed or country == "KP":
            source = Source(**listed["source"]) if listed else GEOLITE
            findings.append(
                Finding(
                    "ip.dprk_address",
                    Severity.CRITICAL,
                    _("Connected from an address in North Korea"),
                    interpolate(
                        _("%(ip)s lies in %(net)s, a network located in North Korea."),
                        {"ip": subject, "net": listed["cidr"] if listed else located.cidr},
                    ),
                    source,
                    subject=subject,
                )
            )
            continue
        findings += country_mismatch(
            "ip.country_mismatch",
            Severity.MEDIUM,
            _("Connected from outside the claimed country"),
            _("%(subject)s is located in %(found)s; the candidate claims to live in %(claimed)s."),
            found=country,
            claimed=facts.claimed_country,
            source=ADVISORY_2022,
            subject=subject,
        )
        network = data.hosting.by_asn_name.get((located.asn_name or "").casefold()) or next(
            (entry for net, entry in data.hosting.networks if address in net), None
        )
        if network:
            findings.append(
                Finding(
                    "ip.hosting_or_vpn",
                    Severity.MEDIUM,
                    _("Connected through a hosting or VPN network"),
                    interpolate(
                        _(
                            "%(ip)s belongs to %(provider)s (%(kind)s), not to a home or "
                            "mobile ISP."
                        ),
                        {"ip": subject, "provider": network["provider"], "kind": network["kind"]},
                    ),
                    Source(**network["source"]),
                    subject=subject,
                )
            )
    return findings
