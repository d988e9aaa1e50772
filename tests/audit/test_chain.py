"""The audit log is a hash chain: every sealed event holds the hash of the one before it, so a
changed, removed or cut-off event shows, in `manage.py verify_audit_chain`, in the integrity
check and in an exported file verified on its own."""

import importlib.util
import subprocess
import sys
import threading

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from audit import chain
from audit.models import AuditEvent
from audit.selectors import verify_chain
from audit.services import anchor_chain, record_event, redact_events, seal_all_pending
from tests.api.conftest import token_client
from tests.reports.test_export import export_url

pytestmark = pytest.mark.django_db

REPO_EXAMPLE = "examples/verify_audit_export.py"


def write_events(count: int, *, actor=None, prefix="test.event") -> list[AuditEvent]:
    seal_all_pending()  # the fixtures' events (users and their roles) come first
    events = [
        record_event(
            actor=actor,
            action=prefix,
            case_reference=f"VET-2026-{n:06d}",
            summary=f"Event number {n} — 한국어 too",
            data={"n": n, "note": "ok", "nested": {"b": [1, 2.5, None], "a": True}},
        )
        for n in range(count)
    ]
    seal_all_pending()
    return [AuditEvent.objects.get(pk=event.pk) for event in events]


def head() -> int:
    return AuditEvent.objects.count()


def tamper(**changes) -> None:
    """Change an event behind the application's back, as the database owner could (on
    PostgreSQL by switching triggers off for the session, as a superuser can)."""
    event = AuditEvent.objects.get(sequence=changes.pop("sequence"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        if changes.pop("delete", False):
            AuditEvent.objects.filter(pk=event.pk)._raw_delete(connection.alias)
        else:
            AuditEvent.objects.filter(pk=event.pk).update(**changes)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_events_are_sealed_into_one_chain_when_their_transaction_commits(
    hr, django_capture_on_commit_callbacks
):
    seal_all_pending()
    with django_capture_on_commit_callbacks(execute=True):
        first = record_event(actor=hr, action="test.one", summary="One")
        assert AuditEvent.objects.get(pk=first.pk).sequence is None  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        second = record_event(actor=hr, action="test.two", summary="Two", data={"x": 1})

    one, two = AuditEvent.objects.get(pk=first.pk), AuditEvent.objects.get(pk=second.pk)
    assert two.sequence == one.sequence + 1 == head()
    assert AuditEvent.objects.get(sequence=1).prev_hash == chain.GENESIS_HASH
    assert two.prev_hash == one.hash
    assert two.hash == chain.event_hash(one.hash, two.chain_content)


def test_with_a_worker_one_sealer_chains_the_events_of_every_transaction_in_order(
    hr, settings, django_capture_on_commit_callbacks
):
    from audit.tasks import seal_chain

    settings.AUDIT_SEAL_ON_COMMIT = False  # as with a worker: beat runs the sealer
    seal_all_pending()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = record_event(actor=hr, action="test.one", summary="One")
    with django_capture_on_commit_callbacks(execute=True):
        second = record_event(actor=hr, action="test.two", summary="Two")
    assert callbacks == []  # nothing waits on the commit
    assert AuditEvent.objects.filter(pk__in=[first.pk, second.pk], sequence=None).count() == 2
    assert verify_chain().unsealed == 2  # pending, not broken

    assert seal_chain.delay().get() == 2
    one, two = AuditEvent.objects.get(pk=first.pk), AuditEvent.objects.get(pk=second.pk)
    assert two.sequence == one.sequence + 1 == head()
    assert two.hash == chain.event_hash(one.hash, two.chain_content)
    assert verify_chain().intact


def test_beat_runs_the_sealer_every_few_seconds(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["seal-audit-chain"]
    assert entry["task"] == "audit.tasks.seal_chain"
    assert entry["schedule"] == settings.VETTING_AUDIT_SEAL_SECONDS == 5.0


def test_an_untouched_chain_verifies(hr):
    write_events(30, actor=hr)

    verdict = verify_chain()

    assert verdict.intact
    assert (verdict.checked, verdict.head_sequence, verdict.unsealed) == (head(), head(), 0)
    out = call_command_output("verify_audit_chain")
    assert f"Audit chain intact: {head()} events verified" in out


def call_command_output(*args) -> str:
    import io

    buffer = io.StringIO()
    call_command(*args, stdout=buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"summary": "Nothing happened"}, "its content was changed"),
        ({"data": {"n": 999}}, "its content was changed"),
        ({"actor_username": "someone-else"}, "its content was changed"),
        ({"at": timezone.now()}, "its content was changed"),
        ({"hash": "f" * 64}, "its content was changed"),
        ({"prev_hash": "f" * 64}, "it does not hold the hash of the event before it"),
        ({"delete": True}, "event {n} of the chain is missing"),
    ],
)
def test_the_first_broken_link_is_named(hr, change, reason):
    n = write_events(20, actor=hr)[11].sequence
    tamper(sequence=n, **change)

    verdict = verify_chain()

    assert not verdict.intact
    assert verdict.first_broken["sequence"] == n
    assert verdict.first_broken["reason"] == reason.format(n=n)
    with pytest.raises(CommandError, match=f"Audit chain broken at event {n}"):
        call_command("verify_audit_chain")


def test_an_anchor_shows_events_cut_off_the_end(hr):
    anchored = write_events(10, actor=hr)[-1].sequence
    assert anchor_chain() is not None
    assert anchor_chain() is None  # nothing new since: no second anchor
    (name,) = default_storage.listdir(chain.ANCHOR_FOLDER)[1]
    assert name.endswith(f"-{anchored:012d}.json")
    write_events(5, actor=hr)
    assert verify_chain().anchors_checked == 1

    # Cutting events off the end leaves a chain whose links are all perfect; only the anchor
    # kept outside the database shows that the anchored event is gone.
    for sequence in range(head(), anchored - 1, -1):
        tamper(sequence=sequence, delete=True)

    verdict = verify_chain()

    assert not verdict.intact
    assert verdict.first_broken["sequence"] == anchored
    assert "cut off the end" in verdict.first_broken["reason"]


def test_a_purge_redacts_events_and_the_chain_still_verifies(hr):
    events = write_events(8, actor=hr)

    redacted = redact_events(
        AuditEvent.objects.filter(pk__in=[events[2].pk, events[3].pk]),
        actor=hr,
        reason="retention: cleared",
    )
    seal_all_pending()

    assert redacted == 2
    three = AuditEvent.objects.get(pk=events[2].pk)
    assert three.redacted_at is not None and "Event number" not in three.summary
    assert three.hash == events[2].hash
    record = AuditEvent.objects.get(action="audit.redacted")
    assert record.data["reason"] == "retention: cleared"
    verdict = verify_chain()
    assert verdict.intact and verdict.redacted == 2


def test_a_redaction_without_its_record_is_caught(hr):
    n = write_events(5, actor=hr)[1].sequence
    tamper(sequence=n, redacted_at=timezone.now(), summary="gone")

    verdict = verify_chain()

    assert verdict.first_broken["sequence"] == n
    assert verdict.first_broken["reason"] == "it was redacted without a redaction record"


def load_example():
    spec = importlib.util.spec_from_file_location("verify_audit_export", REPO_EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stdlib_script_hashes_events_exactly_as_vetting_does(hr):
    (event,) = write_events(1, actor=hr)
    event.refresh_from_db()
    example = load_example()

    assert example.CONTENT_FIELDS == chain.CONTENT_FIELDS
    assert example.event_hash(event.prev_hash, event.chain_content) == event.hash


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_an_exported_file_verifies_alone_and_a_changed_one_does_not(
    hr, compliance, tmp_path, export_format
):
    events = write_events(12, actor=hr, prefix="test.exported")
    redact_events(AuditEvent.objects.filter(pk=events[4].pk), actor=hr, reason="retention")
    seal_all_pending()
    today = timezone.localdate()
    response = token_client(compliance).get(export_url(today, today, export_format))
    exported = tmp_path / f"audit.{export_format}"
    exported.write_bytes(b"".join(response.streaming_content))

    # -I: isolated mode, nothing of vetting or its virtualenv on the path.
    run = subprocess.run(
        [sys.executable, "-I", REPO_EXAMPLE, str(exported)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK: " in run.stdout

    text = exported.read_text(encoding="utf-8-sig")
    exported.write_text(text.replace("Event number 7 ", "Event number 8 "), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-I", REPO_EXAMPLE, str(exported)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "its content was changed" in run.stdout


def test_the_script_explains_a_file_it_cannot_read(tmp_path):
    not_an_export = tmp_path / "notes.json"
    not_an_export.write_text("{not json")

    run = subprocess.run(
        [sys.executable, "-I", REPO_EXAMPLE, str(not_an_export)], capture_output=True, text=True
    )

    assert run.returncode == 2
    assert "Cannot read" in run.stderr


# ----------------------------------------------------------------- PostgreSQL


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger and advisory lock are PostgreSQL's")


def test_the_database_refuses_to_change_or_delete_an_audit_event(hr):
    require_postgresql()
    from django.db import DatabaseError, transaction

    n = write_events(3, actor=hr)[1].sequence
    for statement in (
        "UPDATE audit_auditevent SET summary = 'edited' WHERE sequence = %s",
        "UPDATE audit_auditevent SET hash = repeat('0', 64) WHERE sequence = %s",
        "DELETE FROM audit_auditevent WHERE sequence = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [n])
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("on_commit", [True, False], ids=["sealed on commit", "by the sealer"])
def test_concurrent_writers_keep_one_linear_chain(hr, settings, on_commit):
    require_postgresql()
    settings.AUDIT_SEAL_ON_COMMIT = on_commit
    from django.db import transaction

    barrier = threading.Barrier(4)

    def write(worker: int):
        try:
            barrier.wait()
            for n in range(25):
                with transaction.atomic():
                    record_event(actor=None, action="test.race", summary=f"{worker}/{n}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seal_all_pending()

    verdict = verify_chain()
    assert verdict.intact
    assert verdict.checked == AuditEvent.objects.count() >= 100


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_earlier_events_in_the_order_they_happened():
    import datetime

    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    old = executor.loader.project_state([("audit", "0001_initial")]).apps
    now = timezone.now()
    for minutes, action in ((5, "old.second"), (9, "old.first"), (1, "old.third")):
        old.get_model("audit", "AuditEvent").objects.create(
            at=now - datetime.timedelta(minutes=minutes), action=action, summary=action
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    sealed = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "action"))
    assert sealed == [(1, "old.first"), (2, "old.second"), (3, "old.third")]
    assert verify_chain().intact
