"""Country names to codes: moved to common.countries so that cases (below signals) can use it."""

from common.countries import ALIASES, AMBIGUOUS, country_of_address, resolve_country

__all__ = ["ALIASES", "AMBIGUOUS", "country_of_address", "resolve_country"]
