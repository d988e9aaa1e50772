"""Web pages for HR, reviewers and compliance.

Views stay thin: they read through `cases.selectors`, write through `cases.services`, and turn the
services' errors into form errors or plain messages. Every action ends with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.errors import (
    InvalidTransition,
    ServiceError,
    ServiceValidationError,
    StaleVersion,
    Unavailable,
    error_text,
)
from common.http import attachment_response
from common.web import is_htmx, paginate, safe_next

from . import permissions, selectors, services, timeline
from .access import case_page, posts_need, reader_page
from .forms import (
    CandidateFactsForm,
    CaseFilterForm,
    CatalogueChoiceForm,
    EvidenceUploadForm,
    FindingAcceptForm,
    FindingDismissForm,
    HistoryFormSet,
    ProfileFormSet,
    RevealForm,
    SignOffForm,
    WithdrawEvidenceForm,
    add_service_errors,
    formset_rows,
    history_rows,
    profile_rows,
    show_stale_rows,
)
from .models import (
    VALUES_BY_KIND,
    VALUES_NEEDING_NOTE,
    AnswerValue,
    Candidate,
    Case,
    ChecklistAnswer,
    Evidence,
)

ACTION_LABELS = {
    "start_assessment": gettext_lazy("Start the assessment"),
    "submit": gettext_lazy("Submit for review"),
    "close_cleared": gettext_lazy("Close as cleared"),
    "start_review": gettext_lazy("Start the review"),
    "approve": gettext_lazy("Approve (clear)"),
    "reject": gettext_lazy("Reject"),
    "refer": gettext_lazy("Refer to authorities"),
    "return": gettext_lazy("Return for more work"),
    "reopen": gettext_lazy("Reopen"),
}
ACTION_DONE = {
    "start_assessment": gettext_lazy("Assessment of %(ref)s started."),
    "submit": gettext_lazy("%(ref)s was submitted; its risk was snapshotted."),
    "close_cleared": gettext_lazy("%(ref)s was closed as cleared."),
    "start_review": gettext_lazy("You are now reviewing %(ref)s."),
    "approve": gettext_lazy("%(ref)s was approved (cleared)."),
    "reject": gettext_lazy("%(ref)s was rejected."),
    "refer": gettext_lazy("%(ref)s was referred to the authorities."),
    "return": gettext_lazy("%(ref)s was returned to HR for more work."),
    "reopen": gettext_lazy("%(ref)s was reopened."),
}
SIGN_OFF_ACTIONS = ("approve", "reject", "refer", "return")


def _item_titles(case: Case, language: str) -> dict[str, str]:
    return {a.item.code: a.item.localized_title(language) for a in selectors.answers_for(case)}


def _case_context(request, case: Case, tab: str, **extra) -> dict:
    """What every case page shows in its header and tabs."""
    progress = selectors.progress(case)
    return {
        "case": case,
        "candidate": case.candidate,
        "tab": tab,
        "progress": progress,
        "live_risk": _live_risk(case, progress),
        "can_edit": permissions.can_edit_case(request.user, case),
        "pinned_codes": selectors.pinned_version_codes(case),
        "evidence_count": case.evidence.filter(withdrawn_at__isnull=True).count(),
        **extra,
    }


# ---------------------------------------------------------------- dashboard and lists


@login_required
def dashboard(request):
    user = request.user
    if not permissions.can_read_cases(user):
        return render(request, "cases/no_case_role.html", status=200)
    distribution = selectors.risk_distribution(user)
    context = {
        "status_counts": selectors.status_counts(user),
        "risk_distribution": distribution,
        "risk_max": max(distribution.values(), default=0),
        "risk_total": sum(distribution.values()),
        "waiting_longest": selectors.waiting_longest(user),
        "my_open_cases": selectors.my_open_cases(user),
        "queue_counts": selectors.queue_counts(user),
    }
    return render(request, "cases/dashboard.html", context)


@reader_page
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(
            request, _("Some filters were not valid and were left out; see the marked fields.")
        )
    cases = selectors.case_list(request.user, **form.filters())
    page = paginate(request, cases)
    filtered = form.is_bound and any(v for k, v in request.GET.items() if k != "page")
    return render(request, "cases/list.html", {"form": form, "page": page, "filtered": filtered})


@reader_page
def review_queue(request):
    show = request.GET.get("show", "all")
    if show not in selectors.QUEUE_TABS:
        show = "all"
    cases = selectors.review_queue(request.user, show)
    counts = selectors.queue_counts(request.user)
    return render(
        request,
        "cases/review_queue.html",
        {"page": paginate(request, cases), "counts": counts, "show": show},
    )


# ---------------------------------------------------------------- opening a case and its facts


def _row_formsets(candidate: Candidate | None, data=None):
    profiles = ProfileFormSet(
        data, prefix="profiles", initial=profile_rows(candidate) if candidate else None
    )
    history = HistoryFormSet(
        data, prefix="history", initial=history_rows(candidate) if candidate else None
    )
    return profiles, history


def _candidate_forms(request, candidate: Candidate | None):
    data = request.POST if request.method == "POST" else None
    return (CandidateFactsForm(data, candidate=candidate), *_row_formsets(candidate, data))


def _candidate_data(form, profiles, history) -> dict:
    data = form.service_data()
    data["profiles"] = formset_rows(profiles, "url_or_handle")
    data["history"] = formset_rows(history, "organisation")
    return data


def _add_row_errors(formset, errors: dict, key: str) -> None:
    # Row-level problems from the service belong above the rows they describe.
    for message in errors.pop(key, []):
        formset._non_form_errors = formset.non_form_errors() + [message]


def _catalogue_form(request, initial: dict) -> CatalogueChoiceForm:
    data = request.POST if request.method == "POST" else None
    return CatalogueChoiceForm(data, versions=selectors.active_versions(), initial=initial)


def _default_pinning() -> dict:
    """What the open-case form ticks: the default base version and the default supplements."""
    try:
        base, supplements = services.choose_versions(None, None)
    except ServiceError:
        return {}
    return {"catalog_version": base.code, "supplements": [v.code for v in supplements]}


@reader_page
def case_new(request):
    if not permissions.can_open_cases(request.user):
        raise PermissionDenied(_("Only HR users may open cases."))
    form, profiles, history = _candidate_forms(request, None)
    catalogues = _catalogue_form(request, _default_pinning())
    forms = (form, profiles, history, catalogues)
    if request.method == "POST" and all(f.is_valid() for f in forms):
        data = {**_candidate_data(form, profiles, history), **catalogues.service_data()}
        try:
            case = services.open_case(request.user, data)
        except ServiceValidationError as exc:
            errors = dict(exc.errors)
            _add_row_errors(profiles, errors, "profiles")
            _add_row_errors(history, errors, "history")
            for name in ("catalog_version", "supplements"):
                for message in errors.pop(name, []):
                    catalogues.add_error(name, message)
            add_service_errors(form, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Case %(ref)s opened. Next: answer the checklist.") % {"ref": case.reference},
            )
            return redirect("case_checklist", reference=case.reference)
    if request.method == "POST":
        messages.error(request, _("The case was not opened: correct the marked fields."))
    return render(
        request,
        "cases/new.html",
        {"form": form, "profiles": profiles, "history": history, "catalogues": catalogues},
        status=400 if request.method == "POST" else 200,
    )


def _render_candidate(request, case, forms=None, *, revealed=None, reveal_form=None, status=200):
    form, profiles, history = forms or _candidate_forms(request, case.candidate)
    context = _case_context(
        request,
        case,
        "candidate",
        form=form,
        profiles=profiles,
        history=history,
        linked=selectors.linked_cases(case),
        legacy_countries=selectors.legacy_country_texts(case.candidate),
        can_reveal=permissions.can_reveal_numbers(request.user),
        sensitive_fields=[
            ("account_number", _("Account number"), case.candidate.masked_account_number),
            (
                "identity_document_number",
                _("Identity document number"),
                case.candidate.masked_identity_document_number,
            ),
        ],
        revealed=revealed or {},
        reveal_form=reveal_form,
    )
    response = render(request, "cases/candidate.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@case_page
@posts_need(permissions.CASE_EDITORS, gettext_lazy("edit candidate facts"))
def case_candidate(request, case):
    if request.method != "POST":
        return _render_candidate(request, case)
    if not permissions.can_edit_case(request.user, case):
        messages.error(
            request,
            _("The facts of %(ref)s cannot be changed now (status: %(status)s).")
            % {"ref": case.reference, "status": case.get_status_display()},
        )
        return redirect("case_candidate", reference=case.reference)
    form, profiles, history = forms = _candidate_forms(request, case.candidate)
    if all(f.is_valid() for f in forms):
        try:
            services.update_candidate(
                request.user,
                case,
                _candidate_data(*forms),
                expected_version=form.expected_version,
            )
        except StaleVersion as exc:
            current = Candidate.objects.get(pk=case.candidate_id)
            form.show_stale(exc, current)
            show_stale_rows(profiles, profile_rows(current), "url_or_handle")
            show_stale_rows(history, history_rows(current), "organisation")
        except ServiceValidationError as exc:
            errors = dict(exc.errors)
            _add_row_errors(profiles, errors, "profiles")
            _add_row_errors(history, errors, "history")
            add_service_errors(form, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Candidate facts saved."))
            links = selectors.linked_cases(case)
            if links:
                messages.warning(
                    request,
                    _("This candidate shares identifiers with %(n)d other case(s).")
                    % {"n": len(links)},
                )
            return redirect("case_candidate", reference=case.reference)
    messages.error(request, _("Nothing was saved: correct the marked fields."))
    return _render_candidate(request, case, forms, status=400)


@require_POST
@case_page
def case_reveal(request, case):
    form = RevealForm(request.POST)
    blank_forms = (CandidateFactsForm(candidate=case.candidate), *_row_formsets(case.candidate))
    if not form.is_valid():
        messages.error(request, _("Say why you need to see the number."))
        return _render_candidate(request, case, blank_forms, reveal_form=form, status=400)
    field_name = form.cleaned_data["field"]
    try:
        value = services.reveal_sensitive(
            request.user, case, field_name, form.cleaned_data["reason"]
        )
    except ServiceValidationError as exc:
        add_service_errors(form, exc.errors)
        messages.error(request, error_text(exc))
        return _render_candidate(request, case, blank_forms, reveal_form=form, status=400)
    except ServiceError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.info(
        request,
        _("The number is shown once below; your reason was recorded in the audit log."),
    )
    return _render_candidate(request, case, blank_forms, revealed={field_name: value})


# ---------------------------------------------------------------- overview, actions, review


def _live_risk(case: Case, progress):
    """The live risk while the answers can still change (or nothing was snapshotted), once every
    item is answered; None otherwise."""
    if case.risk_snapshot and not case.is_editable:
        return None
    return selectors.live_risk(case, progress)


def _action_buttons(user, case: Case, only=None, assessors=None) -> list[dict]:
    result = []
    for action in services.allowed_actions(user, case, assessors):
        if only is not None and action not in only:
            continue
        result.append(
            {
                "name": action,
                "label": ACTION_LABELS[action],
                "needs_note": services.TRANSITIONS[action].needs_note,
                "roles": services.TRANSITIONS[action].roles,
            }
        )
    return result


@case_page
def case_detail(request, case):
    return _render_detail(request, case)


def _render_detail(request, case, failed=None, status=200):
    # Read once for the buttons and the findings' forms (the four-eyes rule needs both).
    assessors = selectors.assessor_ids(case)
    actions = _action_buttons(
        request.user,
        case,
        only=[a for a in ACTION_LABELS if a not in SIGN_OFF_ACTIONS],
        assessors=assessors,
    )
    offered = any(action["name"] == "close_cleared" for action in actions)
    context = _case_context(
        request,
        case,
        "overview",
        snapshot=case.risk_snapshot,
        close_refusals=[] if offered else services.why_user_may_not_close(request.user, case),
        linked=selectors.linked_cases(case),
        actions=actions,
        signoffs=case.signoffs.select_related("reviewer"),
        unanswered=selectors.unanswered_items(case)[:5] if case.is_editable else [],
        item_titles=_item_titles(case, request.LANGUAGE_CODE),
        signals=selectors.finding_rows(case, request.user, assessors=assessors),
        failed=failed,
        here=reverse("case_detail", args=[case.reference]),
        can_upgrade=permissions.can_upgrade_catalogues(request.user, case),
    )
    return render(request, "cases/detail.html", context, status=status)


@require_POST
@case_page
def case_action(request, case):
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    default = reverse("case_detail", args=[case.reference])
    try:
        services.perform_action(request.user, case, action, note)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        done = ACTION_DONE.get(action)
        if done:
            messages.success(request, done % {"ref": case.reference})
    return redirect(safe_next(request, default))


@case_page
@posts_need(permissions.REVIEWERS, gettext_lazy("sign off cases"))
def case_review(request, case):
    user = request.user
    form = SignOffForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            action = form.cleaned_data["action"]
            try:
                services.perform_action(user, case, action, form.cleaned_data["note"])
            except ServiceValidationError as exc:
                add_service_errors(form, exc.errors, fallback_fields=("note",))
                messages.error(request, error_text(exc))
            except ServiceError as exc:
                form.add_error(None, exc.message)
                messages.error(request, exc.message)
            else:
                messages.success(request, ACTION_DONE[action] % {"ref": case.reference})
                return redirect("case_review", reference=case.reference)
        else:
            messages.error(request, _("The decision was not recorded: correct the marked fields."))
        status = 400
        case.refresh_from_db()
    return _render_review(request, case, form, status=status)


def _render_review(request, case, form=None, failed=None, status=200):
    user = request.user
    assessors = selectors.assessor_ids(case)
    allowed = services.allowed_actions(user, case, assessors)
    linked = selectors.linked_cases(case)
    context = _case_context(
        request,
        case,
        "review",
        form=form if form is not None else SignOffForm(),
        is_assessor=permissions.is_assessor(user, case, assessors),
        can_start=("start_review" in allowed),
        can_assign=permissions.can_assign_reviewer(user, case),
        reviewer_choices=selectors.reviewer_choices(case),
        can_sign=any(a in allowed for a in SIGN_OFF_ACTIONS),
        snapshot=case.risk_snapshot,
        signoffs=case.signoffs.select_related("reviewer"),
        findings=selectors.findings(case, links=linked),
        signals=selectors.finding_rows(case, user, assessors=assessors),
        failed=failed,
        here=reverse("case_review", args=[case.reference]),
        linked=linked,
        item_titles=_item_titles(case, request.LANGUAGE_CODE),
    )
    return render(request, "cases/review.html", context, status=status)


@require_POST
@case_page
@posts_need(permissions.REVIEW_ASSIGNERS, gettext_lazy("assign reviewers"))
def case_assign(request, case):
    username = request.POST.get("reviewer", "").strip()
    try:
        case = services.assign_reviewer_named(request.user, case, username)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        reviewer = case.reviewer
        if reviewer is None:
            messages.success(request, _("%(ref)s has no reviewer now.") % {"ref": case.reference})
        else:
            messages.success(
                request,
                _("%(ref)s was assigned to %(who)s.")
                % {"ref": case.reference, "who": reviewer.get_full_name() or username},
            )
    return redirect("case_review", reference=case.reference)


# ---------------------------------------------------------------- checklist


def _answer(case: Case, code: str) -> ChecklistAnswer:
    answer = selectors.answers_for(case).filter(item__code=code).first()
    if answer is None:
        raise Http404(_("No such checklist item."))
    return answer


def _choices_for(answer: ChecklistAnswer) -> list[tuple[str, str, bool]]:
    return [
        (value, AnswerValue(value).label, value in VALUES_NEEDING_NOTE)
        for value in VALUES_BY_KIND[answer.item.kind]
    ]


def _citations(item) -> list[dict]:
    """An item's citations as the checklist shows them (a quotation under either key)."""
    return [
        {
            "issuer": c.get("issuer", ""),
            "title": c.get("title", ""),
            "date": c.get("date", ""),
            "url": c.get("url", ""),
            "quote": c.get("quote") or c.get("quotation") or "",
        }
        for c in item.citations or []
        if isinstance(c, dict)
    ]


def _item_context(
    answer, *, errors=None, posted=None, upload_errors=None, suggestions=(), failed=None
) -> dict:
    # Templates cannot read "__all__": the item's general errors are shown as "general".
    errors = {
        ("general" if key == "__all__" else key): value for key, value in (errors or {}).items()
    }
    return {
        "answer": answer,
        "item": answer.item,
        "citations": _citations(answer.item),
        "choices": _choices_for(answer),
        "errors": errors,
        "posted": posted,
        "upload_errors": upload_errors or [],
        "evidence": [e for e in answer.evidence.all() if not e.is_withdrawn],
        "suggestions": suggestions,
        "failed": failed,
    }


@case_page
def case_checklist(request, case):
    return _render_checklist(request, case)


def _render_checklist(request, case, item_errors=None, status=200, failed=None):
    item_errors = item_errors or {}
    suggestions = selectors.suggestions_by_item(case, request.user)
    catalogues = []
    for catalogue in selectors.checklist_by_catalogue(case):
        anchor = slugify(catalogue.version.code)
        sections = [
            {
                "id": f"cat-{anchor}-{section.section}",
                "section": section.section,
                "label": section.label,
                "answered": sum(1 for a in section.answers if a.value),
                "items": [
                    _item_context(
                        a,
                        suggestions=suggestions.get(a.item.code, ()),
                        failed=failed,
                        **item_errors.get(a.item.code, {}),
                    )
                    for a in section.answers
                ],
            }
            for section in catalogue.sections
        ]
        catalogues.append(
            {
                "id": f"catalogue-{anchor}",
                "version": catalogue.version,
                "is_base": catalogue.version.pk == case.catalog_version_id,
                "sections": sections,
                "answered": catalogue.answered,
                "total": len(catalogue.answers),
            }
        )
    context = _case_context(
        request,
        case,
        "checklist",
        catalogues=catalogues,
        earlier=list(selectors.earlier_answers(case)),
        can_upgrade=permissions.can_upgrade_catalogues(request.user, case),
    )
    return render(request, "cases/checklist.html", context, status=status)


def _item_response(request, case, answer, status=200, **item_kwargs):
    """After saving one item: the item fragment (htmx) or back to the checklist (plain POST)."""
    if is_htmx(request):
        case.refresh_from_db()  # the service may have moved it on (draft → assessing)
        suggestions = selectors.suggestions_by_item(case, request.user).get(answer.item.code, ())
        item = _item_context(answer, suggestions=suggestions, **item_kwargs)
        context = _case_context(request, case, "checklist", **item)
        return render(request, "cases/_checklist_item_response.html", context, status=status)
    if item_kwargs.get("errors") or item_kwargs.get("upload_errors"):
        return _render_checklist(
            request, case, item_errors={answer.item.code: item_kwargs}, status=400
        )
    url = reverse("case_checklist", args=[case.reference])
    return redirect(f"{url}#item-{answer.item.code}")


@require_POST
@case_page
@posts_need(permissions.CASE_EDITORS, gettext_lazy("answer checklist items"))
def case_answer(request, case, code):
    answer = _answer(case, code)
    value, note = request.POST.get("value", ""), request.POST.get("note", "")
    version = request.POST.get("version", "")
    # The answer's version the form was filled in from; anything else checks nothing.
    version = (
        int(version) if version.isascii() and version.isdigit() and len(version) < 10 else None
    )
    try:
        services.answer_item(
            request.user,
            case,
            code,
            value,
            note,
            expected_version=version,
        )
    except StaleVersion as exc:
        # Their input stays in the form; the message and the stored answer say what changed.
        current = exc.current
        stored = AnswerValue(current.value).label if current.value else _("unanswered")
        message = _("%(why)s Now saved: %(value)s%(note)s.") % {
            "why": exc.message,
            "value": stored,
            "note": f" — “{current.note}”" if current.note else "",
        }
        messages.error(request, _("%(code)s was not saved.") % {"code": code})
        return _item_response(
            request,
            case,
            _answer(case, code),
            status=200 if is_htmx(request) else 400,
            errors={"__all__": [message]},
            posted={"value": value, "note": note},
        )
    except ServiceValidationError as exc:
        messages.error(
            request, _("%(code)s was not saved: %(why)s") % {"code": code, "why": error_text(exc)}
        )
        return _item_response(
            request,
            case,
            answer,
            status=200 if is_htmx(request) else 400,
            errors=exc.errors,
            posted={"value": value, "note": note},
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _item_response(request, case, answer, errors={"__all__": [exc.message]})
    messages.success(
        request, _("%(code)s saved: %(value)s.") % {"code": code, "value": AnswerValue(value).label}
    )
    return _item_response(request, case, _answer(case, code))


@require_POST
@case_page
@posts_need(permissions.CASE_EDITORS, gettext_lazy("upload evidence"))
def case_item_evidence(request, case, code):
    answer = _answer(case, code)
    uploaded = request.FILES.get("file")
    try:
        evidence = services.upload_evidence(
            request.user, case, uploaded, request.POST.get("description", ""), [code]
        )
    except ServiceError as exc:
        messages.error(request, _("The file was not uploaded: %(why)s") % {"why": error_text(exc)})
        return _item_response(request, case, answer, upload_errors=[error_text(exc)])
    messages.success(
        request,
        _("%(name)s uploaded and linked to %(code)s.")
        % {"name": evidence.original_name, "code": code},
    )
    _say_download_name(request, evidence)
    return _item_response(request, case, _answer(case, code))


# ---------------------------------------------------------------- catalogues of a case


def _proposed_pinning(case: Case, pinned) -> dict:
    """What the upgrade form proposes: the default base version when it is newer than the
    case's, and the case's other versions plus the default supplements."""
    base = pinned[0]
    defaults = _default_pinning()
    default_base = next(
        (v for v in selectors.active_versions() if v.code == defaults.get("catalog_version")),
        None,
    )
    if default_base is not None and default_base.published_on > base.published_on:
        base = default_base
    codes = [v.code for v in pinned[1:]] + defaults.get("supplements", [])
    return {
        "catalog_version": base.code,
        "supplements": [code for code in dict.fromkeys(codes) if code != base.code],
    }


def _upgrade_bases(versions, pinned) -> list:
    """The base versions the upgrade form offers: active ones no older than the case's."""
    return [v for v in versions if v.kind == "base" and v.published_on >= pinned[0].published_on]


def _posted_revision(request) -> int | None:
    value = request.POST.get("expected_version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@case_page
@posts_need(permissions.CATALOGUE_UPGRADERS, gettext_lazy("upgrade case catalogues"))
def case_catalogues(request, case):
    """The catalogues a case asks, and (for HR, while the case is open) moving it to newer
    versions: a preview of what carries over and what stays from an earlier version, then
    the upgrade."""
    pinned = selectors.pinned_versions(case)
    can_upgrade = permissions.can_upgrade_catalogues(request.user, case)
    versions = selectors.active_versions()
    versions += [v for v in pinned if v not in versions]  # pinned, then made inactive
    form = CatalogueChoiceForm(
        request.POST if request.method == "POST" else None,
        versions=versions,
        bases=_upgrade_bases(versions, pinned),
        initial=_proposed_pinning(case, pinned),
    )
    plan, status = None, 200
    if request.method == "POST":
        confirm = request.POST.get("step") == "confirm"
        if form.is_valid():
            try:
                plan = services.upgrade_catalogues(
                    request.user,
                    case,
                    **form.service_data(),
                    expected_version=_posted_revision(request),
                    dry_run=not confirm,
                )
            except StaleVersion as exc:
                messages.error(request, exc.message)
                return redirect("case_catalogues", reference=case.reference)
            except ServiceValidationError as exc:
                add_service_errors(form, exc.errors)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect("case_catalogues", reference=case.reference)
            else:
                if confirm:
                    messages.success(
                        request,
                        _(
                            "%(ref)s now asks %(versions)s: %(carried)d answer(s) carried "
                            "over, %(orphaned)d kept from an earlier version, %(added)d new "
                            "item(s) to answer."
                        )
                        % {
                            "ref": case.reference,
                            "versions": ", ".join(v.code for v in plan.target),
                            "carried": len(plan.carried),
                            "orphaned": len(plan.orphaned),
                            "added": len(plan.added),
                        },
                    )
                    return redirect("case_checklist", reference=case.reference)
        if plan is None:
            messages.error(request, _("Nothing was changed: correct the marked fields."))
            status = 400
    context = _case_context(
        request,
        case,
        "checklist",
        pinned=pinned,
        form=form,
        plan=plan,
        can_upgrade=can_upgrade,
        earlier=list(selectors.earlier_answers(case)),
    )
    return render(request, "cases/catalogues.html", context, status=status)


# ---------------------------------------------------------------- findings (signals)

FINDING_DONE = {
    "accept": gettext_lazy("Finding %(check)s accepted."),
    "dismiss": gettext_lazy("Finding %(check)s dismissed."),
}
FINDING_NOT_DONE = {
    "accept": gettext_lazy("Finding %(check)s was not accepted: %(why)s"),
    "dismiss": gettext_lazy("Finding %(check)s was not dismissed: %(why)s"),
}


def _finding_page(request, case, finding) -> str:
    """Where a finding's form was posted from: "item" (the checklist item, by htmx),
    "checklist", "review" or "overview" (from the posted `next`)."""
    code = finding.suggests_item_code
    if code and is_htmx(request) and request.headers.get("HX-Target") == f"item-{code}":
        return "item"
    target = safe_next(request, "").split("#")[0]
    for page, name in (("checklist", "case_checklist"), ("review", "case_review")):
        if target == reverse(name, args=[case.reference]):
            return page
    return "overview"


def _decide_finding(request, case, finding_id: int, kind: str, form_class, decide):
    """Accept or dismiss one finding through the service; then back where the form was, with a
    message. A form error shows the page again with the form marked (400); a refusal (the
    four-eyes rule, a decided finding, a closed case) is a message."""
    finding = get_object_or_404(selectors.findings_for(case), pk=finding_id)
    page = _finding_page(request, case, finding)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            decide(request.user, finding, form.cleaned_data["note"])
        except ServiceValidationError as exc:
            add_service_errors(form, exc.errors)
        except ServiceError as exc:
            messages.error(
                request, FINDING_NOT_DONE[kind] % {"check": finding.check_code, "why": exc.message}
            )
            return _after_finding(request, case, finding, page)
        else:
            messages.success(request, FINDING_DONE[kind] % {"check": finding.check_code})
            return _after_finding(request, case, finding, page)
    why = " ".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(request, FINDING_NOT_DONE[kind] % {"check": finding.check_code, "why": why})
    failed = {"id": finding.pk, "kind": kind, "form": form}
    if page == "item":
        return _item_response(
            request, case, _answer(case, finding.suggests_item_code), failed=failed
        )
    if page == "checklist":
        return _render_checklist(request, case, failed=failed, status=400)
    if page == "review":
        return _render_review(request, case, failed=failed, status=400)
    return _render_detail(request, case, failed=failed, status=400)


def _after_finding(request, case, finding, page):
    if page == "item":
        return _item_response(request, case, _answer(case, finding.suggests_item_code))
    default = reverse("case_detail", args=[case.reference]) + "#signals-heading"
    return redirect(safe_next(request, default))


@require_POST
@case_page
@posts_need(permissions.FINDING_ACCEPTERS, gettext_lazy("accept findings"))
def case_finding_accept(request, case, finding_id):
    return _decide_finding(
        request, case, finding_id, "accept", FindingAcceptForm, services.accept_finding
    )


@require_POST
@case_page
@posts_need(permissions.FINDING_DISMISSERS, gettext_lazy("dismiss findings"))
def case_finding_dismiss(request, case, finding_id):
    return _decide_finding(
        request, case, finding_id, "dismiss", FindingDismissForm, services.dismiss_finding
    )


# ---------------------------------------------------------------- evidence


def _say_download_name(request, evidence: Evidence) -> None:
    """When the name does not say what the file holds, say under which name it comes back."""
    if evidence.download_name != evidence.original_name:
        messages.info(
            request,
            _("Its content is %(type)s, so it is downloaded as %(name)s.")
            % {"type": evidence.content_type, "name": evidence.download_name},
        )


def _item_choices(case: Case, language: str):
    return [(code, f"{code} — {title}") for code, title in _item_titles(case, language).items()]


@case_page
@posts_need(permissions.CASE_EDITORS, gettext_lazy("upload evidence"))
def case_evidence(request, case):
    form = EvidenceUploadForm(
        request.POST or None,
        request.FILES or None,
        item_choices=_item_choices(case, request.LANGUAGE_CODE),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                evidence = services.upload_evidence(
                    request.user,
                    case,
                    form.cleaned_data["file"],
                    form.cleaned_data["description"],
                    form.cleaned_data["answers"],
                )
            except ServiceValidationError as exc:
                add_service_errors(form, exc.errors)
            except Unavailable as exc:
                # Not the user's input: the file storage is down. Say so, and nothing else.
                form.add_error(None, exc.message)
                status = 503
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(name)s uploaded (SHA-256 %(hash)s…).")
                    % {"name": evidence.original_name, "hash": evidence.sha256[:12]},
                )
                _say_download_name(request, evidence)
                return redirect("case_evidence", reference=case.reference)
        if status != 503:
            messages.error(request, _("The file was not uploaded: correct the marked fields."))
            status = 400
    context = _case_context(
        request,
        case,
        "evidence",
        form=form,
        evidence_list=selectors.evidence_for(case),
        withdraw_form=WithdrawEvidenceForm(),
    )
    return render(request, "cases/evidence.html", context, status=status)


def _evidence(case: Case, evidence_id: int) -> Evidence:
    return get_object_or_404(Evidence, case=case, pk=evidence_id)


@case_page
def evidence_download(request, case, evidence_id):
    evidence = _evidence(case, evidence_id)
    try:
        services.record_evidence_download(request.user, evidence)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return redirect("case_evidence", reference=case.reference)
    return attachment_response(
        evidence.file,
        filename=evidence.download_name,
        content_type=evidence.content_type,
        sha256=evidence.sha256,
        size=evidence.size,
    )


@require_POST
@case_page
@posts_need(permissions.CASE_EDITORS, gettext_lazy("withdraw evidence"))
def evidence_withdraw(request, case, evidence_id):
    evidence = _evidence(case, evidence_id)
    form = WithdrawEvidenceForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.withdraw_evidence(request.user, evidence, reason)
    except ServiceError as exc:
        messages.error(
            request,
            _("%(name)s was not withdrawn: %(why)s")
            % {"name": evidence.original_name, "why": error_text(exc)},
        )
    else:
        messages.success(request, _("%(name)s withdrawn.") % {"name": evidence.original_name})
    return redirect("case_evidence", reference=case.reference)


# ---------------------------------------------------------------- history


@case_page
def case_history(request, case):
    who = request.GET.get("who", "")
    page = paginate(request, timeline.history_events(case, who))
    context = _case_context(
        request,
        case,
        "history",
        page=page,
        timeline=timeline.build_timeline(case, list(page.object_list)),
        people=timeline.history_people(case),
        who=who,
    )
    return render(request, "cases/history.html", context)
