"""Protected numbers: revealing them (audited) and re-encrypting them under a new key."""

from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import NotAllowed, ServiceValidationError

from .. import permissions
from ..models import (
    Candidate,
    Case,
    SensitiveReveal,
    max_length,
)
from .base import case_event, records_refusals, require_at_most

SENSITIVE_FIELDS = ("account_number", "identity_document_number")


@records_refusals("candidate.revealed", keep=("field", "reason"))
@transaction.atomic
def reveal_sensitive(actor, case: Case, field: str, reason: str) -> str:
    """Return an account or identity document number in clear, recording who asked and why."""
    if field not in SENSITIVE_FIELDS:
        raise ServiceValidationError(
            {"field": _("Choose account_number or identity_document_number.")}
        )
    if not permissions.can_reveal_numbers(actor):
        raise NotAllowed(_("Your role may not see these numbers in clear."))
    if not permissions.can_view_case(actor, case):
        raise NotAllowed(_("You may not view this case."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceValidationError({"reason": _("Say why you need to see the number.")})
    require_at_most("reason", reason, max_length(SensitiveReveal, "reason"))
    record_reveal(actor, case, field, reason)
    return getattr(case.candidate, field)


def record_reveal(actor, case: Case, field: str, reason: str, **data) -> None:
    """Record that `actor` was shown `field` of the case's candidate in clear, and why."""
    # Reports record their own reasons; the column keeps what fits, the audit event all of it.
    stored_reason = reason[: max_length(SensitiveReveal, "reason")]
    SensitiveReveal.objects.create(case=case, field=field, revealed_by=actor, reason=stored_reason)
    case_event(
        actor,
        "candidate.revealed",
        case,
        f"Revealed {field} of {case.reference}: {reason}",
        obj=case.candidate,
        field=field,
        reason=reason,
        **data,
    )


# ---------------------------------------------------------------- key rotation


def encrypted_columns() -> list[tuple[type, str]]:
    """Every (model, field name) stored encrypted, history tables included: what a key
    rotation re-encrypts and the key status page counts. Found from the fields themselves, so a
    field encrypted later (say, in evidence metadata) is rotated without being listed here."""
    from django.apps import apps

    from ..crypto import EncryptedTextField

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


@transaction.atomic
def rotate_field_keys() -> dict[str, int]:
    """Re-encrypt every stored encrypted value under the current (first) key: the candidates'
    numbers, their history rows, and any other encrypted field (`encrypted_columns`).

    Raw ciphertext is rotated in place with QuerySet.update(): this is not a change of the
    candidate's facts, so it adds no history rows. Returns rows re-encrypted per model label,
    plus the totals `candidates` and `history_rows` (of the candidates' history)."""
    fields_by_model: dict[type, list[str]] = {}
    for model, name in encrypted_columns():
        fields_by_model.setdefault(model, []).append(name)
    counts = {"candidates": 0, "history_rows": 0}
    for model, fields in fields_by_model.items():
        pk_name = model._meta.pk.name
        rotated = 0
        rows = model._base_manager.values_list(pk_name, *fields)
        for pk, *values in rows.iterator(chunk_size=500):
            # values were decrypted on read; update() re-encrypts them under the first key.
            changes = {f: v for f, v in zip(fields, values, strict=True) if v}
            if changes:
                model._base_manager.filter(**{pk_name: pk}).update(**changes)
                rotated += 1
        counts[model._meta.label] = rotated
    counts["candidates"] = counts.get(Candidate._meta.label, 0)
    counts["history_rows"] = counts.get(Candidate.history.model._meta.label, 0)
    return counts
