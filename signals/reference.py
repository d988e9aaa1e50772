"""Versioned reference data: the curated files in `signals/data/` plus the datasets that ship
inside packages (GeoLite2 via geoip2fast, phonenumbers metadata, disposable e-mail domains).

Each curated dataset is `<name>.json` ({"dataset", "version", "entries"}) with a provenance
sidecar `<name>.provenance.json` ({"dataset", "version", "retrieved", "licence", "sources",
"notes"}). A `Dataset` spec says how to validate and index its entries; the same spec serves
the loader and `manage.py update_signal_data`. Everything is read once per process
(`reference_data()` is cached; `reload_reference_data()` drops the cache after an update).
"""

import functools
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.dispatch import Signal
from stdnum.us import rtn

from common.normalize import normalize_email, normalize_phone, normalize_text

PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"
VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d+)?$")
URL_RE = re.compile(r"^https?://\S+$")


def version_key(version: str) -> tuple[str, int]:
    """Order of versions: by date, then by the optional serial after the dot."""
    day, _, serial = version.partition(".")
    return day, int(serial or 0)


class DataError(ValueError):
    """A reference-data file that must not be loaded; the message says what is wrong."""


def data_dir() -> Path:
    """Where updated files are written: settings.SIGNALS_DATA_DIR, or the package's own folder.

    Files there take precedence over the shipped ones, so a deployment can keep its updates
    outside the code (e.g. on a volume) and still fall back to the shipped data."""
    return Path(getattr(settings, "SIGNALS_DATA_DIR", None) or PACKAGE_DATA_DIR)


def _installed(filename: str) -> Path:
    updated = data_dir() / filename
    return updated if updated.exists() else PACKAGE_DATA_DIR / filename


# ------------------------------------------------------------------ entry validation helpers


def _require(entry: dict, where: str, *keys: str) -> None:
    missing = [key for key in keys if entry.get(key) in (None, "", [])]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}")


def _check_source(source, where: str) -> None:
    if not isinstance(source, dict) or not source.get("title"):
        raise DataError(f"{where}: source needs a title and a URL")
    if not URL_RE.match(str(source.get("url", ""))):
        raise DataError(f"{where}: source URL {source.get('url')!r} is not an http(s) URL")


def _network(text: str, where: str):
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise DataError(f"{where}: {text!r} is not a network in CIDR form ({exc})") from exc


# ------------------------------------------------------------------ per-dataset indexes


def _index_dprk_ranges(entries: list[dict]) -> tuple:
    networks = []
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        _require(entry, where, "cidr", "source")
        _check_source(entry["source"], where)
        networks.append((_network(entry["cidr"], where), entry))
    return tuple(networks)


HOSTING_KINDS = ("hosting", "vpn", "proxy")


@dataclass(frozen=True)
class HostingIndex:
    by_asn_name: dict[str, dict]
    networks: tuple


def _index_hosting(entries: list[dict]) -> HostingIndex:
    by_name, networks = {}, []
    for i, entry in enumerate(entries):
        where = f"entry {i} ({entry.get('provider', '?')})"
        _require(entry, where, "provider", "kind", "source")
        if entry["kind"] not in HOSTING_KINDS:
            raise DataError(f"{where}: kind must be one of {', '.join(HOSTING_KINDS)}")
        _check_source(entry["source"], where)
        names, cidrs = entry.get("asn_names") or [], entry.get("cidrs") or []
        if not names and not cidrs:
            raise DataError(f"{where}: give asn_names or cidrs to match on")
        for name in names:
            by_name[name.casefold()] = entry
        networks.extend((_network(cidr, where), entry) for cidr in cidrs)
    return HostingIndex(by_name, tuple(networks))


def _index_fintech_routing(entries: list[dict]) -> dict[str, dict]:
    index = {}
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        _require(entry, where, "routing_number", "bank", "backs", "source", "routing_source")
        number = str(entry["routing_number"])
        if not rtn.is_valid(number):
            raise DataError(f"{where}: {number!r} is not a valid ABA routing number")
        _check_source(entry["source"], where)
        _check_source(entry["routing_source"], where)
        index[number] = entry
    return index


def _index_forwarders(entries: list[dict]) -> tuple:
    compiled = []
    for i, entry in enumerate(entries):
        where = f"entry {i} ({entry.get('name', '?')})"
        _require(entry, where, "name", "country", "address_patterns", "source")
        _check_source(entry["source"], where)
        try:
            patterns = tuple(re.compile(p) for p in entry["address_patterns"])
        except re.error as exc:
            raise DataError(f"{where}: bad address pattern ({exc})") from exc
        compiled.append((patterns, entry))
    return tuple(compiled)


PERSONA_KINDS = {
    "email": normalize_email,
    "email_domain": lambda v: v.strip().lower().lstrip("@"),
    "handle": lambda v: v.strip().lower(),
    "phone": normalize_phone,
    "wallet": lambda v: v.strip(),
}


def _index_personas(entries: list[dict]) -> dict[str, dict[str, dict]]:
    index: dict[str, dict[str, dict]] = {kind: {} for kind in PERSONA_KINDS}
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        _require(entry, where, "kind", "value", "source")
        if entry["kind"] not in PERSONA_KINDS:
            raise DataError(f"{where}: kind must be one of {', '.join(PERSONA_KINDS)}")
        _check_source(entry["source"], where)
        index[entry["kind"]][PERSONA_KINDS[entry["kind"]](entry["value"])] = entry
    return index


@dataclass(frozen=True)
class Dataset:
    """A curated reference file: its name, what it is and how its entries are indexed."""

    name: str
    description: str
    index: Callable[[list[dict]], object]

    @property
    def filename(self) -> str:
        return f"{self.name}.json"

    @property
    def provenance_filename(self) -> str:
        return f"{self.name}.provenance.json"

    @property
    def path(self) -> Path:
        """The file in use: an updated one if there is one, else the shipped one."""
        return _installed(self.filename)

    @property
    def provenance_path(self) -> Path:
        return _installed(self.provenance_filename)


DATASETS = {
    spec.name: spec
    for spec in (
        Dataset("dprk_ip_ranges", "IPv4/IPv6 networks in North Korea", _index_dprk_ranges),
        Dataset("hosting_networks", "Hosting, VPN and proxy networks", _index_hosting),
        Dataset(
            "fintech_routing",
            "ABA routing numbers of banks behind fintech receiving accounts",
            _index_fintech_routing,
        ),
        Dataset("forwarders", "Package forwarders and reshippers", _index_forwarders),
        Dataset(
            "persona_identifiers",
            "Identifiers public research ties to DPRK IT-worker personas",
            _index_personas,
        ),
    )
}

PROVENANCE_KEYS = ("dataset", "version", "retrieved", "licence", "sources")


def read_json(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as exc:
        raise DataError(f"{path} does not exist") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DataError(f"{path} must hold a JSON object")
    return data


def validate(spec: Dataset, data: dict, provenance: dict) -> object:
    """Check a data file and its provenance against the spec; return the built index."""
    if data.get("dataset") != spec.name:
        raise DataError(f"the file is for dataset {data.get('dataset')!r}, not {spec.name!r}")
    version = str(data.get("version", ""))
    if not VERSION_RE.match(version):
        raise DataError(f"version {version!r} must look like YYYY-MM-DD or YYYY-MM-DD.N")
    entries = data.get("entries")
    if not isinstance(entries, list) or not entries:
        raise DataError("entries must be a non-empty list")
    if not all(isinstance(entry, dict) for entry in entries):
        raise DataError("every entry must be a JSON object")
    missing = [key for key in PROVENANCE_KEYS if not provenance.get(key)]
    if missing:
        raise DataError(f"the provenance sidecar lacks {', '.join(missing)}")
    if provenance["dataset"] != spec.name or str(provenance["version"]) != version:
        raise DataError("the provenance sidecar names another dataset or version")
    for i, source in enumerate(provenance["sources"]):
        _check_source(source, f"provenance source {i}")
    return spec.index(entries)


def load_dataset(spec: Dataset) -> tuple[str, object]:
    data = read_json(spec.path)
    index = validate(spec, data, read_json(spec.provenance_path))
    return str(data["version"]), index


# ------------------------------------------------------------------ packaged datasets


@functools.cache
def geoip():
    """GeoLite2 country and ASN data for IPv4 and IPv6, shipped inside geoip2fast (~1 s)."""
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")


@functools.cache
def disposable_domains() -> frozenset[str]:
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


PACKAGED = ("geoip2fast", "phonenumbers", "disposable-email-domains", "python-stdnum", "schwifty")


@dataclass(frozen=True)
class ReferenceData:
    versions: dict[str, str]  # dataset or package -> version, for snapshots and reports
    dprk_networks: tuple
    hosting: HostingIndex
    fintech_routing: dict[str, dict]
    forwarders: tuple
    personas: dict[str, dict[str, dict]]
    disposable_domains: frozenset[str]

    @staticmethod
    def geoip():
        return geoip()


@functools.cache
def reference_data() -> ReferenceData:
    versions, indexes = {}, {}
    for name, spec in DATASETS.items():
        versions[name], indexes[name] = load_dataset(spec)
    for package in PACKAGED:
        versions[package] = metadata.version(package)
    geoip()  # load now, so that the first screening is not the slow one
    return ReferenceData(
        versions=versions,
        dprk_networks=indexes["dprk_ip_ranges"],
        hosting=indexes["hosting_networks"],
        fintech_routing=indexes["fintech_routing"],
        forwarders=indexes["forwarders"],
        personas=indexes["persona_identifiers"],
        disposable_domains=disposable_domains(),
    )


# Sent (with `dataset` and `version`) after `update_signal_data` imported a newer dataset, so
# the apps above that store findings can re-screen (cases connects it to its re-screening task).
reference_data_updated = Signal()


def reload_reference_data() -> None:
    reference_data.cache_clear()


def normalized_address(text: str) -> str:
    return normalize_text(text)
