"""Report jobs as Prometheus sees them: run durations, failures, redispatches, jobs by status."""

import datetime

from django.utils import timezone
from prometheus_client import REGISTRY

from common import metrics
from reports import risk_summary, services, tasks
from reports.models import JobStatus


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_finished_job_adds_its_run_to_the_duration_histogram(assessed_case, hr, generate):
    before = sample(
        "vetting_report_job_duration_seconds_count", kind="risk_summary", outcome="done"
    )

    job = generate(hr, assessed_case)

    assert job.status == JobStatus.DONE
    after = sample("vetting_report_job_duration_seconds_count", kind="risk_summary", outcome="done")
    assert after == before + 1


def test_a_failed_job_is_counted_as_a_failure_and_an_errored_run(
    assessed_case, hr, generate, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("template exploded")

    monkeypatch.setattr(risk_summary, "render_pdf", broken)
    failures = sample("vetting_report_job_failures_total", kind="risk_summary")
    errors = sample(
        "vetting_report_job_duration_seconds_count", kind="risk_summary", outcome="error"
    )

    job = generate(hr, assessed_case)

    assert job.status == JobStatus.FAILED
    assert sample("vetting_report_job_failures_total", kind="risk_summary") == failures + 1
    assert (
        sample("vetting_report_job_duration_seconds_count", kind="risk_summary", outcome="error")
        == errors + 1
    )
    assert 'vetting_report_jobs{status="failed"} 1.0' in metrics.render().decode()


def test_redispatched_jobs_are_counted(assessed_case, hr, monkeypatch):
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: None)
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)
    before = sample("vetting_report_jobs_redispatched_total")

    later = timezone.now() + services.RUNNING_STALE_AFTER + datetime.timedelta(seconds=1)
    assert services.redispatch_stuck_jobs(now=later) == [job.pk]

    assert sample("vetting_report_jobs_redispatched_total") == before + 1
    text = metrics.render().decode()
    assert 'vetting_report_jobs{status="queued"} 1.0' in text
