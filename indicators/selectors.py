import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from .models import (
    CatalogItem,
    CatalogUpload,
    CatalogVersion,
    Kind,
    Section,
    UploadStatus,
    VersionKind,
)
from .validation import catalog_problems, is_already_published


class NoCatalogError(Exception):
    pass


def default_catalog_version() -> CatalogVersion:
    """The base version new cases pin: the one named in the environment, else the one compliance
    chose as the default, else the newest active base version."""
    versions = CatalogVersion.objects.filter(is_active=True)
    configured = settings.VETTING_DEFAULT_CATALOG_VERSION
    if configured:
        version = versions.filter(code=configured).first()
    else:
        bases = versions.filter(kind=VersionKind.BASE)
        version = bases.filter(default_for_new_cases=True).first() or bases.first()
    if version is None:
        raise NoCatalogError(
            "No indicator catalogue is loaded. Run `python manage.py load_catalogs` first."
        )
    return version


def default_supplements(base: CatalogVersion) -> list[CatalogVersion]:
    """What new cases pin besides their base version, oldest first: supplements, or an older
    base version (such as May 2022) so that its own items are asked too."""
    return list(
        CatalogVersion.objects.filter(is_active=True, default_for_new_cases=True)
        .exclude(pk=base.pk)
        .order_by("published_on", "code")
    )


def catalog_versions():
    return CatalogVersion.objects.all()


def version_items(version: CatalogVersion):
    return CatalogItem.objects.filter(version=version).order_by("position")


# ---------------------------------------------------------------- catalogue management


def version_overview():
    """Every version, newest first, with its item counts (the Catalogues page and the API)."""
    return CatalogVersion.objects.annotate(
        item_count=Count("items"),
        red_flag_count=Count("items", filter=Q(items__kind=Kind.RED_FLAG)),
        due_diligence_count=Count("items", filter=Q(items__kind=Kind.DUE_DILIGENCE)),
    )


def current_defaults() -> tuple[CatalogVersion | None, list[CatalogVersion]]:
    """What a case opened now pins: its base version and the versions asked besides it."""
    try:
        base = default_catalog_version()
    except NoCatalogError:
        return None, []
    return base, default_supplements(base)


def uploads():
    return CatalogUpload.objects.select_related("uploaded_by", "decided_by", "published_version")


def previous_version(kind: str, code: str = "") -> CatalogVersion | None:
    """The newest published version of `kind` other than `code`: what a new one is compared
    with."""
    return (
        CatalogVersion.objects.filter(kind=kind)
        .exclude(code=code)
        .order_by("-published_on", "-code")
        .first()
    )


@dataclass(frozen=True)
class ItemChange:
    code: str
    previous_code: str  # the same code, or the earlier item it supersedes
    field: str  # "wording" | "weight" | "critical"
    before: object
    after: object
    title: str


@dataclass
class CatalogDiff:
    previous: CatalogVersion | None
    added: list[dict] = field(default_factory=list)  # items of the new file
    removed: list[CatalogItem] = field(default_factory=list)
    reworded: list[ItemChange] = field(default_factory=list)
    reweighted: list[ItemChange] = field(default_factory=list)
    criticality: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added or self.removed or self.reworded or self.reweighted or self.criticality
        )

    def as_dict(self) -> dict:
        def change(c: ItemChange) -> dict:
            return {
                "code": c.code,
                "previous_code": c.previous_code,
                "title": c.title,
                "before": c.before,
                "after": c.after,
            }

        return {
            "previous_version": self.previous.code if self.previous else None,
            "added": [
                {"code": item.get("code"), "title": item.get("title")} for item in self.added
            ],
            "removed": [{"code": item.code, "title": item.title} for item in self.removed],
            "reworded": [change(c) for c in self.reworded],
            "reweighted": [change(c) for c in self.reweighted],
            "criticality_changed": [change(c) for c in self.criticality],
            "unchanged": self.unchanged,
        }


def _item_changes(before: CatalogItem, item: dict) -> list[tuple[str, ItemChange]]:
    code, title = item["code"], item["title"]
    changes = []
    if before.title != title or before.source_text != item["source_text"]:
        was = {"title": before.title, "source_text": before.source_text}
        now = {"title": title, "source_text": item["source_text"]}
        changes.append(("reworded", ItemChange(code, before.code, "wording", was, now, title)))
    if before.weight != item["weight"]:
        change = ItemChange(code, before.code, "weight", before.weight, item["weight"], title)
        changes.append(("reweighted", change))
    if before.critical != item["critical"]:
        change = ItemChange(code, before.code, "critical", before.critical, item["critical"], title)
        changes.append(("criticality", change))
    return changes


def catalog_diff(data: dict, previous: CatalogVersion | None) -> CatalogDiff:
    """The changes a (valid) catalogue file makes to `previous`: items added and removed, and
    for an item matched by its code, or by an earlier code it `supersedes`, a changed wording
    (title or the source's text), weight or critical flag."""
    diff = CatalogDiff(previous=previous)
    old = {item.code: item for item in (version_items(previous) if previous else [])}
    matched: set[str] = set()
    for item in data.get("items", []):
        code = item["code"]
        candidates = [code, *item.get("supersedes", [])]
        before = next((old[c] for c in candidates if c in old and c not in matched), None)
        if before is None:
            diff.added.append(item)
            continue
        matched.add(before.code)
        changes = _item_changes(before, item)
        for into, change in changes:
            getattr(diff, into).append(change)
        diff.unchanged += not changes
    diff.removed = [item for code, item in old.items() if code not in matched]
    return diff


@dataclass
class UploadReview:
    """What the draft page and the API show of an upload: its problems (checked now, for a
    draft) or, when it has none, the changes against the previous version of its kind."""

    upload: CatalogUpload
    problems: list[dict]
    diff: CatalogDiff | None
    item_count: int
    already_published: bool

    @property
    def is_valid(self) -> bool:
        return not self.problems


def upload_review(upload: CatalogUpload) -> UploadReview:
    try:
        data = json.loads(upload.content)
    except json.JSONDecodeError:  # never stored so, but a review must not fail
        data = None
    items = data.get("items") if isinstance(data, dict) else None
    item_count = len(items) if isinstance(items, list) else 0
    if upload.status != UploadStatus.DRAFT:
        return UploadReview(upload, list(upload.errors), None, item_count, False)
    problems = catalog_problems(data, upload.file_name, content_sha256=upload.sha256)
    diff = None
    if not problems:
        kind = data.get("kind", VersionKind.BASE)
        diff = catalog_diff(data, previous_version(kind, data["version"]))
    return UploadReview(
        upload,
        [problem.as_dict() for problem in problems],
        diff,
        item_count,
        is_already_published(problems),
    )


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Reference:
    code: str
    versions: tuple[str, ...]  # the versions holding an item of that code (empty: none)
    title: str


@dataclass
class ItemCoverage:
    item: CatalogItem
    section: str  # the checklist section's label
    excerpt: str
    sources: list[dict]  # {"label", "url", "date", "quote", "section"}
    see_also: list[Reference]
    supersedes: list[Reference]


@dataclass
class VersionCoverage:
    version: CatalogVersion
    items: list[ItemCoverage]
    by_section: list[tuple[str, int]]
    by_source: list[tuple[str, int]]


EXCERPT_CHARS = 160


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _item_sources(item: CatalogItem, version: CatalogVersion) -> list[dict]:
    """Where an item came from: its citations, else the version's advisory and section."""
    if item.citations:
        return [
            {
                "label": f"{c.get('issuer', '')} — {c.get('title', '')}".strip(" —"),
                "issuer": c.get("issuer", ""),
                "title": c.get("title", ""),
                "url": c.get("url", ""),
                "date": c.get("date", ""),
                "quote": c.get("quote", ""),
                "section": "",
            }
            for c in item.citations
            if isinstance(c, dict)
        ]
    source = version.source or {}
    return [
        {
            "label": source.get("advisory", version.title),
            "issuer": ", ".join(source.get("agencies", [])),
            "title": source.get("advisory", version.title),
            "url": source.get("url", ""),
            "date": source.get("date", ""),
            "quote": "",
            "section": item.source_section,
        }
    ]


def catalog_coverage(versions=None) -> list[VersionCoverage]:
    """Provenance in one table: per version, each item with the advisory section and wording
    (base versions) or the citations (supplements) it rests on, its see-also and supersedes
    links resolved across versions, and the counts per checklist section and per source.
    Three queries whatever the number of versions and items."""
    versions = list(versions if versions is not None else CatalogVersion.objects.all())
    items = list(
        CatalogItem.objects.filter(version__in=versions)
        .select_related("version")
        .order_by("version", "position")
    )
    codes = {code for item in items for code in (*item.see_also, *item.supersedes)}
    holders: dict[str, list[tuple[str, str]]] = {}
    for code, version_code, title in (
        CatalogItem.objects.filter(code__in=codes)
        .order_by("version__published_on", "version__code")
        .values_list("code", "version__code", "title")
    ):
        holders.setdefault(code, []).append((version_code, title))

    def reference(code: str) -> Reference:
        found = holders.get(code, [])
        return Reference(code, tuple(v for v, _ in found), found[-1][1] if found else "")

    by_version: dict[int, list[CatalogItem]] = {}
    for item in items:
        by_version.setdefault(item.version_id, []).append(item)
    section_labels = dict(Section.choices)
    result = []
    for version in versions:
        rows = []
        sections: dict[str, int] = {}
        sources: dict[str, int] = {}
        for item in by_version.get(version.pk, []):
            item_sources = _item_sources(item, version)
            label = str(section_labels[item.checklist_section])
            rows.append(
                ItemCoverage(
                    item=item,
                    section=label,
                    excerpt=_excerpt(item.source_text),
                    sources=item_sources,
                    see_also=[reference(code) for code in item.see_also],
                    supersedes=[reference(code) for code in item.supersedes],
                )
            )
            sections[label] = sections.get(label, 0) + 1
            for source in item_sources:
                name = source["label"] + (f" · {source['section']}" if source["section"] else "")
                sources[name] = sources.get(name, 0) + 1
        result.append(
            VersionCoverage(
                version=version,
                items=rows,
                by_section=sorted(sections.items(), key=lambda pair: (-pair[1], pair[0])),
                by_source=sorted(sources.items(), key=lambda pair: (-pair[1], pair[0])),
            )
        )
    return result
