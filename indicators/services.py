"""Loading catalogue data files. Published versions are immutable: a changed file is refused."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from audit.services import record_event

from .models import Audience, CatalogItem, CatalogVersion, Category, Kind, Section, VersionKind

CATALOG_DIR = Path(settings.BASE_DIR) / "indicators" / "catalogs"

REQUIRED_ITEM_FIELDS = {
    "code": str,
    "kind": str,
    "category": str,
    "audience": list,
    "title": str,
    "title_ko": str,
    "source_text": str,
    "weight": int,
    "critical": bool,
    "evidence_expectation": str,
}
OPTIONAL_ITEM_FIELDS = {
    "source_section": str,
    "section": str,
    "citations": list,
    "see_also": list,
    "supersedes": list,
}
REQUIRED_CITATION_FIELDS = ("issuer", "title", "date", "url")
REQUIRED_VERSION_FIELDS = {"version": str, "title": str, "published_on": str, "source": dict}
REQUIRED_SOURCE_FIELDS = ("advisory", "agencies", "date", "url", "retrieved_from")


class CatalogError(Exception):
    """A catalogue file is invalid, or would change a published version."""


@dataclass(frozen=True)
class LoadResult:
    version: str
    file_name: str
    created: bool
    item_count: int


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_fields(where: str, data: dict, required: dict) -> None:
    for field, expected in required.items():
        if field not in data:
            raise CatalogError(f"{where}: missing field '{field}'.")
        value = data[field]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise CatalogError(f"{where}: field '{field}' must be {expected.__name__}.")
        if expected is str and field != "evidence_expectation" and not value.strip():
            raise CatalogError(f"{where}: field '{field}' must not be empty.")


def validate_catalog(data: dict, file_name: str) -> None:
    """Raise CatalogError with the file, item and field at fault."""
    if not isinstance(data, dict):
        raise CatalogError(f"{file_name}: the file must hold a JSON object.")
    _check_fields(file_name, data, REQUIRED_VERSION_FIELDS)
    try:
        datetime.date.fromisoformat(data["published_on"])
    except ValueError as exc:
        raise CatalogError(f"{file_name}: published_on must be a date (YYYY-MM-DD).") from exc
    if data.get("kind", VersionKind.BASE) not in VersionKind.values:
        raise CatalogError(f"{file_name}: kind must be one of {', '.join(VersionKind.values)}.")
    missing_source = [f for f in REQUIRED_SOURCE_FIELDS if f not in data["source"]]
    if missing_source:
        raise CatalogError(f"{file_name}: source is missing {', '.join(missing_source)}.")
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise CatalogError(f"{file_name}: 'items' must be a non-empty list.")
    seen = set()
    for index, item in enumerate(items, start=1):
        where = (
            f"{file_name} item {index} ({item.get('code', '?') if isinstance(item, dict) else '?'})"
        )
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: each item must be a JSON object.")
        _check_fields(where, item, REQUIRED_ITEM_FIELDS)
        if item["code"] in seen:
            raise CatalogError(f"{where}: duplicate code {item['code']}.")
        seen.add(item["code"])
        if item["kind"] not in Kind.values:
            raise CatalogError(f"{where}: kind must be one of {', '.join(Kind.values)}.")
        if item["category"] not in Category.values:
            raise CatalogError(f"{where}: category must be one of {', '.join(Category.values)}.")
        bad_audience = set(item["audience"]) - set(Audience.values)
        if not item["audience"] or bad_audience:
            raise CatalogError(
                f"{where}: audience must be a non-empty subset of {Audience.values}."
            )
        if not 1 <= item["weight"] <= 100:
            raise CatalogError(f"{where}: weight must be between 1 and 100.")
        _check_optional_item_fields(where, item)
        if data.get("kind") == VersionKind.SUPPLEMENT and not item.get("citations"):
            raise CatalogError(f"{where}: a supplement item needs at least one citation.")


def _check_optional_item_fields(where: str, item: dict) -> None:
    for field, expected in OPTIONAL_ITEM_FIELDS.items():
        if field in item and not isinstance(item[field], expected):
            raise CatalogError(f"{where}: field '{field}' must be {expected.__name__}.")
    if item.get("section", "") and item["section"] not in Section.values:
        raise CatalogError(f"{where}: section must be one of {', '.join(Section.values)}.")
    for field in ("see_also", "supersedes"):
        if not all(isinstance(code, str) and code.strip() for code in item.get(field, [])):
            raise CatalogError(f"{where}: '{field}' must be a list of item codes.")
    for number, citation in enumerate(item.get("citations", []), start=1):
        if not isinstance(citation, dict):
            raise CatalogError(f"{where}: citation {number} must be a JSON object.")
        missing = [f for f in REQUIRED_CITATION_FIELDS if not str(citation.get(f, "")).strip()]
        if missing:
            raise CatalogError(f"{where}: citation {number} is missing {', '.join(missing)}.")
        if not str(citation["url"]).startswith("https://"):
            raise CatalogError(f"{where}: citation {number} needs an https:// URL.")


def read_catalog_file(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path.name}: cannot be read as UTF-8 JSON: {exc}") from exc
    validate_catalog(data, path.name)
    return data


@transaction.atomic
def load_catalog_file(path: Path) -> LoadResult:
    """Load one catalogue file. Idempotent; refuses to alter a version already published."""
    data = read_catalog_file(path)
    digest = file_sha256(path)
    existing = CatalogVersion.objects.filter(code=data["version"]).first()
    if existing:
        if existing.content_sha256 != digest:
            raise CatalogError(
                f"{path.name}: catalogue version {existing.code} is already published with "
                f"different content (loaded from {existing.file_name}, sha256 "
                f"{existing.content_sha256[:12]}…). Published versions are immutable: put the "
                "change in a new file with a new 'version' and load that."
            )
        return LoadResult(existing.code, path.name, False, existing.items.count())
    kind = data.get("kind", VersionKind.BASE)
    version = CatalogVersion.objects.create(
        code=data["version"],
        title=data["title"],
        published_on=datetime.date.fromisoformat(data["published_on"]),
        source=data["source"],
        kind=kind,
        # A newly loaded supplement is asked on new cases until compliance says otherwise.
        default_for_new_cases=kind == VersionKind.SUPPLEMENT,
        file_name=path.name,
        content_sha256=digest,
    )
    CatalogItem.objects.bulk_create(
        CatalogItem(
            version=version,
            position=position,
            **{field: item[field] for field in REQUIRED_ITEM_FIELDS},
            **{field: item[field] for field in OPTIONAL_ITEM_FIELDS if field in item},
        )
        for position, item in enumerate(data["items"], start=1)
    )
    return LoadResult(version.code, path.name, True, len(data["items"]))


def catalog_files(directory: Path = CATALOG_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def load_catalogs(paths: list[Path] | None = None) -> list[LoadResult]:
    """Load every catalogue file. All files are validated before anything is written."""
    paths = catalog_files() if paths is None else paths
    if not paths:
        raise CatalogError(f"No catalogue files found in {CATALOG_DIR}.")
    for path in paths:
        read_catalog_file(path)
    with transaction.atomic():
        return [load_catalog_file(path) for path in paths]


def set_version_active(version: CatalogVersion, active: bool) -> CatalogVersion:
    version.is_active = active
    version.save()
    return version


@transaction.atomic
def set_default_versions(
    actor, base: CatalogVersion, supplements: list[CatalogVersion]
) -> tuple[CatalogVersion, list[CatalogVersion]]:
    """Choose what new cases pin: one active base version plus any active supplements."""
    if base.kind != VersionKind.BASE or not base.is_active:
        raise CatalogError(f"{base.code} is not an active base version.")
    inactive = [version.code for version in supplements if not version.is_active]
    if inactive:
        raise CatalogError(f"Inactive versions cannot be defaults: {', '.join(inactive)}.")
    chosen = {base.pk, *(version.pk for version in supplements)}
    CatalogVersion.objects.exclude(pk__in=chosen).filter(default_for_new_cases=True).update(
        default_for_new_cases=False
    )
    CatalogVersion.objects.filter(pk__in=chosen).update(default_for_new_cases=True)
    record_event(
        actor=actor,
        action="catalog.defaults_set",
        obj=base,
        summary=f"New cases pin {base.code}"
        + (f" with {', '.join(v.code for v in supplements)}" if supplements else ""),
        data={"base": base.code, "supplements": [version.code for version in supplements]},
    )
    return base, supplements
