"""Screening a case's candidate: the facts the signals checks see, read from the case's rows.

`signals` is a pure library below `cases`: it knows nothing of these models. This module builds
its frozen `signals.facts.CandidateFacts` from a `Candidate` and runs the checks over them;
`cases.services.findings` stores what they find.
"""

import re

from signals.countries import country_of_address, resolve_country
from signals.facts import CandidateFacts, HistoryFact, split_bank_identifier
from signals.findings import Finding
from signals.services import screen_facts

from .models import ContactKind


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


def screen_candidate(candidate) -> list[Finding]:
    """Every finding over a candidate's facts, most severe first. Reads its rows; writes nothing."""
    return screen_facts(facts_for_candidate(candidate))
