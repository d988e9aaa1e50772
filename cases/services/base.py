"""What every case service shares: history attribution, role and state guards, the row lock,
the audit event, the record of refused attempts."""

import functools
import inspect

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record_event
from common.errors import (
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    ServiceValidationError,
    StaleVersion,
)

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


# ---------------------------------------------------------------- refused attempts


def _recorded_value(value):
    """An argument of a refused call as the audit log keeps it: users by name, rows by id."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "get_username"):
        return value.get_username()
    if isinstance(value, list | tuple):
        return [_recorded_value(v) for v in value]
    return getattr(value, "pk", str(value))


def record_refusal(actor, action: str, case: Case | None, refusal: NotAllowed, **data) -> None:
    """Record that `actor` was refused `action` (an event named `<action>.refused`).

    Written in a transaction of its own: call it after the refused service's transaction has
    rolled back, or the record goes with it.
    """
    if not getattr(actor, "is_authenticated", False):
        return
    where = f" on {case.reference}" if case is not None else ""
    with transaction.atomic():
        record_event(
            actor=actor,
            action=f"{action}.refused",
            obj=case,
            object_type="" if case is not None else "cases.case",
            case_reference=case.reference if case is not None else "",
            summary=f"Refused {action}{where}: {refusal.message}",
            data={
                "reason": str(refusal.message),
                "four_eyes": isinstance(refusal, FourEyesViolation),
                **{name: _recorded_value(value) for name, value in data.items()},
            },
        )


def records_refusals(action: str, *, keep: tuple[str, ...] = ()):
    """Decorate a case service so that a NotAllowed it raises (the four-eyes rule, a take-over,
    a wrong role) is recorded as `<action>.refused`, then raised again.

    Put it above `@transaction.atomic`: the record is written after the service's transaction
    has rolled back, so it survives. `action` may name the service's arguments
    (`"case.{action}"`); the arguments named in `keep` are recorded with the refusal. The actor
    is the `actor` argument, the case the `case` argument or the case of `evidence`, `finding`
    or `comment`.
    """

    def decorate(service):
        signature = inspect.signature(service)

        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except NotAllowed as refusal:
                call = signature.bind(*args, **kwargs)
                call.apply_defaults()
                given = call.arguments
                case = given.get("case")
                for row in ("evidence", "finding", "comment"):  # rows that belong to a case
                    if case is None and given.get(row) is not None:
                        case = given[row].case
                record_refusal(
                    given["actor"],
                    action.format(**given),
                    case,
                    refusal,
                    **{name: given.get(name) for name in keep},
                )
                raise

        return wrapper

    return decorate


def require_at_most(field: str, text: str, limit: int) -> None:
    """Refuse a text longer than the limit its model states, whichever door it came through."""
    if len(text) > limit:
        raise ServiceValidationError({field: _("At most %(n)d characters.") % {"n": limit}})


def require_version(obj, expected_version: int | None, what: str) -> None:
    """Optimistic concurrency, checked once for every door: refuse a change based on a version
    of `obj` (read under its lock) that is no longer the stored one. None skips the check
    (API clients that send no If-Match). `what` names the object for the message."""
    if expected_version is None or expected_version == obj.version:
        return
    raise StaleVersion(
        _(
            "Someone else saved %(what)s after you loaded it (you had version %(yours)d, it is "
            "now version %(now)d). Nothing was saved: check the current value and save again."
        )
        % {"what": what, "yours": expected_version, "now": obj.version},
        current=obj,
    )
