"""Loading catalogue data files (the CLI) and publishing uploaded ones (web and API), activating
versions and choosing the defaults for new cases. Published versions are immutable: a changed
file is refused."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from common.errors import InvalidTransition, ServiceValidationError

from .models import CatalogItem, CatalogUpload, CatalogVersion, UploadStatus, VersionKind
from .permissions import require_catalog_manager
from .validation import (
    ALREADY_PUBLISHED,
    OPTIONAL_ITEM_FIELDS,
    REQUIRED_ITEM_FIELDS,
    CatalogProblem,
    catalog_problems,
    published_item_codes,
)

CATALOG_DIR = Path(settings.BASE_DIR) / "indicators" / "catalogs"


class CatalogError(Exception):
    """A catalogue file is invalid, or would change a published version. Carries every
    problem found (`problems`); its text names them all, one per line."""

    def __init__(self, problems: "str | list[CatalogProblem]"):
        if isinstance(problems, str):
            problems = [CatalogProblem(message=problems)]
        self.problems = list(problems)
        super().__init__("\n".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [
            problem.message if problem.where == "catalogue" else str(problem)
            for problem in self.problems
        ]


@dataclass(frozen=True)
class LoadResult:
    version: str
    file_name: str
    created: bool
    item_count: int


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate_catalog(data, file_name: str, *, known_codes: set[str] | None = None) -> None:
    """Raise CatalogError naming every problem of the file (the file, item and field of each),
    one per line. `known_codes`: item codes see_also/supersedes may name besides the file's own
    (default: the published items)."""
    problems = catalog_problems(data, file_name, known_codes=known_codes)
    if problems:
        raise CatalogError(problems)


def parse_catalog_bytes(content: bytes, file_name: str):
    """The JSON a catalogue file holds; CatalogError when it is no UTF-8 JSON."""
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CatalogError(f"{file_name}: cannot be read as UTF-8 JSON: {exc}") from exc


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path.name}: cannot be read as UTF-8 JSON: {exc}") from exc


def read_catalog_file(path: Path, *, known_codes: set[str] | None = None) -> dict:
    data = parse_catalog_bytes(_read_bytes(path), path.name)
    validate_catalog(data, path.name, known_codes=known_codes)
    return data


def _item_codes(data) -> set[str]:
    items = data.get("items") if isinstance(data, dict) else None
    return {
        item["code"]
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("code"), str)
    }


@transaction.atomic
def load_catalog_data(data: dict, *, file_name: str, digest: str) -> tuple[CatalogVersion, bool]:
    """Write one validated catalogue (the loader of the CLI and of publishing on the web).
    Idempotent: the same content again changes nothing (returns the version and False); other
    content under a published version code is refused."""
    existing = CatalogVersion.objects.filter(code=data["version"]).first()
    if existing:
        if existing.content_sha256 != digest:
            raise CatalogError(
                f"{file_name}: catalogue version {existing.code} is already published with "
                f"different content (loaded from {existing.file_name}, sha256 "
                f"{existing.content_sha256[:12]}…). Published versions are immutable: put the "
                "change in a new file with a new 'version' and load that."
            )
        return existing, False
    kind = data.get("kind", VersionKind.BASE)
    version = CatalogVersion.objects.create(
        code=data["version"],
        title=data["title"],
        published_on=datetime.date.fromisoformat(data["published_on"]),
        source=data["source"],
        kind=kind,
        # A newly loaded supplement is asked on new cases until compliance says otherwise.
        default_for_new_cases=kind == VersionKind.SUPPLEMENT,
        file_name=file_name,
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
    return version, True


@transaction.atomic
def load_catalog_file(path: Path, *, known_codes: set[str] | None = None) -> LoadResult:
    """Load one catalogue file. Idempotent; refuses to alter a version already published."""
    content = _read_bytes(path)
    data = parse_catalog_bytes(content, path.name)
    validate_catalog(data, path.name, known_codes=known_codes)
    version, created = load_catalog_data(
        data, file_name=path.name, digest=hashlib.sha256(content).hexdigest()
    )
    return LoadResult(version.code, path.name, created, version.items.count())


def catalog_files(directory: Path = CATALOG_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def load_catalogs(paths: list[Path] | None = None) -> list[LoadResult]:
    """Load every catalogue file. All files are validated before anything is written, and every
    problem of every file is reported at once. A file may name (see_also, supersedes) items of
    the published versions and of the other files loaded with it."""
    paths = catalog_files() if paths is None else paths
    if not paths:
        raise CatalogError(f"No catalogue files found in {CATALOG_DIR}.")
    problems: list[CatalogProblem] = []
    parsed = []
    for path in paths:
        try:
            content = _read_bytes(path)
            parsed.append((path, parse_catalog_bytes(content, path.name), content))
        except CatalogError as exc:
            problems.extend(exc.problems)
    known = published_item_codes().union(*(_item_codes(data) for _, data, _ in parsed))
    for path, data, content in parsed:
        problems.extend(
            problem
            for problem in catalog_problems(
                data,
                path.name,
                known_codes=known,
                content_sha256=hashlib.sha256(content).hexdigest(),
            )
            if problem.rule != ALREADY_PUBLISHED
        )
    if problems:
        raise CatalogError(problems)
    with transaction.atomic():
        return [load_catalog_file(path, known_codes=known) for path in paths]


def _save_as(obj, actor, reason: str = ""):
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    if reason:
        obj._change_reason = reason[:100]
    obj.save()
    return obj


@transaction.atomic
def set_version_active(version: CatalogVersion, active: bool, *, actor=None) -> CatalogVersion:
    """Offer a version to new cases, or stop offering it (old cases keep it). `actor` None is
    the system (the data migration, a script); a person must be a catalogue manager. The last
    active base version cannot be deactivated: new cases need one."""
    if actor is not None:
        require_catalog_manager(actor)
    version = CatalogVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_active == active:
        return version
    if (
        not active
        and version.kind == VersionKind.BASE
        and not CatalogVersion.objects.filter(kind=VersionKind.BASE, is_active=True)
        .exclude(pk=version.pk)
        .exists()
    ):
        raise InvalidTransition(
            _("%(v)s is the only active base version: new cases need one.") % {"v": version.code}
        )
    version.is_active = active
    _save_as(version, actor, "activated" if active else "deactivated")
    record_event(
        actor=actor,
        action="catalog.activated" if active else "catalog.deactivated",
        obj=version,
        summary=f"Catalogue version {version.code} "
        + ("offered to new cases" if active else "no longer offered to new cases"),
        data={"version": version.code, "active": active},
    )
    return version


@transaction.atomic
def set_default_versions(
    actor, base: CatalogVersion, supplements: list[CatalogVersion]
) -> tuple[CatalogVersion, list[CatalogVersion]]:
    """Choose what new cases pin: one active base version plus any active supplements (or
    older base versions, asked for their own items). `actor` None is the system."""
    if actor is not None:
        require_catalog_manager(actor)
    if base.kind != VersionKind.BASE or not base.is_active:
        raise CatalogError(f"{base.code} is not an active base version.")
    inactive = [version.code for version in supplements if not version.is_active]
    if inactive:
        raise CatalogError(f"Inactive versions cannot be defaults: {', '.join(inactive)}.")
    chosen = {base.pk, *(version.pk for version in supplements)}
    # Row by row, so the history records who changed each flag.
    changed = CatalogVersion.objects.select_for_update().filter(
        Q(pk__in=chosen, default_for_new_cases=False)
        | (Q(default_for_new_cases=True) & ~Q(pk__in=chosen))
    )
    for version in changed:
        version.default_for_new_cases = version.pk in chosen
        _save_as(version, actor, "defaults for new cases")
    record_event(
        actor=actor,
        action="catalog.defaults_set",
        obj=base,
        summary=f"New cases pin {base.code}"
        + (f" with {', '.join(v.code for v in supplements)}" if supplements else ""),
        data={"base": base.code, "supplements": [version.code for version in supplements]},
    )
    return base, supplements


# ---------------------------------------------------------------- uploads on the web and API


def upload_catalog(*, actor, file_name: str, content: bytes) -> CatalogUpload:
    """Keep an uploaded catalogue file as a draft, with every problem found in it.

    The file must be a .json file of at most CatalogUpload.MAX_BYTES holding UTF-8 JSON;
    otherwise nothing is kept (ServiceValidationError on `file`). A file that is JSON but no
    valid catalogue is kept as a draft listing its problems: it cannot be published.
    """
    require_catalog_manager(actor)
    file_name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    if not file_name.lower().endswith(CatalogUpload.EXTENSION):
        raise ServiceValidationError({"file": _("Upload a catalogue file ending in .json.")})
    if not content:
        raise ServiceValidationError({"file": _("The file is empty.")})
    if len(content) > CatalogUpload.MAX_BYTES:
        raise ServiceValidationError(
            {
                "file": _("The file is too large: at most %(n)d MB.")
                % {"n": CatalogUpload.MAX_BYTES // (1024 * 1024)}
            }
        )
    try:
        data = parse_catalog_bytes(content, file_name)
    except CatalogError as exc:
        raise ServiceValidationError(
            {"file": _("The file is not UTF-8 JSON: %(e)s") % {"e": exc.messages[0]}}
        ) from exc
    digest = hashlib.sha256(content).hexdigest()
    problems = catalog_problems(data, file_name, content_sha256=digest)
    declared = data if isinstance(data, dict) else {}
    with transaction.atomic():
        upload = CatalogUpload(
            file_name=file_name,
            content=content.decode("utf-8"),
            sha256=digest,
            size=len(content),
            version_code=_text(declared.get("version"), 100),
            title=_text(declared.get("title"), 300),
            kind=_text(declared.get("kind", VersionKind.BASE), 20),
            errors=[problem.as_dict() for problem in problems],
            uploaded_by=actor,
        )
        _save_as(upload, actor, "uploaded")
        record_event(
            actor=actor,
            action="catalog.uploaded",
            obj=upload,
            summary=f"Catalogue file {file_name} uploaded ({upload.version_code or 'no version'}"
            f", {len(problems)} problem{'s' if len(problems) != 1 else ''})",
            data={
                "file_name": file_name,
                "sha256": digest,
                "size": len(content),
                "version": upload.version_code,
                "problems": len(problems),
            },
        )
    return upload


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _locked_draft(upload: CatalogUpload) -> CatalogUpload:
    upload = CatalogUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status != UploadStatus.DRAFT:
        raise InvalidTransition(
            _("%(file)s is %(status)s: only a draft can be published or discarded.")
            % {"file": upload.file_name, "status": upload.get_status_display().lower()}
        )
    return upload


@transaction.atomic
def publish_upload(*, actor, upload: CatalogUpload) -> CatalogVersion:
    """Publish a valid draft through the same loader as `manage.py load_catalogs`. The file is
    checked again first (another version may have been published since it was uploaded); any
    problem refuses it with every message (ServiceValidationError on `file`). Once published,
    the version is immutable and the draft is closed."""
    require_catalog_manager(actor)
    upload = _locked_draft(upload)
    content = upload.content.encode("utf-8")
    data = parse_catalog_bytes(content, upload.file_name)
    problems = catalog_problems(data, upload.file_name, content_sha256=upload.sha256)
    stored = [problem.as_dict() for problem in problems]
    if stored != upload.errors:
        upload.errors = stored
        _save_as(upload, actor, "checked again")
    if problems:
        raise ServiceValidationError({"file": CatalogError(problems).messages})
    try:
        with transaction.atomic():
            version, _created = load_catalog_data(
                data, file_name=upload.file_name, digest=upload.sha256
            )
    except IntegrityError as exc:  # the same version code published at this very moment
        raise InvalidTransition(
            _("Version %(v)s was published by someone else meanwhile.") % {"v": upload.version_code}
        ) from exc
    upload.status = UploadStatus.PUBLISHED
    upload.published_version = version
    upload.decided_by = actor
    upload.decided_at = timezone.now()
    _save_as(upload, actor, "published")
    record_event(
        actor=actor,
        action="catalog.published",
        obj=version,
        summary=f"Catalogue version {version.code} published from {upload.file_name} "
        f"({version.items.count()} items)",
        data={
            "version": version.code,
            "kind": version.kind,
            "upload": upload.pk,
            "sha256": upload.sha256,
            "default_for_new_cases": version.default_for_new_cases,
        },
    )
    return version


@transaction.atomic
def discard_upload(*, actor, upload: CatalogUpload, reason: str = "") -> CatalogUpload:
    """Close a draft without publishing it (kept, with who discarded it and why)."""
    require_catalog_manager(actor)
    upload = _locked_draft(upload)
    upload.status = UploadStatus.DISCARDED
    upload.decided_by = actor
    upload.decided_at = timezone.now()
    upload.discard_reason = (reason or "").strip()[:300]
    _save_as(upload, actor, "discarded")
    record_event(
        actor=actor,
        action="catalog.upload_discarded",
        obj=upload,
        summary=f"Catalogue draft {upload.file_name} discarded"
        + (f": {upload.discard_reason}" if upload.discard_reason else ""),
        data={"file_name": upload.file_name, "version": upload.version_code},
    )
    return upload
