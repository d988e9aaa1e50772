"""The facts checks see: a frozen snapshot of what the candidate claims.

Fairness (issue 10, section 7): `CandidateFacts` carries no name, alias, date of birth or
nationality, so no check can use them. Identity matching across cases, which needs names, lives
elsewhere (`cases.selectors.linked_cases`) and is not a check; the link checks see only its result
(`LinkFact`): the other case's reference and outcome and the kinds of identifiers matched, where a
name counts only together with the same date of birth, as one identifier.
"""

import re
from dataclasses import dataclass, field

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")


@dataclass(frozen=True)
class HistoryFact:
    kind: str  # "education" or "employment"
    country: str | None  # alpha-2, None when unknown or ambiguous
    start_year: int | None = None
    end_year: int | None = None


@dataclass(frozen=True)
class LinkFact:
    """Another case whose candidate shares identifiers of the candidate's own with this one."""

    reference: str  # the other case's reference, e.g. "VET-2026-000123"
    outcome: str = ""  # "referred" or "rejected" when the other case ended so; else ""
    # The kind of each identifier matched, one entry per identifier, sorted: "phone", "email",
    # "ip", "online profile", "shipping address", "bank account", "identity document", or
    # "name and date of birth" (a name never links alone). References' contacts are not here.
    matched: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.outcome)


@dataclass(frozen=True)
class CandidateFacts:
    claimed_country: str | None = None  # alpha-2 country of residence
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    bank_country: str | None = None
    routing_number: str = ""  # digits only
    iban: str = ""  # upper case, no spaces
    account_number: str = ""  # digits only
    shipping_address: str = ""
    shipping_country: str | None = None
    history: tuple[HistoryFact, ...] = ()
    handles: tuple[str, ...] = ()  # normalised, "github:alice"
    wallets: tuple[str, ...] = ()
    links: tuple[LinkFact, ...] = ()  # other cases sharing identifiers, by reference
    unresolved_countries: tuple[str, ...] = field(default=(), compare=False)


def split_bank_identifier(value: str) -> tuple[str, str]:
    """(routing digits, IBAN) from what was typed in the routing-number field."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    if _IBAN_SHAPE.match(compact):
        return "", compact
    return re.sub(r"\D", "", value or ""), ""
