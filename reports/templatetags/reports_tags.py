from django import template

from reports.selectors import jobs_for_case

register = template.Library()


@register.simple_tag
def case_report_jobs(case, limit: int = 8):
    """The case's latest report jobs, for pages that include the reports panel."""
    return jobs_for_case(case)[:limit]


JOB_BADGES = {
    "queued": "status-submitted",
    "running": "status-in_review",
    "done": "status-approved",
    "failed": "status-rejected",
}


@register.filter
def job_badge(status: str) -> str:
    """The badge colour of a job status, borrowed from the case statuses' palette."""
    return JOB_BADGES.get(status, "plain")
