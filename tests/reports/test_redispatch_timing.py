"""A job whose worker died is handed to another worker within 3 minutes of its last heartbeat.

The clock is moved, not waited for: the heartbeat is set in the past and beat's runs are replayed
at their scheduled times.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.utils import timezone

from reports import services, tasks
from reports.models import JobStatus, ReportJob

PROMISE = datetime.timedelta(minutes=3)


def beat_period() -> datetime.timedelta:
    schedule = settings.CELERY_BEAT_SCHEDULE["redispatch-stuck-report-jobs"]["schedule"]
    return datetime.timedelta(seconds=float(schedule))


def test_the_settings_add_up_to_less_than_three_minutes_from_the_last_heartbeat():
    worst = services.RUNNING_STALE_AFTER + beat_period()
    assert worst <= PROMISE - datetime.timedelta(seconds=20)  # a margin to pick the job up
    # Dead means several missed heartbeats, never one late write.
    assert services.HEARTBEAT_INTERVAL * 4 <= services.RUNNING_STALE_AFTER
    # A lost queued message is sent again within the promise too.
    assert services.QUEUED_STALE_AFTER + beat_period() <= PROMISE


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(tasks.generate_report, "apply_async", lambda args: messages.append(args))
    return messages


@pytest.mark.parametrize("first_beat_after", [0.0, 1.0, 30.0, 59.9])
def test_a_killed_workers_job_is_redispatched_by_a_beat_run_within_three_minutes(
    assessed_case, hr, sent, first_beat_after
):
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)  # a worker started it, then was killed (SIGKILL: no last word)
    last_heartbeat = ReportJob.objects.get(pk=job.pk).heartbeat_at

    # beat runs every period, starting at some phase after the last heartbeat
    beat_run = last_heartbeat + datetime.timedelta(seconds=first_beat_after)
    while not services.redispatch_stuck_jobs(now=beat_run):
        assert beat_run - last_heartbeat <= PROMISE, "not redispatched within 3 minutes"
        beat_run += beat_period()

    assert beat_run - last_heartbeat <= PROMISE
    assert beat_run - last_heartbeat > services.RUNNING_STALE_AFTER
    assert sent == [[job.pk]]
    assert ReportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_a_job_whose_heartbeat_is_fresh_is_left_to_its_worker(assessed_case, hr, sent):
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)
    # A long build, beating: 80 s after the start, the last heartbeat was 10 s ago.
    start = ReportJob.objects.get(pk=job.pk).heartbeat_at
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=start + datetime.timedelta(seconds=70))

    assert services.redispatch_stuck_jobs(now=start + datetime.timedelta(seconds=80)) == []
    assert sent == []


def test_a_second_delivery_of_a_job_another_worker_is_running_does_nothing(assessed_case, hr, sent):
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)

    # e.g. Redis handing the unacknowledged message out again after its visibility timeout
    assert services.run_job(job.pk) is None

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1


def test_a_delivery_of_a_job_whose_worker_went_silent_takes_it_over(assessed_case, hr):
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)
    silent = timezone.now() - services.RUNNING_STALE_AFTER - datetime.timedelta(seconds=1)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=silent)

    done = services.run_job(job.pk)

    assert done.status == JobStatus.DONE and done.attempts == 2


def test_the_heartbeat_thread_beats_while_the_block_runs_and_stops_after():
    beats = []
    with services.heartbeat(7, interval=datetime.timedelta(seconds=0.01), beat=beats.append):
        deadline = time.monotonic() + 5
        while len(beats) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    count = len(beats)
    time.sleep(0.05)

    assert count >= 3 and set(beats) == {7}
    assert len(beats) == count


def test_a_heartbeat_moves_a_running_jobs_sign_of_life(assessed_case, hr):
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)
    old = timezone.now() - datetime.timedelta(minutes=5)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)

    services._beat(job.pk)

    assert ReportJob.objects.get(pk=job.pk).heartbeat_at > old + datetime.timedelta(minutes=4)


def test_a_waiting_job_is_sent_again_only_when_the_queue_lost_its_message(
    assessed_case, hr, sent, monkeypatch
):
    from common import health

    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services.dispatch_job(job.pk)
    later = timezone.now() + services.QUEUED_STALE_AFTER + datetime.timedelta(seconds=1)

    # A busy queue: its message is still in line behind others.
    monkeypatch.setattr(health, "queue_depth", lambda: 4)
    assert services.redispatch_stuck_jobs(now=later) == []
    # Redis restarted without its data: the queue is empty, the job is still waiting.
    monkeypatch.setattr(health, "queue_depth", lambda: 0)
    assert services.redispatch_stuck_jobs(now=later) == [job.pk]
    assert sent == [[job.pk], [job.pk]]


def test_the_task_queues_retry_after_a_temporary_error_runs_even_if_the_record_looks_alive(
    assessed_case, hr
):
    # The database was away when the run failed: the job still says `running`, freshly.
    job, _ = services.request_report(hr, assessed_case, "risk_summary", "en")
    services._claim(job.pk)

    done = services.run_job(job.pk, is_retry=True)

    assert done.status == JobStatus.DONE and done.attempts == 2
