"""The catalogue versions a case asks: choosing them when it is opened, upgrading them later."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from common.errors import InvalidTransition, ServiceValidationError, StaleVersion
from indicators.models import CatalogVersion, VersionKind
from indicators.selectors import NoCatalogError, default_catalog_version, default_supplements

from .. import permissions, selectors
from ..models import Case, CaseCatalog, ChecklistAnswer
from .base import case_event, lock_case, records_refusals, require_editable, require_role, save_as


def choose_versions(
    base_code: str | None, supplement_codes: list[str] | None, *, keep=()
) -> tuple[CatalogVersion, list[CatalogVersion]]:
    """The versions a case is to pin: the active base version `base_code` (default: the
    default base) and the active versions `supplement_codes` besides it (None: the defaults
    for new cases). Any active version other than the base may be pinned besides it, a
    supplement or an older base such as May 2022. Bad codes are field errors
    (`catalog_version`, `supplements`). The versions in `keep` (those a case pins already) may
    stay pinned even if they were made inactive since."""
    kept = {version.pk for version in keep}
    errors: dict[str, list[str]] = {}
    base_code = (base_code or "").strip()
    base = None
    if base_code:
        base = CatalogVersion.objects.filter(code=base_code).first()
        if base is None or not (base.is_active or base.pk in kept):
            errors["catalog_version"] = [
                _("%(v)s is not an active catalogue version.") % {"v": base_code}
            ]
            base = None
        elif base.kind != VersionKind.BASE:
            errors["catalog_version"] = [
                _("%(v)s is a supplement: pin it besides a base version, not as the base.")
                % {"v": base_code}
            ]
            base = None
    else:
        try:
            base = default_catalog_version()
        except NoCatalogError as exc:
            raise InvalidTransition(str(exc)) from exc
    if supplement_codes is None:
        supplements = default_supplements(base) if base is not None else []
    else:
        supplements, messages = _chosen_supplements(base, supplement_codes, kept)
        if messages:
            errors["supplements"] = messages
    if errors:
        raise ServiceValidationError(errors)
    return base, supplements


def _chosen_supplements(base, codes, kept=frozenset()) -> tuple[list[CatalogVersion], list[str]]:
    codes = [str(code).strip() for code in codes]
    messages = []
    if any(not code for code in codes):
        messages.append(_("Give each version by its code; an empty code was given."))
    codes = [code for code in codes if code]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        messages.append(
            _("Each version can be pinned once: %(v)s given twice.") % {"v": ", ".join(twice)}
        )
    found = {v.code: v for v in CatalogVersion.objects.filter(code__in=codes)}
    unknown = [code for code in dict.fromkeys(codes) if code not in found]
    if unknown:
        messages.append(_("No catalogue version %(v)s.") % {"v": ", ".join(unknown)})
    inactive = [
        code
        for code in dict.fromkeys(codes)
        if code in found and not found[code].is_active and found[code].pk not in kept
    ]
    if inactive:
        messages.append(
            _("%(v)s is not active: inactive versions are not offered to cases.")
            % {"v": ", ".join(inactive)}
        )
    if base is not None and base.code in codes:
        messages.append(_("%(v)s is already the base version; pin it once.") % {"v": base.code})
    chosen = [found[code] for code in dict.fromkeys(codes) if code in found]
    return chosen, messages


def pin_versions(case: Case, versions: list[CatalogVersion], actor) -> None:
    """Pin `versions` besides the case's base version (a new case, before its answers)."""
    rows = [
        CaseCatalog(case=case, version=version, position=position)
        for position, version in enumerate(versions, start=1)
    ]
    if rows:
        bulk_create_with_history(rows, CaseCatalog, default_user=actor)


def create_answers(case: Case, versions: list[CatalogVersion], actor) -> int:
    """One unanswered answer per item the pinned `versions` ask (a code asked once)."""
    answers = [ChecklistAnswer(case=case, item=item) for item in selectors.pinned_items(versions)]
    bulk_create_with_history(answers, ChecklistAnswer, default_user=actor)
    return len(answers)


def _check_revision(case: Case, expected_version: int | None) -> None:
    if expected_version is None or expected_version == case.catalog_revision:
        return
    raise StaleVersion(
        _(
            "Someone else changed the catalogues of %(ref)s after you loaded them (you had "
            "revision %(yours)d, it is now revision %(now)d). Nothing was changed: look at "
            "the preview again."
        )
        % {"ref": case.reference, "yours": expected_version, "now": case.catalog_revision},
        current=case,
    )


@records_refusals("case.catalogues_upgraded", keep=("catalog_version", "supplements"))
@transaction.atomic
def upgrade_catalogues(
    actor,
    case: Case,
    *,
    catalog_version: str | None = None,
    supplements: list[str] | None = None,
    expected_version: int | None = None,
    dry_run: bool = False,
) -> selectors.UpgradePlan:
    """Move an open case (draft or assessing) to other catalogue versions: a newer base
    version (`catalog_version`; None keeps the current one) and the versions besides it
    (`supplements` replaces them; None keeps the current ones).

    Answers carry over as `selectors.upgrade_plan` says; nothing answered is lost. With
    `dry_run`, nothing is written and the plan is the preview. `expected_version` is the
    case's `catalog_revision` the request was based on (StaleVersion when another upgrade came
    first). Recorded in history and as the audit event `case.catalogues_upgraded`, with what
    carried over and what was orphaned."""
    require_role(actor, *permissions.CATALOGUE_UPGRADERS, action=_("upgrade case catalogues"))
    case = lock_case(case)
    require_editable(case)
    current = selectors.pinned_versions(case)
    if supplements is None:
        supplements = [version.code for version in current[1:]]
    base, extra = choose_versions(catalog_version or current[0].code, supplements, keep=current)
    if base.published_on < current[0].published_on:
        raise ServiceValidationError(
            {
                "catalog_version": _(
                    "Cases move to newer versions only: %(v)s is older than %(current)s."
                )
                % {"v": base.code, "current": current[0].code}
            }
        )
    _check_revision(case, expected_version)
    plan = selectors.upgrade_plan(case, [base, *extra])
    if not plan.changes:
        raise ServiceValidationError(
            {"__all__": _("%(ref)s already pins exactly these versions.") % {"ref": case.reference}}
        )
    if dry_run:
        return plan
    _apply(actor, case, plan, base, extra)
    return plan


def _apply(actor, case: Case, plan, base, extra) -> None:
    now = timezone.now()
    pins = {pin.version_id: pin for pin in CaseCatalog.objects.filter(case=case)}
    for version_id, pin in pins.items():
        if version_id not in {v.pk for v in extra}:
            pin._history_user = actor
            pin.delete()
    for position, version in enumerate(extra, start=1):
        pin = pins.get(version.pk) or CaseCatalog(case=case, version=version)
        if pin.pk is None or pin.position != position:
            pin.position = position
            save_as(pin, actor, reason="catalogues upgraded")
    case.catalog_version = base
    case.catalog_revision += 1
    save_as(case, actor, reason="catalogues upgraded")
    case.__dict__.pop(selectors.PINNED_VERSIONS, None)
    for answer in plan.leaving:
        answer.retired_at = now
        save_as(answer, actor, reason="item left the case's catalogues")
    for answer in plan.restored:
        answer.retired_at = None
        save_as(answer, actor, reason="item asked again")
    for carry in plan.carried:
        source = carry.source
        answer = ChecklistAnswer(
            case=case,
            item=carry.item,
            value=source.value,
            note=source.note,
            answered_by=source.answered_by,
            answered_at=source.answered_at,
            carried_from=source,
        )
        save_as(answer, actor, reason=f"carried over from {source.item.code}")
        evidence = list(source.evidence.all())
        if evidence:
            answer.evidence.add(*evidence)
    if plan.added:
        new = [ChecklistAnswer(case=case, item=item) for item in plan.added]
        bulk_create_with_history(new, ChecklistAnswer, default_user=actor)
    details = plan.as_dict()
    case_event(
        actor,
        "case.catalogues_upgraded",
        case,
        f"{case.reference} moved from {', '.join(plan.current_codes)} to "
        f"{', '.join(plan.target_codes)}: "
        f"{len(plan.carried)} answer(s) carried over, {len(plan.orphaned)} kept from an "
        f"earlier version, {len(plan.added)} new item(s)",
        revision=case.catalog_revision,
        **details,
    )
