import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from audit.models import AuditEvent
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError
from reports import risk_summary, services, tasks
from reports.models import ImmutableReportError, JobStatus, ReportJob

from .conftest import stored_bytes

pytestmark = pytest.mark.django_db


def actions_of(job):
    return list(
        AuditEvent.objects.filter(object_type="reports.reportjob", object_id=str(job.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_requested_report_is_generated_hashed_and_recorded(assessed_case, reviewer, generate):
    job = generate(reviewer, assessed_case)

    assert job.status == JobStatus.DONE
    assert job.progress == 100
    assert job.attempts == 1
    assert job.requester == reviewer
    data = stored_bytes(job)
    assert data.startswith(b"%PDF-")
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.size == len(data)
    assert job.file_name == f"{assessed_case.reference}-risk-summary-en.pdf"
    assert job.started_at and job.finished_at and job.dispatched_at
    assert actions_of(job) == ["report.requested", "report.generated"]
    requested = AuditEvent.objects.get(action="report.requested")
    assert requested.actor == reviewer
    assert requested.case_reference == assessed_case.reference


def test_the_job_is_handed_to_the_broker_only_after_commit(
    assessed_case, hr, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job, created = services.request_report(hr, assessed_case, "risk_summary", "ko")
    assert created and sent == []
    assert ReportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED

    for callback in callbacks:
        callback()

    assert sent == [[job.pk]]


def test_asking_twice_while_pending_returns_the_same_job(
    assessed_case, hr, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: None)
    with django_capture_on_commit_callbacks(execute=True):
        first, created = services.request_report(hr, assessed_case, "risk_summary", "en")
        second, created_again = services.request_report(hr, assessed_case, "risk_summary", "en")
        korean, created_korean = services.request_report(hr, assessed_case, "risk_summary", "ko")

    assert (created, created_again, created_korean) == (True, False, True)
    assert second.pk == first.pk
    assert korean.pk != first.pk


def test_a_finished_report_is_never_regenerated(assessed_case, hr, generate):
    job = generate(hr, assessed_case)
    original = (job.file.name, job.sha256, stored_bytes(job))

    tasks.generate_report.apply(args=[job.pk])  # a late duplicate delivery
    job.refresh_from_db()
    assert (job.file.name, job.sha256, stored_bytes(job)) == original
    assert job.attempts == 1

    job.sha256 = "0" * 64
    with pytest.raises(ImmutableReportError):
        job.save()

    again = generate(hr, assessed_case)  # regenerating means a new job
    assert again.pk != job.pk and again.file.name != job.file.name


def test_a_killed_runs_leftover_file_is_replaced_safely(
    assessed_case, hr, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: None)
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    folder = f"reports/{assessed_case.reference}"
    leftover = default_storage.save(
        f"{folder}/{job.pk}-risk_summary-dead.pdf", ContentFile(b"%PDF-")
    )
    other_job_file = default_storage.save(f"{folder}/999999-other.pdf", ContentFile(b"x"))

    with django_capture_on_commit_callbacks(execute=True):
        services.run_job(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.file.name != leftover
    assert not default_storage.exists(leftover)
    assert default_storage.exists(other_job_file)
    assert job.sha256 == hashlib.sha256(stored_bytes(job)).hexdigest()


def test_failure_is_recorded_readably_and_the_user_can_retry(
    assessed_case, hr, generate, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ValueError("template exploded")

    monkeypatch.setattr(risk_summary, "render_pdf", broken)
    job = generate(hr, assessed_case)

    assert job.status == JobStatus.FAILED
    assert "template exploded" in job.error
    assert "Retry" in job.error
    assert job.finished_at is not None
    assert actions_of(job)[-1] == "report.failed"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(hr, job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.error == ""
    assert actions_of(job)[-3:] == ["report.failed", "report.retried", "report.generated"]
    with pytest.raises(InvalidTransition, match="Only a failed report"):
        services.retry_job(hr, job)


def test_temporary_errors_are_retried_by_the_task(assessed_case, hr, generate, monkeypatch):
    real = risk_summary.render_pdf
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(risk_summary, "render_pdf", flaky)
    job = generate(hr, assessed_case)

    assert job.status == JobStatus.DONE
    assert len(calls) == 3
    assert job.attempts == 3


def test_a_temporary_error_that_persists_fails_the_job_with_a_clear_message(
    assessed_case, hr, generate, monkeypatch
):
    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(risk_summary, "render_pdf", down)
    job = generate(hr, assessed_case)

    assert job.status == JobStatus.FAILED
    assert job.attempts == tasks.MAX_RETRIES + 1
    assert "temporary problem" in job.error
    assert "could not connect to server" in job.error


def test_a_job_is_not_lost_when_the_broker_is_down(
    assessed_case, hr, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.generate_report, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.dispatched_at is None

    # Within the grace period nothing is sent twice; after it, the periodic task takes over.
    monkeypatch.undo()
    assert services.redispatch_stuck_jobs() == []
    later = timezone.now() + services.UNDISPATCHED_GRACE + datetime.timedelta(seconds=1)
    assert services.redispatch_stuck_jobs(now=later) == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_jobs_the_broker_lost_are_sent_again(assessed_case, hr, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: sent.append(args))
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services.dispatch_job(job.pk)
    now = timezone.now()

    assert services.redispatch_stuck_jobs(now=now) == []
    assert services.redispatch_stuck_jobs(now=now + services.QUEUED_STALE_AFTER * 2) == [job.pk]
    assert sent == [[job.pk], [job.pk]]


def test_a_running_job_whose_worker_died_is_queued_again(assessed_case, hr, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: sent.append(args))
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)  # a worker started it, then died without a word
    now = timezone.now()

    assert services.redispatch_stuck_jobs(now=now) == []  # still fresh: leave it alone
    assert services.redispatch_stuck_jobs(now=now + services.RUNNING_STALE_AFTER * 2) == [job.pk]

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert "interrupted" in job.error
    assert sent == [[job.pk]]
    assert actions_of(job)[-1] == "report.requeued"


def test_a_job_that_keeps_dying_is_given_up_with_an_explanation(assessed_case, hr, monkeypatch):
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: None)
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    ReportJob.objects.filter(pk=job.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    services._claim(job.pk)

    later = timezone.now() + services.RUNNING_STALE_AFTER * 2
    assert services.redispatch_stuck_jobs(now=later) == []

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert f"started {services.MAX_ATTEMPTS} times" in job.error


def test_the_periodic_task_has_the_name_beat_schedules(settings):
    scheduled = settings.CELERY_BEAT_SCHEDULE["redispatch-stuck-report-jobs"]["task"]
    assert tasks.redispatch_stuck_jobs.name == scheduled


def test_only_case_readers_may_request_reports(assessed_case, admin_user_role):
    with pytest.raises(NotAllowed):
        services.request_report(admin_user_role, assessed_case, "risk_summary", "en")


def test_bad_kind_or_language_is_a_field_error(assessed_case, hr):
    with pytest.raises(ServiceValidationError) as error:
        services.request_report(hr, assessed_case, "horoscope", "fr")
    assert set(error.value.errors) == {"kind", "language"}
    assert not ReportJob.objects.exists()


def test_a_referral_packet_needs_a_referred_case(assessed_case, hr):
    with pytest.raises(InvalidTransition, match="referred to the authorities"):
        services.request_report(hr, assessed_case, "referral_packet", "en")
    assert not ReportJob.objects.exists()


def test_a_packet_job_fails_if_the_case_was_reopened_before_it_ran(
    referred_case, reviewer, hr, monkeypatch, django_capture_on_commit_callbacks
):
    from cases import services as case_services

    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: None)
    job, _ = services.request_report(reviewer, referred_case, "referral_packet", "en")
    case_services.perform_action(hr, referred_case, "reopen", "New information arrived.")
    monkeypatch.undo()

    tasks.generate_report.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "referred to the authorities" in job.error
    with pytest.raises(InvalidTransition):
        services.retry_job(hr, job)


def test_a_download_is_recorded_and_a_tampered_file_is_refused(assessed_case, hr, generate):
    job = generate(hr, assessed_case)

    services.record_download(hr, job)
    assert actions_of(job)[-1] == "report.downloaded"
    downloaded = AuditEvent.objects.filter(action="report.downloaded").last()
    assert downloaded.actor == hr and downloaded.data["sha256"] == job.sha256

    with open(default_storage.path(job.file.name), "ab") as stored:
        stored.write(b"tampered")
    with pytest.raises(InvalidTransition, match="no longer matches"):
        services.record_download(hr, job)
    assert actions_of(job)[-1] == "report.integrity_failed"


def test_nothing_to_download_before_the_job_is_done(assessed_case, hr, monkeypatch):
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: None)
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    with pytest.raises(InvalidTransition, match="nothing to download"):
        services.record_download(hr, job)
