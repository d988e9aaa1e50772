"""Bank: ABA routing checksum, routing numbers behind fintech receiving accounts, IBAN validity,
a bank in another country than the claimed one."""

from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.us import rtn

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
from ..reference import ReferenceData

FINDINGS = (
    "bank.routing_checksum",
    "bank.fintech_routing",
    "bank.iban_invalid",
    "bank.country_mismatch",
)
NOT_A_REAL_BANK = Suggestion("DD-2023-05", "adverse")
ISO_13616 = Source(
    "ISO 13616 IBAN check digits, validated with schwifty", "https://schwifty.readthedocs.io/"
)


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    routing = facts.routing_number
    if routing and not rtn.is_valid(routing):
        findings.append(
            Finding(
                "bank.routing_checksum",
                Severity.MEDIUM,
                _("Routing number fails the ABA checksum"),
                interpolate(
                    _("%(rtn)s is not a valid ABA routing number: no bank can have it."),
                    {"rtn": routing},
                ),
                ADVISORY_2023,
                suggests=NOT_A_REAL_BANK,
                subject=routing,
            )
        )
    elif routing in data.fintech_routing:
        entry = data.fintech_routing[routing]
        findings.append(
            Finding(
                "bank.fintech_routing",
                Severity.MEDIUM,
                _("Routing number of a bank behind fintech receiving accounts"),
                interpolate(
                    _(
                        "%(rtn)s belongs to %(bank)s, which issues account details for "
                        "%(backs)s. Verify that the account is a bank account in the candidate's "
                        "name, not a money-service receiving account."
                    ),
                    {"rtn": routing, "bank": entry["bank"], "backs": ", ".join(entry["backs"])},
                ),
                Source(**entry["source"]),
                suggests=NOT_A_REAL_BANK,
                subject=routing,
            )
        )
    country = facts.bank_country
    if facts.iban:
        try:
            country = IBAN(facts.iban).country_code
        except SchwiftyException as exc:
            findings.append(
                Finding(
                    "bank.iban_invalid",
                    Severity.MEDIUM,
                    _("IBAN is not valid"),
                    interpolate(
                        _("%(iban)s is not a valid IBAN (%(why)s)."),
                        {"iban": facts.iban, "why": exc},
                    ),
                    ISO_13616,
                    suggests=NOT_A_REAL_BANK,
                    subject=facts.iban,
                )
            )
            country = None
    findings += country_mismatch(
        "bank.country_mismatch",
        Severity.LOW,
        _("Bank account in another country"),
        _("The bank account is in %(found)s; the candidate claims to live in %(claimed)s."),
        found=country,
        claimed=facts.claimed_country,
        source=ADVISORY_2023,
        subject=facts.iban or routing,
        suggests=Suggestion("RF-2023-09", "observed"),
    )
    return findings
