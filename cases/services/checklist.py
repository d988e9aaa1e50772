"""Answering the checklist."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from common.errors import ServiceValidationError

from .. import selectors
from ..models import (
    NOTE_MAX_LENGTH,
    VALUES_BY_KIND,
    VALUES_NEEDING_NOTE,
    AnswerValue,
    Case,
    ChecklistAnswer,
)
from .base import (
    case_event,
    lock_case,
    records_refusals,
    require_at_most,
    require_editable,
    require_role,
    require_version,
    save_as,
    start_assessing_if_draft,
)


@records_refusals("answer.recorded", keep=("item_code", "value"))
@transaction.atomic
def answer_item(
    actor,
    case: Case,
    item_code: str,
    value: str,
    note: str = "",
    *,
    expected_version: int | None = None,
) -> ChecklistAnswer:
    """Record the answer to one item. With `expected_version` (the answer's version the change
    was based on), a change to an answer someone saved since is refused with StaleVersion;
    saving what is already stored is never a conflict."""
    require_role(actor, roles.HR, action=_("answer checklist items"))
    case = lock_case(case)
    require_editable(case)
    answer = (
        ChecklistAnswer.objects.select_for_update()
        .select_related("item")
        .filter(case=case, item__code=item_code, retired_at__isnull=True)
        .first()
    )
    if answer is None:
        raise ServiceValidationError(
            {
                "item": _("%(code)s is not an item of the catalogues of %(ref)s (%(v)s).")
                % {
                    "code": item_code,
                    "ref": case.reference,
                    "v": ", ".join(selectors.pinned_version_codes(case)),
                }
            }
        )
    value = (value or "").strip()
    note = (note or "").strip()
    allowed = VALUES_BY_KIND[answer.item.kind]
    if value not in allowed:
        raise ServiceValidationError(
            {
                "value": _("For a %(kind)s choose one of: %(values)s.")
                % {"kind": answer.item.get_kind_display().lower(), "values": ", ".join(allowed)}
            }
        )
    if value in VALUES_NEEDING_NOTE and not note:
        raise ServiceValidationError(
            {
                "note": _(
                    "A note is required when the answer is “%(v)s”: say what was seen or why."
                )
                % {"v": AnswerValue(value).label}
            }
        )
    require_at_most("note", note, NOTE_MAX_LENGTH)
    if answer.value == value and answer.note == note:
        return answer
    require_version(answer, expected_version, _("the answer to %(code)s") % {"code": item_code})
    previous = answer.value
    answer.value, answer.note = value, note
    answer.version += 1
    answer.answered_by, answer.answered_at = actor, timezone.now()
    save_as(answer, actor)
    start_assessing_if_draft(case, actor)
    case_event(
        actor,
        "answer.recorded",
        case,
        f"{answer.item.code} answered “{value}” on {case.reference}"
        + (f" (was “{previous}”)" if previous else ""),
        obj=answer,
        item=answer.item.code,
        value=value,
        previous=previous,
        note=note,
    )
    return answer
