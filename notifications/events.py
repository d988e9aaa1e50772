"""Every notification event, stated once: its key, what the inbox and e-mail say, and whether it
is e-mailed by default.

Emitters call `notifications.services.notify(<constant>, recipients, case=..., actor=...,
context=...)`. Texts are translated into the recipient's language when a message is shown or
sent. They may use the placeholders %(reference)s (the case reference), %(actor)s (who acted,
by user name) and the event's own `context_keys`; the link is added by the message template.

E-mails carry no protected numbers: no account or document numbers and no candidate
identifiers, not even the name; only the case reference, what happened and a link.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CASE_ASSIGNED = "case_assigned"
REVIEW_HANDED_OVER = "review_handed_over"
CASE_RETURNED = "case_returned"
CASE_APPROVED = "case_approved"
CASE_REJECTED = "case_rejected"
CASE_REFERRED = "case_referred"
REPORT_READY = "report_ready"
REPORT_FAILED = "report_failed"
DEADLINE_NEAR = "deadline_near"
DEADLINE_PASSED = "deadline_passed"
MENTIONED = "mentioned"

INBOX = "inbox"
EMAIL = "email"
CHANNELS = (INBOX, EMAIL)


@dataclass(frozen=True)
class Event:
    key: str
    label: str  # on the preferences page
    subject: str  # the inbox line and the e-mail subject
    body: str  # the e-mail's text above the link
    email_by_default: bool
    # Context keys the event needs (besides the case); notify() refuses a call without them.
    context_keys: tuple[str, ...] = ()
    # Context keys shown in the inbox only, never e-mailed (free text written by users).
    inbox_only_keys: tuple[str, ...] = ()


EVENTS: dict[str, Event] = {
    event.key: event
    for event in (
        Event(
            CASE_ASSIGNED,
            _("A case is assigned to me for review"),
            _("%(reference)s is assigned to you for review"),
            _("%(actor)s assigned case %(reference)s to you for review."),
            email_by_default=True,
        ),
        Event(
            REVIEW_HANDED_OVER,
            _("A review is handed over to me"),
            _("The review of %(reference)s is handed over to you"),
            _("%(actor)s handed the review of case %(reference)s over to you."),
            email_by_default=True,
        ),
        Event(
            CASE_RETURNED,
            _("My case is returned for more work"),
            _("%(reference)s was returned for more work"),
            _(
                "%(actor)s returned case %(reference)s for more work. The reason is on the case "
                "page."
            ),
            email_by_default=True,
        ),
        Event(
            CASE_APPROVED,
            _("My case is approved"),
            _("%(reference)s was approved (cleared)"),
            _("%(actor)s approved (cleared) case %(reference)s."),
            email_by_default=True,
        ),
        Event(
            CASE_REJECTED,
            _("My case is rejected"),
            _("%(reference)s was rejected"),
            _("%(actor)s rejected case %(reference)s. The reason is on the case page."),
            email_by_default=True,
        ),
        Event(
            CASE_REFERRED,
            _("My case is referred to the authorities"),
            _("%(reference)s was referred to the authorities"),
            _("%(actor)s referred case %(reference)s to the authorities."),
            email_by_default=True,
        ),
        Event(
            REPORT_READY,
            _("A report I asked for is ready"),
            _("Your report for %(reference)s is ready"),
            _("The report you asked for (%(report)s) is ready to download."),
            email_by_default=False,
            context_keys=("report",),
        ),
        Event(
            REPORT_FAILED,
            _("A report I asked for failed"),
            _("Your report for %(reference)s failed"),
            _(
                "The report you asked for (%(report)s) could not be made. The report page says "
                "why and lets you try again."
            ),
            email_by_default=False,
            context_keys=("report",),
        ),
        Event(
            DEADLINE_NEAR,
            _("A review deadline is near"),
            _("The review of %(reference)s is due %(due)s"),
            _("The review of case %(reference)s is due %(due)s."),
            email_by_default=True,
            context_keys=("due",),
        ),
        Event(
            DEADLINE_PASSED,
            _("A review deadline has passed"),
            _("The review of %(reference)s is overdue"),
            _("The review of case %(reference)s was due %(due)s and is not finished."),
            email_by_default=True,
            context_keys=("due",),
        ),
        Event(
            MENTIONED,
            _("Someone mentions me in a comment"),
            _("%(actor)s mentioned you on %(reference)s"),
            _("%(actor)s mentioned you in a comment on case %(reference)s."),
            email_by_default=True,
            context_keys=("comment_url",),
            inbox_only_keys=("comment_excerpt",),
        ),
    )
}


def event(key: str) -> Event:
    return EVENTS[key]
