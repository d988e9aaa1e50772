from django import template

from reports.models import ReportLanguage
from reports.selectors import jobs_for_case

register = template.Library()


@register.simple_tag
def case_report_jobs(case, limit: int = 8):
    """The case's latest report jobs, for pages that include the reports panel."""
    return jobs_for_case(case)[:limit]


@register.simple_tag(takes_context=True)
def default_report_language(context) -> str:
    """The language report forms start with: the user's own, if reports are written in it."""
    return ReportLanguage.default_for(getattr(context.get("request"), "LANGUAGE_CODE", None))


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
