"""What every case service shares: history attribution, role and state guards, the row lock,
the audit event."""

from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record_event
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError

from ..models import (
    EDITABLE_STATUSES,
    Case,
    Status,
)


def save_as(obj, actor, reason: str = "", **kwargs):
    obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]
    obj.save(**kwargs)
    return obj


def require_role(actor, *allowed: str, action: str) -> None:
    if not roles.has_role(actor, *allowed):
        names = " or ".join(allowed)
        raise NotAllowed(
            _("Only %(roles)s users may %(action)s.") % {"roles": names, "action": action}
        )


def require_editable(case: Case) -> None:
    if case.status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            _("Case %(ref)s is %(status)s: it can only be changed while draft or assessing.")
            % {"ref": case.reference, "status": case.get_status_display()}
        )


def lock_case(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("candidate").get(pk=case.pk)


def case_event(actor, action: str, case: Case, summary: str, obj=None, **data):
    return record_event(
        actor=actor,
        action=action,
        obj=obj if obj is not None else case,
        case_reference=case.reference,
        summary=summary,
        data=data,
    )


def start_assessing_if_draft(case: Case, actor) -> None:
    if case.status == Status.DRAFT:
        case.status = Status.ASSESSING
        save_as(case, actor, reason="assessment started")
        case_event(actor, "case.assessing", case, f"Assessment of {case.reference} started")


def require_at_most(field: str, text: str, limit: int) -> None:
    """Refuse a text longer than the limit its model states, whichever door it came through."""
    if len(text) > limit:
        raise ServiceValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
