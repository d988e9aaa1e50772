"""The facts checks see: a frozen snapshot of what the candidate claims.

Fairness (issue 10, section 7): `CandidateFacts` carries no name, alias, date of birth or
nationality, so no check can use them. Identity matching across cases, which needs names, lives
elsewhere and is not a check.
"""

import re
from dataclasses import dataclass, field

from .countries import country_of_address, resolve_country

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


def _country(text: str, unresolved: list[str]) -> str | None:
    code = resolve_country(text)
    if text and text.strip() and code is None:
        unresolved.append(text.strip())
    return code


def facts_for_candidate(candidate) -> CandidateFacts:
    """Build the facts of a `cases.models.Candidate` (read only; related rows are read once).

    Countries are free text in today's models; they are resolved to alpha-2 codes here, and
    texts that name no single country are listed in `unresolved_countries` instead of guessed.
    Fields the models may gain later (`bank_country`, `shipping_country`, `iban`, `wallets`) are
    used when present.
    """
    from cases.models import ContactKind  # read-only use of the cases models

    unresolved: list[str] = []
    contacts = {kind: [] for kind in ContactKind.values}
    for contact in candidate.contacts.all():
        if not contact.is_reference:  # a reference's number says nothing about the candidate
            contacts[contact.kind].append(contact.value)

    routing, iban = split_bank_identifier(candidate.routing_number)
    iban = re.sub(r"\s", "", getattr(candidate, "iban", "") or "").upper() or iban
    bank_country = _country(getattr(candidate, "bank_country", "") or "", unresolved)
    if bank_country is None and iban:
        bank_country = iban[:2]

    shipping_text = getattr(candidate, "shipping_country", "") or ""
    shipping_country = (
        _country(shipping_text, unresolved)
        if shipping_text
        else country_of_address(candidate.shipping_address)
    )

    history = tuple(
        HistoryFact(
            kind=entry.kind,
            country=_country(entry.country, unresolved),
            start_year=entry.start_year,
            end_year=entry.end_year,
        )
        for entry in candidate.history_entries.all()
    )
    return CandidateFacts(
        claimed_country=_country(candidate.claimed_country, unresolved),
        phones=tuple(contacts[ContactKind.PHONE]),
        emails=tuple(contacts[ContactKind.EMAIL]),
        ip_addresses=tuple(contacts[ContactKind.IP_ADDRESS]),
        bank_country=bank_country,
        routing_number=routing,
        iban=iban,
        account_number=re.sub(r"\D", "", candidate.account_number or ""),
        shipping_address=candidate.shipping_address or "",
        shipping_country=shipping_country,
        history=history,
        handles=tuple(profile.normalized_handle for profile in candidate.profiles.all()),
        wallets=tuple(getattr(candidate, "wallets", None) or ()),
        unresolved_countries=tuple(unresolved),
    )
