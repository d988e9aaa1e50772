"""The facts checks see: a frozen snapshot of what the candidate claims.

Fairness (issue 10, section 7): `CandidateFacts` carries no name, alias, date of birth or
nationality, so no check can use them. Identity matching across cases, which needs names, lives
elsewhere and is not a check.
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
    unresolved_countries: tuple[str, ...] = field(default=(), compare=False)


def split_bank_identifier(value: str) -> tuple[str, str]:
    """(routing digits, IBAN) from what was typed in the routing-number field."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    if _IBAN_SHAPE.match(compact):
        return "", compact
    return re.sub(r"\D", "", value or ""), ""
