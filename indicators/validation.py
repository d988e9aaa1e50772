"""Checking a catalogue file: every problem at once, each with where it is.

`catalog_problems` returns the list (empty when the file is valid); the loader
(`services.validate_catalog`) raises them together as one CatalogError, and the web and API
show them one per line, item by item.
"""

import datetime
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from .models import Audience, CatalogItem, CatalogVersion, Category, Kind, Section, VersionKind

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
WEIGHT_RANGE = (1, 100)
# Lengths of the columns the loader writes (a longer value would fail at the database).
MAX_LENGTHS = {
    "version": CatalogVersion._meta.get_field("code").max_length,
    "title": CatalogVersion._meta.get_field("title").max_length,
}
ITEM_MAX_LENGTHS = {
    name: CatalogItem._meta.get_field(name).max_length
    for name in ("code", "title", "title_ko", "source_section")
}
REFERENCE_FIELDS = ("see_also", "supersedes")
ALREADY_PUBLISHED = "already_published"


@dataclass(frozen=True)
class CatalogProblem:
    """One problem of a catalogue file: where it is (the version, the item's 1-based position
    and code, the field) and what is wrong."""

    message: str
    file_name: str = ""
    version: str = ""
    item: int | None = None
    code: str = ""
    field: str = ""
    # "already_published" when the very same content is already published (the loader then
    # changes nothing); "" for every other problem.
    rule: str = ""

    @property
    def where(self) -> str:
        parts = [self.file_name or self.version or "catalogue"]
        if self.item is not None:
            parts.append(_("item %(n)s (%(code)s)") % {"n": self.item, "code": self.code or "?"})
        return " ".join(parts)

    def __str__(self):
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


class _Collector:
    def __init__(self, file_name: str, version: str):
        self.file_name = file_name
        self.version = version
        self.problems: list[CatalogProblem] = []

    def add(self, message: str, *, item: int | None = None, code: str = "", field: str = ""):
        self.problems.append(
            CatalogProblem(
                message=message,
                file_name=self.file_name,
                version=self.version,
                item=item,
                code=code,
                field=field,
            )
        )


def _must_be(field: str, expected: type) -> str:
    return _("field '%(f)s' must be %(type)s.") % {"f": field, "type": expected.__name__}


def _too_long(field: str, limit: int) -> str:
    return _("%(f)s must be at most %(n)s characters.") % {"f": field, "n": limit}


def _one_of(field: str, values) -> str:
    return _("%(f)s must be one of %(values)s.") % {"f": field, "values": ", ".join(values)}


def _check_fields(report, data: dict, required: dict, **where) -> set[str]:
    """Report missing, mistyped or empty fields; return the names of the fields that are fine."""
    good = set()
    for field, expected in required.items():
        if field not in data:
            report(_("missing field '%(f)s'.") % {"f": field}, field=field, **where)
            continue
        value = data[field]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            report(_must_be(field, expected), field=field, **where)
            continue
        if expected is str and field != "evidence_expectation" and not value.strip():
            report(_("field '%(f)s' must not be empty.") % {"f": field}, field=field, **where)
            continue
        good.add(field)
    return good


def _check_version(out: _Collector, data: dict) -> None:
    good = _check_fields(out.add, data, REQUIRED_VERSION_FIELDS)
    if "published_on" in good:
        try:
            datetime.date.fromisoformat(data["published_on"])
        except ValueError:
            out.add(_("published_on must be a date (YYYY-MM-DD)."), field="published_on")
    for field, limit in MAX_LENGTHS.items():
        if field in good and len(data[field]) > limit:
            out.add(_too_long(field, limit), field=field)
    if data.get("kind", VersionKind.BASE) not in VersionKind.values:
        out.add(_one_of("kind", VersionKind.values), field="kind")
    if "source" in good:
        missing = [name for name in REQUIRED_SOURCE_FIELDS if name not in data["source"]]
        if missing:
            out.add(
                _("source is missing %(fields)s.") % {"fields": ", ".join(missing)}, field="source"
            )
        url = data["source"].get("url", "")
        if "url" not in missing and not str(url).startswith("https://"):
            out.add(_("source url must be an https:// URL."), field="source")


def _check_item(out: _Collector, item, index: int, kind: str) -> None:
    code = item.get("code") if isinstance(item, dict) else None
    code = code if isinstance(code, str) else ""
    where = {"item": index, "code": code}
    if not isinstance(item, dict):
        out.add(_("each item must be a JSON object."), **where)
        return
    good = _check_fields(out.add, item, REQUIRED_ITEM_FIELDS, **where)
    for field, limit in ITEM_MAX_LENGTHS.items():
        value = item.get(field)
        if isinstance(value, str) and len(value) > limit:
            out.add(_too_long(field, limit), field=field, **where)
    if "kind" in good and item["kind"] not in Kind.values:
        out.add(_one_of("kind", Kind.values), field="kind", **where)
    if "category" in good and item["category"] not in Category.values:
        out.add(_one_of("category", Category.values), field="category", **where)
    if "audience" in good:
        audience = item["audience"]
        if not audience or not all(value in Audience.values for value in audience):
            out.add(
                _("audience must be a non-empty subset of %(values)s.")
                % {"values": ", ".join(Audience.values)},
                field="audience",
                **where,
            )
    low, high = WEIGHT_RANGE
    if "weight" in good and not low <= item["weight"] <= high:
        out.add(
            _("weight must be between %(low)s and %(high)s.") % {"low": low, "high": high},
            field="weight",
            **where,
        )
    _check_optional_item_fields(out, item, where)
    if kind == VersionKind.SUPPLEMENT and not item.get("citations"):
        out.add(_("a supplement item needs at least one citation."), field="citations", **where)


def _check_optional_item_fields(out: _Collector, item: dict, where: dict) -> None:
    for field, expected in OPTIONAL_ITEM_FIELDS.items():
        if field in item and not isinstance(item[field], expected):
            out.add(_must_be(field, expected), field=field, **where)
    section = item.get("section", "")
    if isinstance(section, str) and section and section not in Section.values:
        out.add(_one_of("section", Section.values), field="section", **where)
    for field in REFERENCE_FIELDS:
        codes = item.get(field, [])
        if isinstance(codes, list) and not all(
            isinstance(code, str) and code.strip() for code in codes
        ):
            out.add(_("'%(f)s' must be a list of item codes.") % {"f": field}, field=field, **where)
    citations = item.get("citations", [])
    for number, citation in enumerate(citations if isinstance(citations, list) else [], 1):
        if not isinstance(citation, dict):
            out.add(
                _("citation %(n)s must be a JSON object.") % {"n": number},
                field="citations",
                **where,
            )
            continue
        missing = [f for f in REQUIRED_CITATION_FIELDS if not str(citation.get(f, "")).strip()]
        if missing:
            out.add(
                _("citation %(n)s is missing %(fields)s.")
                % {"n": number, "fields": ", ".join(missing)},
                field="citations",
                **where,
            )
        if "url" not in missing and not str(citation["url"]).startswith("https://"):
            out.add(
                _("citation %(n)s needs an https:// URL.") % {"n": number},
                field="citations",
                **where,
            )


def _reference_codes(item: dict, field: str) -> list[str]:
    codes = item.get(field, [])
    if not isinstance(codes, list):
        return []
    return [code for code in codes if isinstance(code, str) and code.strip()]


def published_item_codes() -> set[str]:
    """Codes of every item of every published version (what see_also/supersedes may name)."""
    return set(CatalogItem.objects.values_list("code", flat=True).distinct())


def catalog_problems(
    data,
    file_name: str = "",
    *,
    known_codes: set[str] | None = None,
    content_sha256: str = "",
) -> list[CatalogProblem]:
    """Every problem of a parsed catalogue file; an empty list when it may be loaded.

    Besides the shape of each field: codes must be unique in the file; `see_also` and
    `supersedes` must name items of the file itself or of `known_codes` (by default the
    published items; the loader adds the other files it loads with this one); a version code
    already published must come with the same content (`content_sha256`, when given): then the
    only "problem" is that it is already published.
    """
    version = ""
    if isinstance(data, dict) and isinstance(data.get("version"), str):
        version = data["version"]
    out = _Collector(file_name, version)
    if not isinstance(data, dict):
        out.add(_("the file must hold a JSON object."))
        return out.problems
    _check_version(out, data)
    kind = data.get("kind", VersionKind.BASE)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        out.add(_("'items' must be a non-empty list."), field="items")
        items = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        _check_item(out, item, index, kind)
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str) and code.strip():
            if code in seen:
                out.add(
                    _("duplicate code %(code)s (also item %(n)s).")
                    % {"code": code, "n": seen[code]},
                    item=index,
                    code=code,
                    field="code",
                )
            else:
                seen[code] = index
    known = (published_item_codes() if known_codes is None else set(known_codes)) | set(seen)
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        code = item.get("code") if isinstance(item.get("code"), str) else ""
        for field in REFERENCE_FIELDS:
            for reference in _reference_codes(item, field):
                if reference == code:
                    out.add(
                        _("'%(f)s' names the item itself.") % {"f": field},
                        item=index,
                        code=code,
                        field=field,
                    )
                elif reference not in known:
                    out.add(
                        _(
                            "'%(f)s' names %(code)s, which is no item of this file or of a "
                            "published version."
                        )
                        % {"f": field, "code": reference},
                        item=index,
                        code=code,
                        field=field,
                    )
    if version:
        out.problems.extend(_published_problems(out, version, content_sha256))
    return out.problems


def _published_problems(out: _Collector, code: str, content_sha256: str) -> list[CatalogProblem]:
    existing = CatalogVersion.objects.filter(code=code).first()
    if existing is None or not content_sha256:
        return []
    rule = ""
    if existing.content_sha256 == content_sha256:
        rule = ALREADY_PUBLISHED
        message = _(
            "catalogue version %(code)s is already published with this content "
            "(loaded from %(file)s)."
        ) % {"code": code, "file": existing.file_name}
    else:
        message = _(
            "catalogue version %(code)s is already published with different content "
            "(loaded from %(file)s, sha256 %(sha)s…). Published versions are immutable: put the "
            "change in a new file with a new 'version'."
        ) % {"code": code, "file": existing.file_name, "sha": existing.content_sha256[:12]}
    return [
        CatalogProblem(
            message=message, file_name=out.file_name, version=code, field="version", rule=rule
        )
    ]


def is_already_published(problems: list[CatalogProblem]) -> bool:
    """True when the only problem is that this very content is already published."""
    return len(problems) == 1 and problems[0].rule == ALREADY_PUBLISHED
