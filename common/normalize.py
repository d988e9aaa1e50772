"""Normalisation of identifiers so that the same person's details match across cases."""

import ipaddress
import re
import unicodedata
from urllib.parse import urlparse

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from common.countries import resolve_country

_PROFILE_HOSTS = {
    "github.com": "github",
    "linkedin.com": "linkedin",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "upwork.com": "upwork",
    "freelancer.com": "freelancer",
    "fiverr.com": "fiverr",
}


def normalize_text(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").casefold()
    value = re.sub(r"[^\w\s]", " ", value)
    return re.sub(r"\s+", " ", value).strip()


def normalize_name(value: str) -> str:
    return normalize_text(value)


def normalize_address(value: str) -> str:
    return normalize_text(value)[:500]


def normalize_email(value: str) -> str:
    value = (value or "").strip().lower()
    local, _, domain = value.partition("@")
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if domain else local


def normalize_ip(value: str) -> str:
    """The canonical text of an IPv4 or IPv6 address (IPv4-mapped IPv6 as IPv4); raises
    ValueError for anything else."""
    address = ipaddress.ip_address((value or "").strip())
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def phone_region(claimed_country) -> str | None:
    """The region a candidate's national phone numbers are read in: their claimed country
    (free text or a country code alike), or None when it names no single country."""
    return resolve_country(str(claimed_country or ""))


def _e164(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(value: str, default_region: str | None = None) -> str:
    """The number in E.164 (`+16465550142`), a national number read in `default_region`; the
    bare digits when it cannot be parsed, so nothing typed is lost."""
    digits = re.sub(r"\D", "", value or "")
    international = digits[2:] if digits.startswith("00") else ""
    return (
        _e164(value or "", default_region)
        or (international and _e164(f"+{international}", None))
        or international
        or digits
    )


def normalize_profile(kind: str, value: str) -> str:
    """`github:alice` for a GitHub URL or handle alike; host/path for other websites."""
    value = (value or "").strip()
    if "://" in value or re.match(r"^(www\.)?[\w-]+\.[a-z]{2,}/", value, re.IGNORECASE):
        parsed = urlparse(value if "://" in value else f"https://{value}")
        host = (parsed.hostname or "").lower().removeprefix("www.")
        parts = [p for p in parsed.path.split("/") if p]
        site = _PROFILE_HOSTS.get(host)
        if site:
            if site == "linkedin" and len(parts) >= 2 and parts[0] in {"in", "pub"}:
                parts = parts[1:]
            if site == "upwork" and len(parts) >= 2 and parts[0] in {"freelancers", "o"}:
                parts = parts[1:]
            return f"{site}:{parts[0].lower()}" if parts else f"{site}:"
        return f"{host}/{'/'.join(parts).lower()}".rstrip("/")
    return f"{kind}:{value.lstrip('@').lower()}"


# ---------------------------------------------------------------- names

# Spellings of one Korean family name, folded to one token so that "Lee Min-ho" and "Yi Min-ho"
# give the same key. The Revised Romanisation of the Hangul (i, bak, choe, gim, jeong) is one
# of them, so a name typed in Hangul meets its romanisation.
FAMILY_NAME_VARIANTS = {
    "lee": ("lee", "yi", "rhee", "ri", "i", "rhie"),
    "park": ("park", "pak", "bak"),
    "choi": ("choi", "choe"),
    "kim": ("kim", "gim"),
    "jung": ("jung", "jeong", "chung"),
}
_FAMILY_NAME = {v: canonical for canonical, vs in FAMILY_NAME_VARIANTS.items() for v in vs}

# Revised Romanisation of the jamo, syllable by syllable (no sound changes between syllables:
# the rules write personal names that way).
_INITIALS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "_",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_VOWELS = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_FINALS = [""] + [
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def romanize_hangul(text: str) -> str:
    """Hangul syllables in Revised Romanisation (김철수 -> gimcheolsu); other characters kept.

    A syllable's code point is 0xAC00 + (initial * 21 + vowel) * 28 + final."""
    out = []
    for char in text:
        code = ord(char) - _HANGUL_FIRST
        if not 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST:
            out.append(char)
            continue
        initial, rest = divmod(code, 21 * 28)
        vowel, final = divmod(rest, 28)
        out.append(_INITIALS[initial].strip("_") + _VOWELS[vowel] + _FINALS[final])
    return "".join(out)


def _is_hangul(token: str) -> bool:
    return all(_HANGUL_FIRST <= ord(c) <= _HANGUL_LAST for c in token)


def name_key(value: str) -> str:
    """A name's key for linking: its tokens folded and sorted, so token order, hyphens, case,
    Hangul versus its romanisation and the usual spellings of Korean family names do not
    matter. `Kim Chol-su`, `Chol-su KIM` and `Gim Cholsu` all give `cholsu kim`.

    Hyphens join the parts of a given name (Chol-su = Cholsu); beside a known Korean family
    name, so do spaces. A name written in Hangul as one word (김철수) is read as a one-syllable
    family name and a given name."""
    text = unicodedata.normalize("NFKC", value or "").casefold().replace("-", "")
    tokens = re.sub(r"[^\w\s]", " ", text).split()
    if len(tokens) == 1 and _is_hangul(tokens[0]) and len(tokens[0]) > 1:
        tokens = [tokens[0][0], tokens[0][1:]]
    tokens = [romanize_hangul(t) for t in tokens]
    family = next((t for t in tokens if t in _FAMILY_NAME), None)
    if family is not None:
        # A Korean name: the given name's syllables are one token however they were spaced
        # (Min Ho = Min-ho = Minho).
        given = tokens[: tokens.index(family)] + tokens[tokens.index(family) + 1 :]
        tokens = [_FAMILY_NAME[family], "".join(given)]
    return " ".join(sorted(t for t in tokens if t))


# ---------------------------------------------------------------- bank accounts


def normalize_account_number(value: str) -> str:
    """An account number as it is matched: a valid IBAN in its compact form (`DE89…`),
    anything else by its digits alone, so spaces, dashes and dots do not matter."""
    value = (value or "").strip()
    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError):
        return re.sub(r"\D", "", value)
