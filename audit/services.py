from django.utils import timezone

from .models import AuditEvent


def record_event(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    case_reference: str = "",
    summary: str,
    data: dict | None = None,
) -> AuditEvent:
    """Append an audit event. Call inside the transaction of the change it describes."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_username=user.get_username() if user else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_reference=case_reference,
        summary=summary[:500],
        data=data or {},
    )
