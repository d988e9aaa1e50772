"""Evidence files: upload (type and size checked, hashed), links to items, withdrawal."""

import hashlib
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from common import storage
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError, Unavailable

from .. import permissions, uploads
from ..models import (
    Case,
    ChecklistAnswer,
    Evidence,
    max_length,
)
from .base import (
    case_event,
    lock_case,
    records_refusals,
    require_at_most,
    require_editable,
    require_role,
    save_as,
    start_assessing_if_draft,
)


@records_refusals("evidence.uploaded")
@transaction.atomic
def upload_evidence(
    actor, case: Case, uploaded_file, description: str = "", answer_codes: list[str] | None = None
) -> Evidence:
    """Store an evidence file after checking its real type and size. Nothing is kept on error."""
    require_role(actor, roles.HR, action=_("upload evidence"))
    case = lock_case(case)
    require_editable(case)
    if uploaded_file is None:
        raise ServiceValidationError({"file": _("Choose a file to upload.")})
    max_bytes = settings.EVIDENCE_MAX_BYTES
    size = uploaded_file.size or 0
    if size == 0:
        raise ServiceValidationError({"file": _("The file is empty.")})
    if size > max_bytes:
        raise ServiceValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)}
            }
        )
    original_name = uploads.sanitize_filename(getattr(uploaded_file, "name", "") or "")
    uploaded_file.seek(0)
    head = uploaded_file.read(4096)
    content_type = uploads.sniff_content_type(head, original_name)
    if content_type is None:
        raise ServiceValidationError(
            {
                "file": _("This type of file is not accepted. Allowed: %(types)s.")
                % {"types": uploads.ALLOWED_DESCRIPTION}
            }
        )
    require_at_most("description", description, max_length(Evidence, "description"))
    answers = []
    if answer_codes:
        answers = list(
            ChecklistAnswer.objects.filter(
                case=case, item__code__in=answer_codes, retired_at__isnull=True
            )
        )
        missing = set(answer_codes) - {a.item.code for a in answers}
        if missing:
            raise ServiceValidationError(
                {"answers": _("Not items of this case: %(c)s.") % {"c": ", ".join(sorted(missing))}}
            )
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    evidence = Evidence(
        case=case,
        stored_name=f"{uuid.uuid4().hex}{uploads.ALLOWED_TYPES[content_type]}",
        original_name=original_name,
        description=description.strip(),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    try:
        evidence.file.save(evidence.stored_name, uploaded_file, save=False)
    except storage.StorageUnavailable as exc:
        # Nothing is kept: the transaction rolls back and no row points to a missing file.
        raise Unavailable(storage.unavailable_message(exc)) from exc
    try:
        save_as(evidence, actor)
        if answers:
            evidence.answers.set(answers)
    except Exception:
        evidence.file.delete(save=False)
        raise
    start_assessing_if_draft(case, actor)
    case_event(
        actor,
        "evidence.uploaded",
        case,
        f"Uploaded {original_name} ({content_type}, {size} bytes) to {case.reference}",
        obj=evidence,
        name=original_name,
        sha256=evidence.sha256,
        size=size,
        content_type=content_type,
        answers=[a.item.code for a in answers],
    )
    return evidence


@records_refusals("evidence.linked", keep=("evidence", "answer_codes"))
@transaction.atomic
def link_evidence(actor, evidence: Evidence, answer_codes: list[str]) -> Evidence:
    require_role(actor, roles.HR, action=_("link evidence"))
    case = lock_case(evidence.case)
    require_editable(case)
    answers = list(
        ChecklistAnswer.objects.filter(
            case=case, item__code__in=answer_codes, retired_at__isnull=True
        )
    )
    missing = set(answer_codes) - {a.item.code for a in answers}
    if missing:
        raise ServiceValidationError(
            {"answers": _("Not items of this case: %(c)s.") % {"c": ", ".join(sorted(missing))}}
        )
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    # Links to answers from an earlier catalogue version (no longer asked) stay.
    earlier = list(evidence.answers.filter(retired_at__isnull=False))
    evidence.answers.set([*answers, *earlier])
    # A history row names who re-linked it: changing what evidence supports is assessing
    # (permissions.is_assessor).
    save_as(evidence, actor, reason="linked")
    case_event(
        actor,
        "evidence.linked",
        case,
        f"Linked {evidence.original_name} to {', '.join(sorted(answer_codes)) or 'no items'}",
        obj=evidence,
        name=evidence.original_name,
        answers=answer_codes,
    )
    return evidence


@records_refusals("evidence.withdrawn", keep=("evidence", "reason"))
@transaction.atomic
def withdraw_evidence(actor, evidence: Evidence, reason: str) -> Evidence:
    """Mark evidence as withdrawn. The file and its hash stay for the audit trail."""
    require_role(actor, roles.HR, action=_("withdraw evidence"))
    case = lock_case(evidence.case)
    require_editable(case)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceValidationError({"reason": _("Say why the evidence is withdrawn.")})
    require_at_most("reason", reason, Evidence.WITHDRAWN_REASON_MAX_LENGTH)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.is_withdrawn:
        raise InvalidTransition(_("This evidence was already withdrawn."))
    evidence.withdrawn_at, evidence.withdrawn_by = timezone.now(), actor
    evidence.withdrawn_reason = reason
    save_as(evidence, actor, reason="withdrawn")
    case_event(
        actor,
        "evidence.withdrawn",
        case,
        f"Withdrew {evidence.original_name}: {reason}",
        obj=evidence,
        name=evidence.original_name,
        reason=reason,
    )
    return evidence


def record_evidence_download(actor, evidence: Evidence) -> None:
    """Check a download is allowed and the stored file intact (read back from the storage in
    use and hashed), and record it in the audit log."""
    if not permissions.can_view_case(actor, evidence.case):
        raise NotAllowed(_("You may not download evidence of this case."))
    if not storage.stored_file_matches(evidence.file.name, evidence.sha256):
        case_event(
            actor,
            "evidence.integrity_failed",
            evidence.case,
            f"Stored file of {evidence.original_name} of {evidence.case.reference} does not "
            "match its recorded SHA-256",
            obj=evidence,
            name=evidence.original_name,
            sha256=evidence.sha256,
        )
        raise InvalidTransition(
            _(
                "The stored file of %(name)s no longer matches the SHA-256 recorded at upload, "
                "so it is not handed out. Tell your administrator."
            )
            % {"name": evidence.original_name}
        )
    case_event(
        actor,
        "evidence.downloaded",
        evidence.case,
        f"Downloaded {evidence.original_name} of {evidence.case.reference}",
        obj=evidence,
        name=evidence.original_name,
        sha256=evidence.sha256,
    )
