"""Normalisation of identifiers so that the same person's details match across cases."""

import ipaddress
import re
import unicodedata
from urllib.parse import urlparse

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


def normalize_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits[2:] if digits.startswith("00") else digits


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
