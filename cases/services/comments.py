"""A case's discussion: comments in Markdown, edited only by their author within a short window,
never deleted; `@username` mentions notify the people they name who may see the case.

Comments are discussion, not facts: posting or editing one makes nobody an assessor of the case
(`selectors.assessor_ids` does not read them) and changes nothing the risk is computed from.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotAllowed, ServiceValidationError
from notifications import events
from notifications.services import notify

from .. import permissions, selectors
from ..markdown import plain_excerpt
from ..models import Case, CaseComment
from .base import case_event, records_refusals, require_role, require_version, save_as


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceValidationError({"body": _("Write something to post.")})
    limit = CaseComment.BODY_MAX_LENGTH
    if len(body) > limit:
        raise ServiceValidationError(
            {
                "body": _("A comment may have at most %(n)d characters; this one has %(m)d.")
                % {"n": limit, "m": len(body)}
            }
        )
    return body


def comment_url(comment: CaseComment) -> str:
    """The comment on its case's discussion page (a site-relative address)."""
    return reverse("case_comments", args=[comment.case.reference]) + f"#comment-{comment.pk}"


def _notify_mentions(comment: CaseComment, users) -> None:
    """Tell each of `users` that `comment` mentions them: in the inbox and by e-mail, as each
    person's notification settings say."""
    if not users:
        return
    notify(
        events.MENTIONED,
        users,
        case=comment.case,
        actor=comment.author,
        context={
            "comment_excerpt": plain_excerpt(comment.body),
            "comment_url": comment_url(comment),
        },
    )


def _recipients(comment: CaseComment, users) -> list:
    """The mentioned people to tell: not the author."""
    return [user for user in users if user.pk != comment.author_id]


@records_refusals("case.comment_posted")
@transaction.atomic
def post_comment(actor, case: Case, body: str) -> CaseComment:
    """Post a comment on `case`. The comment returned carries `ignored_mentions`: the
    `@names` in it that notify nobody (no active user of that name who may see the case)."""
    require_role(actor, *permissions.COMMENTERS, action=_("take part in case discussions"))
    if not permissions.can_comment(actor, case):
        raise NotAllowed(_("You may not see this case."))
    body = _clean_body(body)
    mentions = selectors.mentions_in(case, body)
    # The event follows the save at once: the history page pairs them by time.
    comment = save_as(CaseComment(case=case, author=actor, body=body), actor, reason="comment")
    case_event(
        actor,
        "case.comment_posted",
        case,
        f"{actor.get_username()} commented on {case.reference}",
        obj=comment,
        comment=comment.pk,
        note=body,
        mentioned=[user.get_username() for user in mentions.users],
    )
    comment.mentioned.set(mentions.users)
    _notify_mentions(comment, _recipients(comment, mentions.users))
    comment.ignored_mentions = mentions.ignored
    return comment


@records_refusals("case.comment_edited")
@transaction.atomic
def edit_comment(
    actor, comment: CaseComment, body: str, *, expected_version: int | None = None
) -> CaseComment:
    """Change the text of `comment`: only its author, within settings.VETTING_COMMENT_EDIT_MINUTES
    of posting. The earlier text stays in the comment's history (shown under "edited") and in
    the audit event. People newly mentioned are notified; those mentioned before are not told
    again. Like `post_comment`, the comment returned carries `ignored_mentions`."""
    comment = (
        CaseComment.objects.select_for_update().select_related("case", "author").get(pk=comment.pk)
    )
    refusal = permissions.why_not_comment_editor(actor, comment)
    if refusal is not None:
        raise refusal
    require_version(comment, expected_version, _("this comment"))
    body = _clean_body(body)
    mentions = selectors.mentions_in(comment.case, body)
    comment.ignored_mentions = mentions.ignored
    if body == comment.body:
        return comment
    already = set(comment.mentioned.values_list("pk", flat=True))
    new = [user for user in mentions.users if user.pk not in already]
    previous = comment.body
    comment.body = body
    comment.edited_at = timezone.now()
    comment.version += 1
    case = comment.case
    # The event follows the save at once: the history page pairs them by time.
    save_as(comment, actor, reason="comment edited")
    case_event(
        actor,
        "case.comment_edited",
        case,
        f"{actor.get_username()} edited a comment on {case.reference}",
        obj=comment,
        comment=comment.pk,
        note=body,
        previous=previous,
        mentioned=[user.get_username() for user in new],
    )
    comment.mentioned.add(*new)  # everyone ever mentioned stays: each of them was told
    _notify_mentions(comment, _recipients(comment, new))
    return comment
