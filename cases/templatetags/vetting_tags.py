"""Template helpers for the case pages: labels for stored codes, risk explanations, optional parts.

Some pages include fragments that other apps provide (the reports panel); those helpers render
nothing when the other part is not installed, so a page never breaks because of it.
"""

from django import template
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cases import deadlines, scoring, selectors
from cases.models import FINDING_SEVERITIES, AnswerValue, FindingStatus, RiskLevel, Status
from common import display
from indicators import translations
from indicators.models import Category, Kind
from indicators.translations import LocalizedText

register = template.Library()

# The case services translate these at run time (`_(transition.label)`) but keep them as plain
# data; naming them here puts them in the message catalogue.
SERVICE_TEXTS = (
    gettext_noop("start the assessment"),
    gettext_noop("submit the case for review"),
    gettext_noop("close the case as cleared"),
    gettext_noop("start the review"),
    gettext_noop("approve (clear) the case"),
    gettext_noop("reject the case"),
    gettext_noop("refer the case to the authorities"),
    gettext_noop("return the case for more work"),
    gettext_noop("reopen the case"),
)
ROLE_LABELS = {
    "hr": gettext_lazy("HR"),
    "reviewer": gettext_lazy("Reviewer"),
    "compliance": gettext_lazy("Compliance"),
    "admin": gettext_lazy("Administrator"),
}


@register.filter
def role_labels(role_names) -> str:
    return ", ".join(str(ROLE_LABELS.get(name, name)) for name in sorted(role_names))


MATCH_LABELS = {
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("phone"),
    "ip": gettext_lazy("IP address"),
    "reference's email": gettext_lazy("reference's e-mail"),
    "reference's phone": gettext_lazy("reference's phone"),
    "reference's ip": gettext_lazy("reference's IP address"),
    "online profile": gettext_lazy("online profile"),
    "shipping address": gettext_lazy("shipping address"),
    "bank account": gettext_lazy("bank account"),
    "identity document": gettext_lazy("identity document"),
    "name and date of birth": gettext_lazy("name and date of birth"),
}


@register.filter
def match_label(what) -> str:
    """What two linked cases have in common, in the page's language."""
    return str(MATCH_LABELS.get(what, what))


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value or ""


@register.filter
def status_label(value) -> str:
    return _label(Status, value)


@register.filter
def risk_label(value) -> str:
    return _label(RiskLevel, value) if value else _("Not scored")


@register.simple_tag
def status_badge(status) -> str:
    """A case status as a badge (a tag, not an included template: lists show one per row)."""
    return format_html('<span class="badge status-{}">{}</span>', status, status_label(status))


@register.simple_tag
def risk_badge(level) -> str:
    """A risk level as a badge; "Not scored" without one."""
    return format_html('<span class="badge risk-{}">{}</span>', level or "none", risk_label(level))


@register.filter
def links_shown(linked) -> list:
    """The linked cases a case page lists (`selectors.LINKED_CASES_SHOWN`, closest first)."""
    return linked[: selectors.LINKED_CASES_SHOWN]


@register.filter
def links_not_shown(linked) -> int:
    return max(0, len(linked) - selectors.LINKED_CASES_SHOWN)


@register.filter
def answer_label(value) -> str:
    return _label(AnswerValue, value) if value else _("Not answered")


@register.filter
def category_label(value) -> str:
    return _label(Category, value)


@register.filter
def kind_label(value) -> str:
    return _label(Kind, value)


@register.filter
def localized_title(item, language_code) -> str:
    """The item's title in the page's language (catalogue items carry an English and a Korean)."""
    if isinstance(item, dict):
        return item.get("title", "")
    return item.localized_title(language_code)


@register.filter
def localized_evidence(item, language_code) -> LocalizedText:
    """What evidence to keep for the item, in the page's language when a translation exists."""
    return translations.evidence_expectation(item, language_code)


@register.filter
def contribution_reason(contribution) -> str:
    """Why an answer, a finding or a link counts, in the page's language."""
    return scoring.contribution_reason(contribution)


@register.filter
def contribution_value(contribution) -> str:
    """The answer; for a finding its severity and status; for a link the other case's outcome."""
    kind, value = _field(contribution, "kind"), _field(contribution, "value")
    if kind == "finding":
        severity = dict(FINDING_SEVERITIES).get(_field(contribution, "severity"), "")
        return f"{severity} · {_label(FindingStatus, value)}"
    if kind == "link":
        return _label(Status, value)
    return answer_label(value)


@register.filter
def contribution_title(contribution) -> str:
    """A finding's summary in the page's language, with the fact it is about."""
    title, subject = _field(contribution, "title") or "", _field(contribution, "subject") or ""
    if _field(contribution, "kind") == "finding":
        title = _(title) if title else ""
        return f"{title} ({subject})" if subject else title
    if _field(contribution, "kind") == "link":
        matched = ", ".join(match_label(what) for what in subject.split(", ") if what)
        return _("Shares: %(matched)s") % {"matched": matched} if matched else ""
    return title


@register.filter
def forced_reason(forcing) -> str:
    return scoring.forced_reason(forcing)


@register.filter
def policy_description(policy_version) -> str:
    text = scoring.POLICIES.get(policy_version, {}).get("description", "")
    return _(text) if text else ""


@register.filter
def percent_of(count, total) -> int:
    """Width of a bar in a chart, as a whole percentage of the largest value."""
    try:
        return round(100 * int(count) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0


def _field(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


@register.simple_tag
def optional_url(name, *args) -> str:
    """The URL of a page another app may not provide yet; empty when it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def include_if_exists(context, template_name):
    """Render a fragment another app provides, or nothing when that app does not have it."""
    try:
        fragment = get_template(template_name)
    except template.TemplateDoesNotExist:
        return ""
    return fragment.render(context.flatten(), context.get("request"))


@register.filter
def when(value, precision: str = "") -> str:
    """A time as vetting shows it everywhere, with its zone: `{{ x|when }}` gives
    2026-11-28 14:05 UTC, `{{ x|when:"seconds" }}` adds the seconds."""
    return display.when(value, seconds=precision == "seconds")


@register.filter
def lookup(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def shown_value(bound_field) -> str:
    """A form field's value as a page shows it read only: the label of a chosen option (a
    country's name in the page's language, a channel's name), else the value itself."""
    value = bound_field.value()
    choices = getattr(bound_field.field, "choices", None)
    if choices is not None and value not in (None, ""):
        for key, label in choices:
            if str(key) == str(value):
                return label
    return value


@register.filter
def finding_summary(finding) -> str:
    """A stored finding's summary in the page's language: it is stored in English, and the
    checks' summaries are message ids (as the API's FindingSerializer reads it)."""
    return _(finding.summary) if finding.summary else ""


@register.filter
def deadline_state(case) -> str:
    """ "near", "overdue" or "" for a case waiting for or in review (cases/deadlines.py)."""
    if case.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        return ""
    return deadlines.state(case.review_due_at)


@register.inclusion_tag("cases/_deadline.html")
def review_deadline(case):
    """The review due date of a case waiting for or in review, marked when near or overdue."""
    return {"case": case, "state": deadline_state(case)}
