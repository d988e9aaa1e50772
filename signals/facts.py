"""The facts checks see: a frozen snapshot of what the candidate claims.

Fairness (issue 10, section 7): `CandidateFacts` carries no name, alias, date of birth or
nationality, so no check can use them. Identity matching across cases, which needs names, lives
elsewhere and is not a check.
"""

import re
from dataclasses import dataclass, field

from .countries import country_of_address

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


def _code(country) -> str | None:
    """The alpha-2 code of a django-countries value, None when blank."""
    return getattr(country, "code", country) or None


def facts_for_candidate(candidate) -> CandidateFacts:
    """Build the facts of a `cases.models.Candidate` (read only; related rows are read once).

    Countries are stored as alpha-2 codes and read as they are. Text kept from before they
    became codes (it named no single country) is listed in `unresolved_countries`, never guessed.
    The shipping country, when not given, is read from the address's last line. Fields the
    models may gain later (`iban`, `wallets`) are used when present.
    """
    from cases.models import ContactKind  # read-only use of the cases models

    entries = list(candidate.history_entries.all())
    legacy = [candidate.claimed_country_text] + [entry.country_text for entry in entries]
    contacts = {kind: [] for kind in ContactKind.values}
    for contact in candidate.contacts.all():
        if not contact.is_reference:  # a reference's number says nothing about the candidate
            contacts[contact.kind].append(contact.value)

    routing, iban = split_bank_identifier(candidate.routing_number)
    iban = re.sub(r"\s", "", getattr(candidate, "iban", "") or "").upper() or iban
    bank_country = _code(candidate.bank_country) or (iban[:2] if iban else None)
    shipping_country = _code(candidate.shipping_country) or country_of_address(
        candidate.shipping_address
    )

    history = tuple(
        HistoryFact(
            kind=entry.kind,
            country=_code(entry.country),
            start_year=entry.start_year,
            end_year=entry.end_year,
        )
        for entry in entries
    )
    return CandidateFacts(
        claimed_country=_code(candidate.claimed_country),
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
        unresolved_countries=tuple(text for text in legacy if text),
    )
