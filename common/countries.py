"""Free-text country names to ISO 3166-1 alpha-2 codes, in English and Korean.

`resolve_country` returns None for text that names no country or more than one ("Korea",
"Congo"): guessing would turn an ambiguity into a signal.
"""

import functools
import re
import unicodedata

from django.utils import translation
from django_countries import countries

# Common names people type that are not the ISO or django-countries names. Each maps to one code.
ALIASES = {
    "usa": "US",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "미국": "US",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "korea south": "KR",
    "rok": "KR",
    "대한민국": "KR",
    "한국": "KR",
    "남한": "KR",
    "north korea": "KP",
    "dprk": "KP",
    "democratic people s republic of korea": "KP",
    "korea democratic people s republic of": "KP",
    "korea north": "KP",
    "조선민주주의인민공화국": "KP",
    "북한": "KP",
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "영국": "GB",
    "prc": "CN",
    "people s republic of china": "CN",
    "mainland china": "CN",
    "중국": "CN",
    "russia": "RU",
    "russian federation": "RU",
    "러시아": "RU",
    "uae": "AE",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "taiwan": "TW",
    "일본": "JP",
    "캐나다": "CA",
}
# Texts that name several countries: never resolved.
AMBIGUOUS = frozenset({"korea", "코리아", "congo", "guinea", "sudan", "georgia state"})


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def _index() -> dict[str, str | None]:
    """Normalised name -> code, from django-countries' English and Korean names plus ALIASES.

    A name that two codes share maps to None (ambiguous)."""
    index: dict[str, str | None] = {}

    def add(name, code):
        key = _key(str(name))
        if not key:
            return
        if key in index and index[key] != code:
            index[key] = None
        else:
            index[key] = code

    for language in ("en", "ko"):
        with translation.override(language):
            for code, name in countries:
                add(name, code)
    for code, _name in countries:
        add(code, code)
        alpha3 = countries.alpha3(code)
        if alpha3:
            add(alpha3, code)
    for alias, code in ALIASES.items():
        index[_key(alias)] = code
    for text in AMBIGUOUS:
        index[_key(text)] = None
    return index


def resolve_country(text: str | None) -> str | None:
    """The alpha-2 code `text` names, or None when it names none or is ambiguous."""
    key = _key(text or "")
    if not key:
        return None
    return _index().get(key)


def country_of_address(address: str | None) -> str | None:
    """The country an address names on its last non-empty line (or last comma part), if any."""
    lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1]
    for candidate in (last, last.rsplit(",", 1)[-1]):
        code = resolve_country(candidate)
        if code:
            return code
    return None
