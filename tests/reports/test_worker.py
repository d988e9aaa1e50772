"""Reports through a real Celery worker on Redis (CI), committed data only, as in production.

The killed-worker test slows the run down with the test-only delay so the worker can be killed
while the job is running; the periodic redispatch then hands it to a fresh worker.
"""

import datetime
import hashlib
import time

import pytest

from audit.models import AuditEvent
from reports import services
from reports.models import JobStatus, ReportJob
from tests.conftest import WorkerProcess, wait_for

from .conftest import Packet, stored_bytes

pytestmark = pytest.mark.celery_worker


def job_in(job: ReportJob, *statuses: str) -> ReportJob | None:
    job = ReportJob.objects.get(pk=job.pk)
    return job if job.status in statuses else None


def job_events(job: ReportJob) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="reports.reportjob", object_id=str(job.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_worker_generates_a_pdf_and_a_packet_whose_hashes_verify(
    celery_worker_process, referred_case, reviewer
):
    pdf_job, _ = services.request_report(reviewer, referred_case, "risk_summary", "ko")
    packet_job, _ = services.request_report(reviewer, referred_case, "referral_packet", "en")

    for job in (pdf_job, packet_job):
        done = wait_for(lambda job=job: job_in(job, JobStatus.DONE, JobStatus.FAILED), 120)
        assert done.status == JobStatus.DONE, done.error
        data = stored_bytes(done)
        assert hashlib.sha256(data).hexdigest() == done.sha256
        assert done.attempts == 1
        assert job_events(done) == ["report.requested", "report.generated"]

    assert stored_bytes(ReportJob.objects.get(pk=pdf_job.pk)).startswith(b"%PDF-")
    packet = ReportJob.objects.get(pk=packet_job.pk)
    archive = Packet(stored_bytes(packet))
    for line in archive.read("manifest.sha256").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name


def test_a_job_whose_worker_is_killed_mid_run_completes_on_another_worker(
    celery_worker_process, assessed_case, hr
):
    regular = celery_worker_process
    regular.stop()
    slow = WorkerProcess(
        regular.queue, {**regular.env, services.TEST_DELAY_ENV: "120"}
    ).start()  # holds the job as `running` long enough to be killed in the middle
    replacement = WorkerProcess(regular.queue, regular.env)
    try:
        job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
        running = wait_for(lambda: job_in(job, JobStatus.RUNNING), 60)
        assert running.attempts == 1

        slow.kill()  # SIGKILL: no chance to record anything
        dead = ReportJob.objects.get(pk=job.pk)
        assert dead.status == JobStatus.RUNNING and not dead.file

        replacement.start()
        # What beat runs every two minutes, here with the run already considered silent.
        sent = services.redispatch_stuck_jobs(running_stale_after=datetime.timedelta(0))
        assert sent == [job.pk]

        done = wait_for(lambda: job_in(job, JobStatus.DONE, JobStatus.FAILED), 120)
    finally:
        slow.kill()
        replacement.stop()

    assert done.status == JobStatus.DONE, done.error
    assert done.attempts == 2
    assert hashlib.sha256(stored_bytes(done)).hexdigest() == done.sha256
    assert job_events(done) == ["report.requested", "report.requeued", "report.generated"]


def test_a_killed_workers_job_falls_silent_and_is_redispatched_90_seconds_after_its_heartbeat(
    celery_worker_process, assessed_case, hr
):
    """The real worker beats while the job runs; after SIGKILL the heartbeat stops, and beat's
    next run after RUNNING_STALE_AFTER (time-travelled here) hands the job to another worker."""
    regular = celery_worker_process
    regular.stop()
    slow_env = {
        **regular.env,
        services.TEST_DELAY_ENV: "120",
        "VETTING_REPORTS_HEARTBEAT_SECONDS": "0.5",
    }
    slow = WorkerProcess(regular.queue, slow_env).start()
    replacement = WorkerProcess(regular.queue, regular.env)
    try:
        job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
        running = wait_for(lambda: job_in(job, JobStatus.RUNNING), 60)
        # The heartbeat thread moves the sign of life while the run is busy (the test delay).
        wait_for(lambda: job_in(job, JobStatus.RUNNING).heartbeat_at > running.heartbeat_at, 30)

        slow.kill()
        last = ReportJob.objects.get(pk=job.pk).heartbeat_at
        time.sleep(2)
        assert ReportJob.objects.get(pk=job.pk).heartbeat_at == last  # silent once killed

        replacement.start()
        almost = last + services.RUNNING_STALE_AFTER - datetime.timedelta(seconds=1)
        assert services.redispatch_stuck_jobs(now=almost) == []
        stale = last + services.RUNNING_STALE_AFTER + datetime.timedelta(seconds=1)
        assert services.redispatch_stuck_jobs(now=stale) == [job.pk]

        done = wait_for(lambda: job_in(job, JobStatus.DONE, JobStatus.FAILED), 120)
    finally:
        slow.kill()
        replacement.stop()

    assert done.status == JobStatus.DONE, done.error
    assert done.attempts == 2
