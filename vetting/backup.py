"""Backup and restore of a whole installation: the database and every stored file.

A backup is a directory (or a .tar file holding one) with:

- `database.vetting-jsonl`: every row, as Django's portable `dumpdata` JSON Lines (content types
  by natural key), so it restores on SQLite or PostgreSQL whichever it came from, and is written
  and read one row at a time; encrypted numbers stay encrypted (vetting/backup_serializer.py);
- `files/<name>`: every file the database refers to (evidence, reports, integrity check results),
  read through the storage in use (the local disk or the object store);
- `manifest.json`: the SHA-256 and size of each of them, the vetting version, the migrations
  applied and when the backup was made.

The secrets and field keys (DJANGO_SECRET_KEY, VETTING_FIELD_KEYS, VETTING_BLIND_INDEX_KEY) are
never in a backup: they are kept apart and given to the restoring installation, which otherwise
cannot read the encrypted numbers nor link cases on them.

Restoring verifies every hash before it changes anything, refuses an installation that already
holds data, migrates, loads the rows, writes the files to the storage in use and runs the
integrity check.
"""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from common.storage import CHUNK_SIZE, StorageUnavailable, read_chunks

FORMAT = "vetting-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.vetting-jsonl"
FILES = "files"
# Rebuilt by `migrate` in the restoring installation, or of no use there (sessions).
# Left out: rows the target rebuilds itself. The case tallies are counted again by their
# triggers as the cases are loaded (cases/tallies.py).
EXCLUDED_MODELS = ["contenttypes", "auth.permission", "sessions", "cases.casetally"]
KEYS_NOTE = (
    "This backup holds no secrets and no field keys. The restoring installation needs the same "
    "VETTING_FIELD_KEYS and VETTING_BLIND_INDEX_KEY (and DJANGO_SECRET_KEY) as the one backed "
    "up; keep them apart from the backup. Without the field keys the encrypted account and "
    "identity document numbers cannot be read."
)

Progress = Callable[[str], None]


class BackupError(Exception):
    """Bad input or a state the command refuses: shown to the operator as it is, no traceback."""


# ---------------------------------------------------------------- helpers


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def vetting_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vetting")
    except PackageNotFoundError:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        if pyproject.exists():
            import tomllib

            return tomllib.loads(pyproject.read_text())["project"]["version"]
        return "unknown"


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def stored_file_names(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every file name held in a FileField of any model, once each, sorted."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                values = (
                    model._base_manager.using(using)
                    .exclude(**{field.name: ""})
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=1000)
                )
                names.update(values)
    return sorted(names)


def _safe_relative(name: str) -> Path:
    """A stored file name as a path inside the backup; never one that climbs out of it."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not name:
        raise BackupError(f"Refusing the file name {name!r}: it would leave the backup directory.")
    return path


# ---------------------------------------------------------------- backup


def create_backup(target: Path, progress: Progress = lambda message: None) -> dict:
    """Write a backup to `target`: a new directory, or a .tar file when it ends in .tar."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new path for the backup.")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory.")
    as_tar = target.suffix == ".tar"
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=target.parent)) if as_tar else target
    try:
        if not as_tar:
            staging.mkdir()
        _record_backup(target.resolve())
        manifest = _write_backup(staging, progress)
        if as_tar:
            progress(f"Writing {target}")
            partial = target.with_name(target.name + ".partial")
            with tarfile.open(partial, "w") as archive:
                archive.add(staging, arcname="backup")
            partial.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if as_tar:
            target.with_name(target.name + ".partial").unlink(missing_ok=True)
        raise
    if as_tar:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _write_backup(directory: Path, progress: Progress) -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    dump = directory / DATABASE
    progress(f"Dumping the database ({connection.vendor}) to {DATABASE}")
    # One snapshot: rows written while the dump runs are either all in it or all left out.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        migrations = applied_migrations()
        call_command(
            "dumpdata",
            exclude=EXCLUDED_MODELS,
            format="vetting-jsonl",  # vetting/backup_serializer.py: numbers stay encrypted
            use_natural_foreign_keys=True,
            use_natural_primary_keys=False,
            use_base_manager=True,  # every row, whatever a model's default manager leaves out
            output=str(dump),
            verbosity=0,
        )
        names = stored_file_names()
    sha256, size = _hash_file(dump)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "vetting_version": vetting_version(),
        "created_at": timezone.now().isoformat(),
        "source_database": connection.vendor,
        "migrations": migrations,
        "keys_included": False,
        "keys_note": KEYS_NOTE,
        "database": {"path": DATABASE, "sha256": sha256, "size": size},
        "files": [],
    }
    progress(f"Copying {len(names)} stored files")
    for number, name in enumerate(names, start=1):
        destination = directory / FILES / _safe_relative(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with destination.open("wb") as out:
                for chunk in read_chunks(name):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except StorageUnavailable as exc:
            raise BackupError(f"The file storage cannot be reached: {exc}") from exc
        except FileNotFoundError:
            # The backup goes on: the restored installation's integrity check will list it.
            destination.unlink(missing_ok=True)
            progress(f"  WARNING: {name} is missing from the storage; not in the backup")
            continue
        manifest["files"].append({"name": name, "sha256": digest.hexdigest(), "size": size})
        if number % 100 == 0:
            progress(f"  {number}/{len(names)} files")
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    progress(f"Backup written: {len(manifest['files'])} files, database {sha256[:12]}…")
    return manifest


# ---------------------------------------------------------------- restore


@dataclass
class Opened:
    directory: Path
    manifest: dict
    cleanup: Callable[[], None]


def open_backup(source: Path) -> Opened:
    """The backup's directory and manifest; a .tar file is unpacked to a temporary directory."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if source.is_dir():
        return Opened(source, read_manifest(source), lambda: None)
    temporary = Path(tempfile.mkdtemp(prefix="vetting-restore-"))
    try:
        try:
            with tarfile.open(source, "r:*") as archive:
                archive.extractall(temporary, filter="data")
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            raise BackupError(f"{source} is not a readable backup archive ({exc}).") from exc
        inner = temporary / "backup"
        if not inner.is_dir():
            raise BackupError(f"{source} does not hold a backup (no backup/ directory inside).")
        return Opened(inner, read_manifest(inner), lambda: shutil.rmtree(temporary, True))
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is damaged: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a vetting backup manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; this version of "
            f"vetting restores version {FORMAT_VERSION}."
        )
    return manifest


def verify(opened: Opened, progress: Progress = lambda message: None) -> None:
    """Every file's SHA-256 and size as the manifest records them, or BackupError."""
    manifest, directory = opened.manifest, opened.directory
    entries = [manifest["database"] | {"name": manifest["database"]["path"], "in": directory}]
    entries += [entry | {"in": directory / FILES} for entry in manifest.get("files", [])]
    progress(f"Verifying {len(entries)} hashes")
    problems = []
    for entry in entries:
        path = entry["in"] / _safe_relative(entry["name"])
        if not path.is_file():
            problems.append(f"{entry['name']}: missing from the backup")
            continue
        sha256, size = _hash_file(path)
        if (sha256, size) != (entry["sha256"], entry["size"]):
            problems.append(f"{entry['name']}: does not match its SHA-256 in the manifest")
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BackupError(
            f"The backup is damaged or was changed; nothing was restored.\n  {shown}{more}"
        )


def check_migrations(manifest: dict) -> None:
    """Refuse a backup made by a newer vetting: this code cannot hold its rows."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(manifest.get("migrations", [])) - known)
    if unknown:
        raise BackupError(
            "This backup comes from a newer version of vetting "
            f"({manifest.get('vetting_version')}); install it first. Unknown migrations: "
            + ", ".join(unknown[:10])
        )


def installation_problems(manifest: dict) -> list[str]:
    """Why this installation is not empty (users, cases, audit events or stored files)."""
    from audit.models import AuditEvent
    from cases.models import Case

    problems = []
    User = apps.get_model(settings.AUTH_USER_MODEL)
    tables = set(connections[DEFAULT_DB_ALIAS].introspection.table_names())
    for model, what in ((User, "users"), (Case, "cases"), (AuditEvent, "audit events")):
        if model._meta.db_table in tables and model._default_manager.exists():
            problems.append(f"the database already holds {what}")
    try:
        names = [entry["name"] for entry in manifest.get("files", [])]
        present = [name for name in names if default_storage.exists(name)]
    except StorageUnavailable as exc:
        raise BackupError(f"The file storage cannot be reached: {exc}") from exc
    if present:
        problems.append(f"the file storage already holds {len(present)} of the files")
    return problems


def restore(opened: Opened, progress: Progress = lambda message: None) -> dict:
    """Restore into this (empty) installation; returns the integrity check's summary."""
    manifest, directory = opened.manifest, opened.directory
    verify(opened, progress)
    check_migrations(manifest)
    problems = installation_problems(manifest)
    if problems:
        raise BackupError(
            "Restore needs an empty installation, and here "
            + "; ".join(problems)
            + ". Point DATABASE_URL (or VETTING_VAR_DIR, embedded) and the file storage at new, "
            "empty ones."
        )
    progress("Creating the tables (migrate)")
    call_command("migrate", interactive=False, verbosity=0)
    progress("Loading the database")
    from django.contrib.auth.models import Group

    from accounts.signals import replaying_rows

    with transaction.atomic():
        # `migrate` created the roles; the backup brings them back with their own ids.
        Group.objects.all().delete()
        try:
            with replaying_rows():
                call_command("loaddata", str(directory / DATABASE), verbosity=0)
        except Exception as exc:
            raise BackupError(
                f"Loading the database failed, nothing was loaded: {exc}. If it cannot decrypt "
                "a stored value, start this installation with the VETTING_FIELD_KEYS of the one "
                "that was backed up."
            ) from exc
    files = manifest.get("files", [])
    progress(f"Writing {len(files)} files to the {settings.STORAGE} storage")
    for number, entry in enumerate(files, start=1):
        path = directory / FILES / _safe_relative(entry["name"])
        try:
            with path.open("rb") as stream:
                saved = default_storage.save(entry["name"], File(stream, name=entry["name"]))
        except (StorageUnavailable, OSError) as exc:
            raise BackupError(
                f"Writing {entry['name']} to the file storage failed ({exc}). The database is "
                "loaded but the files are not all there: empty the database and the storage "
                "before restoring again."
            ) from exc
        if saved != entry["name"]:
            raise BackupError(f"The storage stored {entry['name']} as {saved}; restore stopped.")
        if number % 100 == 0:
            progress(f"  {number}/{len(files)} files")
    _record_restore(manifest)
    return run_integrity_check(progress)


def _record_backup(target: Path) -> None:
    """A copy of every case is leaving the application: the audit log says so (and the backup
    holds the event)."""
    from audit.services import record_event

    record_event(
        actor=None,
        action="backup.created",
        summary=f"Backup of the database and every stored file to {target}"[:500],
        data={"path": str(target)},
    )


def _record_restore(manifest: dict) -> None:
    from audit.services import record_event

    record_event(
        actor=None,
        action="backup.restored",
        obj=None,
        summary=(
            f"Restored from a backup made {manifest['created_at']} "
            f"(vetting {manifest['vetting_version']}, {len(manifest['files'])} files)"
        ),
        data={"created_at": manifest["created_at"], "files": len(manifest["files"])},
    )


def run_integrity_check(progress: Progress = lambda message: None) -> dict:
    """The integrity check (reports/integrity.py), run here and now; its CSV is discarded."""
    from reports import integrity

    progress("Running the integrity check")
    with open(os.devnull, "wb") as output:
        summary = integrity.write_report(output, exclude_job_id=None, progress=lambda p: None)
    return summary.as_dict()
