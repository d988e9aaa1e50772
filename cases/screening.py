"""Screening a case's candidate: the facts the signals checks see, read from the case's rows.

`signals` is a pure library below `cases`: it knows nothing of these models. This module builds
its frozen `signals.facts.CandidateFacts` from a `Candidate` and runs the checks over them;
`cases.services.findings` stores what they find.
"""

import re

from django.db.models import Prefetch

from common.countries import country_of_address
from signals.facts import CandidateFacts, HistoryFact, LinkFact, split_bank_identifier
from signals.findings import Finding
from signals.services import screen_facts

from . import selectors
from .models import Case, ContactKind


def _code(country) -> str | None:
    """The alpha-2 code of a django-countries value, None when blank."""
    return getattr(country, "code", country) or None


# The related rows `facts_for_candidate` reads (through `related_rows`). A fact source that
# reads other related rows adds them here, and `screening_prefetches` reads them for a whole
# batch of candidates.
CANDIDATE_PREFETCH = ("contacts", "profiles", "history_entries")
_PREFETCHED = selectors.PREFETCHED_ROWS


def screening_prefetches(path: str = "") -> list[Prefetch]:
    """What to prefetch to screen many candidates with a few queries per batch, whatever its
    size: `Case.objects.prefetch_related(*screening_prefetches("candidate__"))`.

    The rows go to plain lists (`to_attr`), which costs far less per candidate than the related
    managers' prefetch cache. A fact source that runs its own queries per candidate (a lookup
    across cases) still works in a batch, at that cost per candidate.
    """
    return [Prefetch(f"{path}{name}", to_attr=_PREFETCHED + name) for name in CANDIDATE_PREFETCH]


related_rows = selectors.related_rows


def facts_for_candidate(candidate, links: tuple[LinkFact, ...] | None = None) -> CandidateFacts:
    """Build the facts of a `cases.models.Candidate` (read only; related rows are read once).

    Countries are stored as alpha-2 codes and read as they are. Text kept from before they
    became codes (it named no single country) is listed in `unresolved_countries`, never guessed.
    The shipping country, when not given, is read from the address's last line. Fields the
    models may gain later (`iban`, `wallets`) are used when present. `links` are the case's
    `selectors.link_facts` (read through the indexed identifier columns when not given).
    """
    entries = related_rows(candidate, "history_entries")
    legacy = [candidate.claimed_country_text] + [entry.country_text for entry in entries]
    contacts = {kind: [] for kind in ContactKind.values}
    for contact in related_rows(candidate, "contacts"):
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
        handles=tuple(profile.normalized_handle for profile in related_rows(candidate, "profiles")),
        wallets=tuple(getattr(candidate, "wallets", None) or ()),
        links=_links(candidate) if links is None else links,
        unresolved_countries=tuple(text for text in legacy if text),
    )


def _links(candidate) -> tuple[LinkFact, ...]:
    try:
        case = candidate.case
    except Case.DoesNotExist:  # a candidate not yet saved with its case links nowhere
        return ()
    return selectors.link_facts(case)


def screen_candidate(candidate, links: tuple[LinkFact, ...] | None = None) -> list[Finding]:
    """Every finding over a candidate's facts, most severe first. Reads its rows; writes nothing."""
    return screen_facts(facts_for_candidate(candidate, links))
