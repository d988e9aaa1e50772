"""Report job gauges read from the database at scrape time: right across every web and worker
machine, unlike the per-process counters in common.metrics."""

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from .models import JobStatus, ReportJob


def collect():
    jobs = GaugeMetricFamily(
        "vetting_report_jobs",
        "Report jobs by status (failed: waiting for a retry).",
        labels=["status"],
    )
    counts = dict(
        ReportJob.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    for status in JobStatus.values:
        jobs.add_metric([status], counts.get(status, 0))
    yield jobs
    oldest = ReportJob.objects.filter(status=JobStatus.QUEUED).aggregate(at=Min("requested_at"))
    waiting = GaugeMetricFamily(
        "vetting_report_oldest_queued_seconds",
        "How long the oldest queued report job has waited (0 when none waits).",
    )
    waiting.add_metric([], (timezone.now() - oldest["at"]).total_seconds() if oldest["at"] else 0.0)
    yield waiting
