"""`manage.py backup` and `manage.py restore`: a round trip between two installations.

Each installation is its own database and file storage, driven through manage.py in
subprocesses with the same secrets and field keys, as an operator would. The round trip runs on
SQLite always and on PostgreSQL (127.0.0.1:5432, user postgres) when the server answers.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
ACCOUNT_NUMBER = "GB82WEST12345698765432"

POPULATE = r"""
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts import roles
from django.contrib.auth import get_user_model
User = get_user_model()
from accounts.services import sync_roles
from cases import selectors, services
from indicators.services import load_catalogs
from reports import services as report_services

load_catalogs()
sync_roles()
hr = User.objects.create_user(username="hanna", password="pw-hanna-long-enough-1")
hr.groups.set(Group.objects.filter(name=roles.HR))
auditor = User.objects.create_user(username="chris", password="pw-chris-long-enough-1")
auditor.groups.set(Group.objects.filter(name__in=[roles.COMPLIANCE, roles.ADMIN]))
for number in range(2):
    case = services.open_case(hr, {
        "legal_name": f"Jane Roe {number}", "role_applied_for": "Developer",
        "account_number": "GB82WEST12345698765432", "emails": [f"j{number}@example.com"],
    })
    for answer in list(selectors.answers_for(case))[:3]:
        value = "not_observed" if answer.item.is_red_flag else "completed"
        services.answer_item(hr, case, answer.item.code, value, f"note {number}")
    services.upload_evidence(
        hr, case, SimpleUploadedFile(f"letter {number}.pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes([number]) * 5000),
        "Bank letter",
    )
    services.upload_evidence(hr, case, SimpleUploadedFile("chat.txt", b"chat log %d" % number))
report_services.request_integrity_check(auditor)
"""

SNAPSHOT = r"""
import json
from audit.models import AuditEvent
from cases.models import Candidate, Case, CaseTally, ChecklistAnswer, Evidence
from reports.models import ReportJob

def rows(queryset, *fields):
    return [list(row) for row in queryset.values_list(*fields)]

print("SNAPSHOT:" + json.dumps({
    "cases": rows(
        Case.objects.order_by("reference"), "id", "reference", "status", "risk_score", "updated_at"
    ),
    "candidates": [
        [c.legal_name, c.account_number, c.account_number_index]
        for c in Candidate.objects.order_by("id")
    ],
    "answers": rows(
        ChecklistAnswer.objects.order_by("id"), "id", "case__reference", "item__code", "value",
        "note", "version",
    ),
    "evidence": rows(
        Evidence.objects.order_by("id"), "id", "case__reference", "file", "original_name",
        "sha256", "size",
    ),
    "reports": rows(ReportJob.objects.order_by("id"), "id", "kind", "status", "file", "sha256"),
    "audit": rows(
        AuditEvent.objects.order_by("id"), "id", "at", "actor__username", "actor_username",
        "action", "object_type", "object_id", "case_reference", "summary", "data",
    ),
    "history": Case.history.count() + Candidate.history.count(),
    "tallies": rows(
        CaseTally.objects.exclude(cases=0).order_by("status", "risk_level", "reviewer_key"),
        "status", "risk_level", "reviewer_key", "cases",
    ),
}, default=str))
"""


class Installation:
    """One installation: a database, a file storage, and manage.py to drive them."""

    def __init__(self, root: Path, keys: dict, database_url: str | None):
        self.root = root
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "VETTING_STORAGE", "DJANGO_SETTINGS_MODULE"}
        }
        self.env.update(
            keys,
            PYTHONPATH=str(REPO),
            DJANGO_ALLOW_ASYNC_UNSAFE="true",
            VETTING_VAR_DIR=str(root / "var"),
            VETTING_MEDIA_ROOT=str(root / "media"),
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.root,
            check=False,
            timeout=600,
        )

    def run(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def snapshot(self) -> dict:
        output = self.run("shell", "-c", SNAPSHOT)
        (line,) = [line for line in output.splitlines() if line.startswith("SNAPSHOT:")]
        return json.loads(line.removeprefix("SNAPSHOT:"))


def refused(result: subprocess.CompletedProcess, *phrases: str) -> None:
    """Exit status 1 with a clear message, and no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.fixture
def keys():
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "VETTING_FIELD_KEYS": Fernet.generate_key().decode(),
        "VETTING_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }


def postgres_databases(count: int):
    """Names of `count` new empty PostgreSQL databases, or a skip if the server does not answer."""
    try:
        import psycopg2
    except ImportError:
        pytest.skip("psycopg2 is not installed")
    try:
        admin = psycopg2.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3
        )
    except psycopg2.OperationalError as exc:
        if os.environ.get("VETTING_REQUIRE_SERVICES"):
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is needed in CI: {exc}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
    admin.autocommit = True
    suffix = secrets.token_hex(4)
    names = [f"vetting_backup_{role}_{suffix}" for role in ("src", "dst", "other")[:count]]
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE DATABASE "{name}"')
    return admin, names


def drop_databases(admin, names) -> None:
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def on_disk(installation: Installation, name: str) -> bytes:
    return (installation.root / "media" / name).read_bytes()


def round_trip(
    tmp_path: Path, source: Installation, target: Installation, archive: Path, read=on_disk
):
    source.run("migrate", "--verbosity", "0")
    source.run("shell", "-c", POPULATE)
    output = source.run("backup", str(archive))
    assert "Backup complete" in output and "VETTING_FIELD_KEYS" in output
    before = source.snapshot()

    output = target.run("restore", str(archive))
    assert "Restore complete; integrity check: 5 files, every one matches" in output
    after = target.snapshot()

    # The restore is itself in the audit log; everything else is as it was.
    restored = [event for event in after["audit"] if event[4] == "backup.restored"]
    assert len(restored) == 1
    after["audit"] = [event for event in after["audit"] if event[4] != "backup.restored"]
    assert len(before["cases"]) == 2 and len(before["answers"]) >= 6
    assert len(before["evidence"]) == 4 and len(before["reports"]) == 1
    assert before["candidates"][0][1] == ACCOUNT_NUMBER  # readable with the same field keys
    assert len(before["audit"]) > 10
    assert [event[4] for event in before["audit"]][-1] == "backup.created"
    assert after == before
    # Every stored file is back, byte for byte, in the new storage.
    for _id, _case, name, *_rest in before["evidence"]:
        assert read(target, name) == read(source, name)
    return before


def test_round_trip_on_sqlite_and_refusals(tmp_path, keys):
    source = Installation(tmp_path / "source", keys, None)
    target = Installation(tmp_path / "target", keys, None)
    for installation in (source, target):
        installation.root.mkdir()
    backup = tmp_path / "backup"
    round_trip(tmp_path, source, target, backup)

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["keys_included"] is False and "VETTING_FIELD_KEYS" in manifest["keys_note"]
    assert {entry["name"] for entry in manifest["files"]} >= {
        name for name in manifest_names(backup) if name.startswith("evidence/")
    }
    assert "cases.0001_initial" in manifest["migrations"]
    dump = (backup / manifest["database"]["path"]).read_text()
    # Neither the keys nor the encrypted numbers in clear are in the backup.
    assert ACCOUNT_NUMBER not in dump
    for value in keys.values():
        assert value not in dump and value not in json.dumps(manifest)

    # Into an installation that holds data: refused, and it is left as it was.
    refused(target.manage("restore", str(backup)), "empty installation", "already holds users")

    # Damaged or changed backups are refused before anything is touched.
    fresh = Installation(tmp_path / "fresh", keys, None)
    fresh.root.mkdir()
    tampered = tmp_path / "tampered"
    shutil.copytree(backup, tampered)
    evidence_file = tampered / "files" / manifest["files"][0]["name"]
    evidence_file.write_bytes(evidence_file.read_bytes() + b"x")
    refused(fresh.manage("restore", str(tampered)), "damaged or was changed", "nothing")
    assert not (fresh.root / "var" / "db.sqlite3").exists() or not fresh.run(
        "showmigrations", "cases", "--plan"
    ).count("[X]")
    assert not (fresh.root / "media").exists()

    refused(fresh.manage("restore", str(tmp_path / "nowhere")), "does not exist")
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar file at all" * 100)
    refused(fresh.manage("restore", str(garbage)), "not a readable backup archive")
    refused(source.manage("backup", str(backup)), "already exists")

    # With other field keys the numbers cannot be read: refused with the reason.
    other_keys = {**keys, "VETTING_FIELD_KEYS": Fernet.generate_key().decode()}
    stranger = Installation(tmp_path / "stranger", other_keys, None)
    stranger.root.mkdir()
    refused(stranger.manage("restore", str(backup)), "VETTING_FIELD_KEYS")


def manifest_names(backup: Path) -> set[str]:
    files = backup / "files"
    return {str(path.relative_to(files)) for path in files.rglob("*") if path.is_file()}


def test_round_trip_on_postgresql_through_a_tar_file(tmp_path, keys):
    admin, names = postgres_databases(2)
    try:
        source = Installation(tmp_path / "source", keys, PG_URL.format(name=names[0]))
        target = Installation(tmp_path / "target", keys, PG_URL.format(name=names[1]))
        for installation in (source, target):
            installation.root.mkdir()
        archive = tmp_path / "vetting-backup.tar"
        round_trip(tmp_path, source, target, archive)

        # A damaged archive is refused, and so is a changed one.
        damaged = tmp_path / "damaged.tar"
        damaged.write_bytes(archive.read_bytes()[:-20000])
        refused(target.manage("restore", str(damaged)), "backup")
        refused(target.manage("restore", str(archive)), "empty installation")
        # New objects after the restore get new ids: the sequences were moved past the rows.
        target.run(
            "shell",
            "-c",
            "from audit.services import record_event; "
            "record_event(actor=None, action='test.after_restore', summary='after')",
        )
    finally:
        drop_databases(admin, names)


def test_round_trip_between_two_object_stores(tmp_path, keys, s3_server):
    """Files are read from one S3-compatible bucket and written to another, through the API."""
    client = s3_server.client()
    installations = {}
    for role in ("source", "target"):
        bucket = f"backup-{role}-{secrets.token_hex(4)}"
        client.create_bucket(Bucket=bucket)
        installation = Installation(tmp_path / role, keys, None)
        installation.root.mkdir()
        installation.env.update(
            VETTING_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME=bucket,
            AWS_S3_ENDPOINT_URL=s3_server.endpoint,
            AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
        installation.bucket = bucket
        installations[role] = installation

    def in_bucket(installation, name):
        return client.get_object(Bucket=installation.bucket, Key=name)["Body"].read()

    source, target = installations["source"], installations["target"]
    round_trip(tmp_path, source, target, tmp_path / "backup", read=in_bucket)
    assert not (target.root / "media").exists()  # nothing went to the local disk
