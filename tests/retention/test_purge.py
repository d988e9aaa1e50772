"""Purging a case past retention: personal data, files, reports, history and blind indexes go;
a tombstone stays; the audit chain is redacted, never broken; an interrupted purge resumes.
These tests also run on PostgreSQL (DATABASE_URL), where the audit trigger is active."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import verify_chain
from audit.services import REDACTED_SUMMARY, seal_all_pending
from cases import selectors as case_selectors
from cases import services as services_cases
from cases.models import (
    Candidate,
    CandidateContact,
    ChecklistAnswer,
    Evidence,
    Finding,
    OnlineProfile,
    Status,
)
from reports import services as report_services
from reports.models import ReportJob
from retention import services
from retention.models import PurgeRun, PurgeState, Tombstone
from retention.services import purge_case
from tests.api.conftest import PDF_BYTES

from .helpers import closed_case

pytestmark = pytest.mark.django_db

FACTS = {
    "legal_name": "Kim Chol",
    "date_of_birth": "1990-04-01",
    "emails": ["kim.chol@example.org"],
    "phones": ["+1 415 555 0100"],
    "account_number": "000123456789",
    "routing_number": "026073151",
    "identity_document_number": "M12345678",
    "shipping_address": "12 Forwarding Lane, Dover DE",
}
PROFILE = [{"kind": "github", "url_or_handle": "kimchol-dev"}]


@pytest.fixture
def purgeable(answered_case, hr, reviewer):
    """A rejected case 13 months after the decision, with two evidence files, findings,
    answer notes and history, listed as due."""
    case = answered_case(hr, profiles=PROFILE, **FACTS)
    services_cases.upload_evidence(
        hr, case, SimpleUploadedFile("bank.pdf", PDF_BYTES + b"2"), "bank letter", []
    )
    case = closed_case(lambda *a, **k: case, hr, reviewer, Status.REJECTED, months_ago=13)
    ChecklistAnswer.objects.filter(case=case).update(note="Said he lives in Dover")
    seal_all_pending()
    services.refresh_due()
    return case


def generate_report(case, hr, capture):
    with capture(execute=True):
        job, _created = report_services.request_report(hr, case, "risk_summary")
    job.refresh_from_db()
    assert job.file and default_storage.exists(job.file.name)
    seal_all_pending()


def stored_names(case):
    names = [e.file.name for e in Evidence.objects.filter(case=case)]
    names += [j.file.name for j in ReportJob.objects.filter(case=case) if j.file]
    return names


def test_a_purge_deletes_personal_data_and_keeps_a_tombstone(
    purgeable, compliance, hr, django_capture_on_commit_callbacks
):
    case = purgeable
    generate_report(case, hr, django_capture_on_commit_callbacks)
    candidate_id = case.candidate_id
    files = stored_names(case)
    evidence_hashes = sorted(Evidence.objects.filter(case=case).values_list("sha256", flat=True))
    report_hashes = sorted(ReportJob.objects.filter(case=case).values_list("sha256", flat=True))
    assert len(files) == 3 and all(default_storage.exists(name) for name in files)
    assert Finding.objects.filter(case=case).exists()
    case_events = AuditEvent.objects.filter(case_reference=case.reference).count()

    run = services.purge_now(actor=compliance, case=case, reason="Candidate asked for erasure")

    assert run.state == PurgeState.DONE
    # Personal data: gone from the rows and from their history.
    candidate = Candidate.objects.get(pk=candidate_id)
    assert candidate.legal_name == "" and candidate.date_of_birth is None
    assert candidate.account_number == "" and candidate.identity_document_number == ""
    assert candidate.account_number_index == "" and candidate.identity_document_index == ""
    assert candidate.shipping_address == "" and candidate.name_key == ""
    assert not CandidateContact.objects.filter(candidate_id=candidate_id).exists()
    assert not OnlineProfile.objects.filter(candidate_id=candidate_id).exists()
    assert not Candidate.history.filter(id=candidate_id).exists()
    assert not CandidateContact.history.filter(candidate_id=candidate_id).exists()
    assert not ChecklistAnswer.objects.filter(case=case).exclude(note="").exists()
    assert not ChecklistAnswer.history.filter(case_id=case.pk).exclude(note="").exists()
    assert not Finding.objects.filter(case=case).exists()
    assert not Evidence.objects.filter(case=case).exists()
    assert not ReportJob.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.decision_note == ""
    assert not case.history.exclude(decision_note="").exists()
    # Files: gone from the storage.
    assert not any(default_storage.exists(name) for name in files)
    # The tombstone: reference, dates, final state, risk, hashes, who and when.
    tombstone = Tombstone.objects.get(case=case)
    assert tombstone.reference == case.reference
    assert tombstone.final_status == Status.REJECTED
    assert tombstone.risk_level == case.risk_level
    assert tombstone.closed_at == case.closed_at and tombstone.opened_at == case.created_at
    assert sorted(e["sha256"] for e in tombstone.evidence) == evidence_hashes
    assert sorted(r["sha256"] for r in tombstone.reports) == report_hashes
    assert tombstone.purged_by == compliance
    assert tombstone.reason == "Candidate asked for erasure"
    # The audit log: the case's events redacted (not deleted), the chain intact, the purge and
    # the redaction recorded.
    seal_all_pending()
    redacted = AuditEvent.objects.filter(case_reference=case.reference, redacted_at__isnull=False)
    # (the confirmation too: its reason is kept on the tombstone)
    assert redacted.count() == case_events + 1
    assert set(redacted.values_list("summary", flat=True)) == {REDACTED_SUMMARY}
    assert not AuditEvent.objects.filter(summary__contains="Kim Chol").exists()
    assert AuditEvent.objects.filter(action="audit.redacted").count() == 1
    purged = AuditEvent.objects.get(action="retention.purged")
    assert purged.data["evidence_sha256"] == [e["sha256"] for e in tombstone.evidence]
    verdict = verify_chain()
    assert verdict.intact, verdict.first_broken
    assert verdict.redacted == case_events + 1


def test_a_purged_identifier_no_longer_links_a_new_case(purgeable, compliance, open_case, hr):
    services.purge_now(actor=compliance, case=purgeable, reason="Erasure")
    newcomer = open_case(hr, **FACTS)
    assert case_selectors.linked_cases(newcomer) == []
    assert not newcomer.findings.filter(check_code__startswith="links.").exists()


def test_a_purge_interrupted_in_the_database_step_leaves_nothing_half_deleted(
    purgeable, compliance, monkeypatch
):
    case = purgeable
    files = stored_names(case)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    # The crash comes after the rows were deleted, inside the same transaction.
    monkeypatch.setattr(services, "redact_events", crash)
    with pytest.raises(RuntimeError):
        services.purge_now(actor=compliance, case=case, reason="Erasure")
    run = PurgeRun.objects.get(case=case)
    assert run.state == PurgeState.DUE
    assert Candidate.objects.get(pk=case.candidate_id).legal_name == "Kim Chol"
    assert Evidence.objects.filter(case=case).count() == 2
    assert all(default_storage.exists(name) for name in files)
    assert not Tombstone.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(redacted_at__isnull=False).exists()

    monkeypatch.undo()
    later = timezone.now() + datetime.timedelta(days=31)
    assert services.purge_due(later) == {"purged": 1, "failed": 0}
    assert PurgeRun.objects.get(case=case).state == PurgeState.DONE
    assert not any(default_storage.exists(name) for name in files)
    seal_all_pending()  # (sealed on commit in production; the test transaction never commits)
    assert verify_chain().intact


def test_a_purge_interrupted_while_deleting_files_resumes_on_the_next_sweep(
    purgeable, compliance, monkeypatch
):
    case = purgeable
    files = stored_names(case)
    deleted = []

    class FlakyStorage:
        """The real storage, going away after its first delete."""

        def __init__(self, real):
            self.real = real

        def delete(self, name):
            if deleted:
                raise ConnectionError("storage went away")
            self.real.delete(name)
            deleted.append(name)

    real_storage_of = services._storage_of
    monkeypatch.setattr(services, "_storage_of", lambda kind: FlakyStorage(real_storage_of(kind)))
    with pytest.raises(ConnectionError):
        services.purge_now(actor=compliance, case=case, reason="Erasure")
    # The database part committed; one file is gone, the other waits on the run.
    run = PurgeRun.objects.get(case=case)
    assert run.state == PurgeState.DELETING_FILES
    assert {entry["name"] for entry in run.pending_files} == set(files)
    assert Candidate.objects.get(pk=case.candidate_id).legal_name == ""
    assert sum(default_storage.exists(name) for name in files) == 1

    monkeypatch.undo()
    # The next sweep finishes it, whatever the grace period: the first file, already gone,
    # is no error.
    assert services.purge_due() == {"purged": 1, "failed": 0}
    run.refresh_from_db()
    assert run.state == PurgeState.DONE and run.pending_files == []
    assert not any(default_storage.exists(name) for name in files)
    # Running it again changes nothing.
    assert purge_case(case.pk).state == PurgeState.DONE
    assert Tombstone.objects.filter(case=case).count() == 1


def test_the_sweep_purges_after_the_grace_period_without_confirmation(purgeable, settings):
    later = timezone.now() + datetime.timedelta(days=settings.VETTING_PURGE_GRACE_DAYS + 1)
    result = services.sweep(later)
    assert result["purged"] == 1
    tombstone = Tombstone.objects.get(case=purgeable)
    assert tombstone.purged_by is None
    assert AuditEvent.objects.get(action="retention.purged").actor_username == "system"


def test_the_purge_benchmark_purges_every_case_it_made(catalog):
    from benchmarks import purge

    result = purge.bench_purge(3)
    assert result["purged"] == 3 and result["failed"] == 0
    assert result["cases_per_second"] > 0
    assert "cases/s" in purge.table(result)


def test_a_purged_case_cannot_be_reopened(purgeable, compliance, hr):
    from cases import services as case_services
    from common.errors import InvalidTransition

    services.purge_now(actor=compliance, case=purgeable, reason="Erasure")
    purgeable.refresh_from_db()
    with pytest.raises(InvalidTransition, match="purged"):
        case_services.perform_action(hr, purgeable, "reopen", note="New evidence")
