"""Answering the checklist."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from common.errors import ServiceValidationError, StaleVersion

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


# ---------------------------------------------------------------- a whole section at once

SECTION_MAX_ANSWERS = 200  # more than any catalogue's checklist holds


@dataclass(frozen=True)
class AnswerInput:
    """One item's answer in a section save: what `answer_item` takes."""

    item_code: str
    value: str
    note: str = ""
    expected_version: int | None = None


@dataclass
class SectionResult:
    """What a section save did, item by item. `saved` are the answers that changed (each with
    its history record and audit event), `unchanged` those already stored as sent, `errors`
    the refused items' messages per field, `conflicts` the items someone else saved since the
    version the change was based on (StaleVersion, with the stored answer as `current`)."""

    saved: list[ChecklistAnswer] = field(default_factory=list)
    unchanged: list[ChecklistAnswer] = field(default_factory=list)
    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    conflicts: dict[str, StaleVersion] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every item was saved or already stored as sent."""
        return not self.errors and not self.conflicts


@records_refusals("answer.recorded")
@transaction.atomic
def answer_section(actor, case: Case, answers: list[AnswerInput]) -> SectionResult:
    """Answer several items at once (a section of the checklist): each item exactly as
    `answer_item` would, with the same rules, version check, history and audit event.

    Items are independent, as they are when saved one by one: a valid item is saved even when
    another is refused, so nothing valid is lost; each refused item is reported (its field
    errors, or a conflict when someone else changed it since `expected_version`) and left as
    stored. An item sent twice is refused. A wrong role or a case that cannot be changed any
    more refuses the whole section before anything is saved.
    """
    require_role(actor, roles.HR, action=_("answer checklist items"))
    case = lock_case(case)
    require_editable(case)
    if len(answers) > SECTION_MAX_ANSWERS:
        raise ServiceValidationError(
            {"answers": _("At most %(n)d answers at once.") % {"n": SECTION_MAX_ANSWERS}}
        )
    versions = dict(
        ChecklistAnswer.objects.filter(case=case, retired_at__isnull=True).values_list(
            "item__code", "version"
        )
    )
    result = SectionResult()
    seen: set[str] = set()
    for entry in answers:
        code = entry.item_code
        if code in seen:
            result.errors[code] = {
                "item": [_("%(code)s is listed more than once.") % {"code": code}]
            }
            continue
        seen.add(code)
        try:
            answer = answer_item(
                actor,
                case,
                code,
                entry.value,
                entry.note,
                expected_version=entry.expected_version,
            )
        except StaleVersion as conflict:
            result.conflicts[code] = conflict
        except ServiceValidationError as refusal:
            result.errors[code] = refusal.errors
        else:
            changed = answer.version != versions.get(code)
            (result.saved if changed else result.unchanged).append(answer)
    return result
