"""Who may do what: every permission rule of vetting, named once and used at every door.

Each rule is a role set (a tuple of role names, for the API's `roles_by_method` and the services'
`require_role`, the pages' `cases.access.posts_need`) and a predicate over it (for services,
selectors, views and templates). The context processor `accounts.context_processors.roles_context`
gives templates the user-level predicates as `may.<rule>`; case-level ones (`can_edit`,
`can_assign`) reach templates as context flags the view sets from the predicate.

The workflow's transitions (submit, start the review, sign off, reopen...) are guarded by
`cases.services.TRANSITIONS` and `cases.services.allowed_actions`, which pages and the API use to
show and take the actions; they are not repeated here.

Protected numbers (account and identity document numbers) are shown in clear only to the
roles in `NUMBER_REVEALERS`, each time with a recorded reason. The rule is the same on every
door: the candidate page offers *Reveal* only to them, the API's reveal endpoint takes only
them, and a referral packet carries the numbers in clear only when the user who requested it is
one of them (each number included is then recorded as a reveal); any other requester's packet
holds the numbers masked, with a note that an HR or compliance user can generate it in full.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import COMPLIANCE, HR, REVIEWER, has_role
from common.errors import FourEyesViolation, InvalidTransition, NotAllowed, ServiceError

from . import selectors
from .models import Case, CaseComment, Finding, FindingStatus, Status

# ---------------------------------------------------------------- role sets

CASE_READERS = (HR, REVIEWER, COMPLIANCE)  # every case page and case endpoint
CASE_EDITORS = (HR,)  # open cases, edit facts, answer the checklist, handle evidence
NUMBER_REVEALERS = (HR, COMPLIANCE)  # HR checks numbers with the bank; compliance investigates
REVIEWERS = (REVIEWER,)  # work the review queue, sign off, be assigned a review
REVIEW_ASSIGNERS = (HR, REVIEWER)  # assign a reviewer (see can_assign_reviewer for the case rule)
AUDITORS = (COMPLIANCE,)  # export the audit trail, run integrity checks
# retention periods, legal holds, purges, subject access exports, key status
RETENTION_MANAGERS = (COMPLIANCE,)
FINDING_ACCEPTERS = CASE_EDITORS  # accepting a finding may fill in a checklist answer
FINDING_DISMISSERS = (HR, REVIEWER)  # see can_dismiss_finding for the case rule
# Move a case to newer catalogue versions: the case editors, while the case is open for
# assessment (draft or assessing; see can_upgrade_catalogues).
CATALOGUE_UPGRADERS = CASE_EDITORS
COMMENTERS = CASE_READERS  # read and post in a case's discussion; mentions reach only them

ASSIGNABLE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)


# ---------------------------------------------------------------- cases


def can_read_cases(user) -> bool:
    return has_role(user, *CASE_READERS)


def can_view_case(user, case: Case) -> bool:
    """Every case reader sees every case (`selectors.visible_cases` is the queryset form)."""
    return can_read_cases(user)


def can_open_cases(user) -> bool:
    return has_role(user, *CASE_EDITORS)


def can_edit_case(user, case: Case) -> bool:
    """Change the case's facts, answers and evidence: an editor, while the case is editable."""
    return case.is_editable and has_role(user, *CASE_EDITORS)


def can_upgrade_catalogues(user, case: Case) -> bool:
    """Move the case to newer catalogue versions: HR, while the case is draft or assessing
    (not once submitted, in review or closed: a reviewer must judge the checklist that was
    submitted; reopening or returning a case makes it upgradable again)."""
    return case.is_editable and has_role(user, *CATALOGUE_UPGRADERS)


# Findings of these checks (open or accepted) take clearing out of HR's hands whatever their
# severity: a North Korean IP address or phone number.
DPRK_CHECKS = ("ip.dprk_address", "phone.dprk")


def why_reviewer_must_decide(case: Case) -> list[str]:
    """Why only a reviewer's sign-off may end this case, so HR may not close it as cleared:
    a critical finding or a North Korean IP address or phone number (open or accepted), or a
    link to a referred or rejected case. Empty when none. Read live (not from the snapshot):
    a finding or a link may appear after submission."""
    reasons = []
    counted = (FindingStatus.OPEN, FindingStatus.ACCEPTED)
    checks = sorted(
        set(
            Finding.objects.filter(case=case, status__in=counted)
            .filter(Q(severity="critical") | Q(check_code__in=DPRK_CHECKS))
            .values_list("check_code", flat=True)
        )
    )
    dprk = [check for check in checks if check in DPRK_CHECKS]
    if dprk:
        reasons.append(
            _("a North Korean IP address or phone number was found (%(checks)s)")
            % {"checks": ", ".join(dprk)}
        )
    critical = [check for check in checks if check not in DPRK_CHECKS]
    if critical:
        reasons.append(_("critical findings (%(checks)s)") % {"checks": ", ".join(critical)})
    flagged = [link.reference for link in selectors.link_facts(case) if link.flagged]
    if flagged:
        reasons.append(
            _("linked to a referred or rejected case (%(references)s)")
            % {"references": ", ".join(flagged)}
        )
    return reasons


def reviewer_must_decide(case: Case) -> bool:
    """Only a reviewer's sign-off may end the case (see why_reviewer_must_decide)."""
    return bool(why_reviewer_must_decide(case))


# ---------------------------------------------------------------- protected numbers


def can_reveal_numbers(user) -> bool:
    return has_role(user, *NUMBER_REVEALERS)


def packet_shows_clear_numbers(job) -> bool:
    """A referral packet holds the numbers in clear only when its requester may reveal them."""
    return job.requester is not None and can_reveal_numbers(job.requester)


# ---------------------------------------------------------------- review


def is_assessor(user, case: Case, assessors: set[int] | None = None) -> bool:
    """The four-eyes rule's one predicate: `user` assessed `case`, so may not review it.

    Whoever opened the case, answered an item, edited the candidate's facts, uploaded, withdrew
    or re-linked evidence, or accepted a finding is an assessor: each of these changes what the
    reviewer would be judging. Accepting a finding is assessing (it may fill in an answer);
    dismissing one is not (it changes no fact, answer or evidence, and a high or critical one
    may only be dismissed by a reviewer who is not an assessor). `assessors` is
    `selectors.assessor_ids(case)` when the caller already has it.

    Used by every door that applies the rule: starting a review and signing off
    (`services.perform_action`), being given a review (`why_not_assignable`,
    `selectors.reviewer_choices`), dismissing a high or critical finding
    (`why_not_dismissable`) and the review page.
    """
    return user.pk in (selectors.assessor_ids(case) if assessors is None else assessors)


def can_work_reviews(user) -> bool:
    return has_role(user, *REVIEWERS)


def may_assign_reviewers(user) -> bool:
    """The role part of `can_assign_reviewer`: the case list offers bulk assignment to these."""
    return has_role(user, *REVIEW_ASSIGNERS)


def can_assign_reviewer(user, case: Case) -> bool:
    """Assign, hand on or unassign the review of a submitted case or a case in review.

    HR always may; a reviewer may while nobody has the case, or when it is theirs.
    """
    if case.status not in ASSIGNABLE_STATUSES or not has_role(user, *REVIEW_ASSIGNERS):
        return False
    return has_role(user, HR) or case.reviewer_id in (None, user.pk)


def why_not_assignable(user, case: Case, assessors: set[int] | None = None) -> str:
    """Why `user` may not be given the review of `case` (four-eyes rule); "" when they may."""
    name = user.get_username()
    if not user.is_active:
        return _("%(u)s is deactivated.") % {"u": name}
    if not has_role(user, *REVIEWERS):
        return _("%(u)s is not a reviewer.") % {"u": name}
    if is_assessor(user, case, assessors):
        return _("Four-eyes rule: %(u)s assessed this case and cannot review it.") % {"u": name}
    return ""


def can_be_assigned(user, case: Case) -> bool:
    """An active reviewer who did not assess the case."""
    return not why_not_assignable(user, case)


# ---------------------------------------------------------------- findings


def can_accept_findings(user) -> bool:
    """The role part of `can_accept_finding`: pages offer Accept only to these users."""
    return has_role(user, *FINDING_ACCEPTERS)


def can_dismiss_findings(user) -> bool:
    """The role part of `can_dismiss_finding`: pages explain a refusal only to these users."""
    return has_role(user, *FINDING_DISMISSERS)


def can_accept_finding(user, finding: Finding) -> bool:
    """Accept an open finding (filling in the answer it suggests): an editor of the case."""
    return finding.status == FindingStatus.OPEN and can_edit_case(user, finding.case)


def why_not_dismissable(user, finding: Finding, assessors: set[int] | None = None):
    """Why `user` may not dismiss the open `finding`, as the error to raise; None when they may.

    Low and medium findings: an editor while the case is editable, or a reviewer. High and
    critical ones: only a reviewer who did not assess the case (four-eyes rule).
    """
    case = finding.case
    if finding.needs_four_eyes:
        if not has_role(user, *REVIEWERS):
            return NotAllowed(
                _("Only a reviewer who did not assess %(ref)s may dismiss a %(severity)s finding.")
                % {"ref": case.reference, "severity": finding.get_severity_display().lower()}
            )
        if is_assessor(user, case, assessors):
            return FourEyesViolation(
                _(
                    "Four-eyes rule: you assessed %(ref)s, so another reviewer must decide on "
                    "this %(severity)s finding."
                )
                % {"ref": case.reference, "severity": finding.get_severity_display().lower()}
            )
        return None
    if can_edit_case(user, case) or has_role(user, *REVIEWERS):
        return None
    return NotAllowed(
        _("Only hr users while the case is draft or assessing, or reviewers, may dismiss it.")
    )


def can_dismiss_finding(user, finding: Finding, assessors: set[int] | None = None) -> bool:
    """Dismiss an open finding of a case that is not closed (see why_not_dismissable).

    `assessors` (`selectors.assessor_ids` of the case) spares a page showing many findings from
    reading them once per finding."""
    if finding.status != FindingStatus.OPEN or finding.case.is_final:
        return False
    return why_not_dismissable(user, finding, assessors) is None


# ---------------------------------------------------------------- comments


def can_comment(user, case: Case) -> bool:
    """Read and post in the case's discussion: everyone who may see the case, whatever its
    state (a discussion may go on after the decision)."""
    return has_role(user, *COMMENTERS) and can_view_case(user, case)


def may_be_mentioned(user, case: Case) -> bool:
    """Who a `@username` in a comment notifies: an active user who may see the case."""
    return user.is_active and can_comment(user, case)


def comment_edit_deadline(comment: CaseComment) -> datetime.datetime:
    return comment.created_at + datetime.timedelta(minutes=settings.VETTING_COMMENT_EDIT_MINUTES)


def why_not_comment_editor(user, comment: CaseComment, now=None) -> ServiceError | None:
    """Why `user` may not edit `comment` now, as the error to raise; None when they may: only
    its author (NotAllowed), within settings.VETTING_COMMENT_EDIT_MINUTES of posting
    (InvalidTransition), while they may still take part in the case's discussion."""
    if comment.author_id != user.pk or not can_comment(user, comment.case):
        return NotAllowed(_("Only the author of a comment may edit it."))
    if (now or timezone.now()) > comment_edit_deadline(comment):
        return InvalidTransition(
            _(
                "Comments can be edited for %(n)d minutes after posting; this one can no longer "
                "be changed. Post a new comment instead."
            )
            % {"n": settings.VETTING_COMMENT_EDIT_MINUTES}
        )
    return None


def can_edit_comment(user, comment: CaseComment, now=None) -> bool:
    return why_not_comment_editor(user, comment, now) is None


# ---------------------------------------------------------------- records


def can_request_reports(user) -> bool:
    return can_read_cases(user)


def can_audit(user) -> bool:
    """Export the audit trail and run integrity checks."""
    return has_role(user, *AUDITORS)


def can_manage_retention(user) -> bool:
    """Set retention periods and legal holds, purge, export a subject's data, see key status."""
    return has_role(user, *RETENTION_MANAGERS)
