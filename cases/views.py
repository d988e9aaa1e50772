"""Web pages for HR, reviewers and compliance.

Views stay thin: they read through `cases.selectors`, write through `cases.services`, and turn the
services' errors into form errors or plain messages. Every action ends with a message.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
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
from common.web import is_htmx, keyset_page, paginate, safe_next

from . import permissions, selectors, services, timeline
from .access import case_page, posts_need, reader_page
from .forms import (
    CandidateFactsForm,
    CaseFilterForm,
    CatalogueChoiceForm,
    CommentForm,
    EvidenceUploadForm,
    FindingAcceptForm,
    FindingDismissForm,
    HistoryFormSet,
    ProfileFormSet,
    RevealForm,
    SavedViewForm,
    SignOffForm,
    WithdrawEvidenceForm,
    add_service_errors,
    formset_rows,
    history_rows,
    posted_answer,
    posted_section,
    profile_rows,
    show_stale_rows,
    shown_unchecked,
    with_one_more_row,
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
    """What every case page shows in its header and tabs. `linked`, when the page lists the
    linked cases, also scores the header's live risk (its identifiers are looked up once)."""
    progress = selectors.progress(case)
    return {
        "case": case,
        "candidate": case.candidate,
        "tab": tab,
        "progress": progress,
        "live_risk": _live_risk(case, progress, extra.get("linked")),
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
    return render(request, "cases/dashboard.html", selectors.dashboard(user))


@reader_page
def case_list(request):
    views = list(selectors.saved_views(request.user))
    default = next((view for view in views if view.is_default), None)
    if not request.GET and default is not None and default.query:
        # Opened without filters: the user's default view ("?all=1" shows every case).
        return redirect(f"{reverse('case_list')}?{default.query}")
    form = CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(
            request, _("Some filters were not valid and were left out; see the marked fields.")
        )
    cases = selectors.list_rows(selectors.case_list(request.user, **form.filters()))
    page = keyset_page(request, cases, selectors.CASE_LIST_ORDER)
    filtered = form.is_bound and any(
        v for k, v in request.GET.items() if k not in ("after", "before", "page", "all")
    )
    context = {"form": form, "page": page, "filtered": filtered}
    context.update(_list_extras(request, views, default))
    return render(request, "cases/list.html", context)


def _list_extras(request, views, default) -> dict:
    """What the case list shows around the list: the user's saved views, the form saving the
    current one, and the bulk assignment of a reviewer (to users who may assign reviewers)."""
    current = selectors.clean_list_query(request.GET)
    bulk = permissions.may_assign_reviewers(request.user)
    return {
        "saved_views": views,
        "default_view": default,
        "current_query": current,
        "current_view": next((view for view in views if view.query == current), None),
        "save_view_form": SavedViewForm(),
        "bulk": bulk,
        "reviewers": selectors.active_reviewers() if bulk else [],
        "here": request.get_full_path(),
    }


@reader_page
def review_queue(request):
    show = request.GET.get("show", "all")
    if show not in selectors.QUEUE_TABS:
        show = "all"
    cases = selectors.list_rows(selectors.review_queue(request.user, show))
    counts = selectors.queue_counts(request.user)
    return render(
        request,
        "cases/review_queue.html",
        {
            "page": keyset_page(request, cases, selectors.QUEUE_ORDER),
            "counts": counts,
            "show": show,
        },
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


ROW_PREFIXES = ("profiles", "history")


def _adding_row(request, candidate: Candidate | None):
    """Without JavaScript, "Add another" posts the form back: the forms again as typed, with one
    more empty row and no errors; nothing is saved. None when the post is a save."""
    prefix = request.POST.get("add_row")
    if request.method != "POST" or prefix not in ROW_PREFIXES:
        return None
    data = with_one_more_row(request.POST, prefix)
    forms = (CandidateFactsForm(data, candidate=candidate), *_row_formsets(candidate, data))
    for form in forms:
        shown_unchecked(form)
    messages.info(request, _("One more empty row was added. Nothing is saved until you save."))
    return forms


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
    adding = _adding_row(request, None)
    if adding:
        form, profiles, history = adding
        context = {"form": form, "profiles": profiles, "history": history}
        return render(request, "cases/new.html", context)
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
    adding = _adding_row(request, case.candidate)
    if adding:
        return _render_candidate(request, case, adding)
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


def _live_risk(case: Case, progress, links=None):
    """The live risk while the answers can still change (or nothing was snapshotted), once every
    item is answered; None otherwise. `links`: `selectors.linked_cases(case)` when already read."""
    if case.risk_snapshot and not case.is_editable:
        return None
    return selectors.live_risk(case, progress, links)


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


def section_key(item) -> str:
    """What a section form posts as `section`: the catalogue version's code and the item's
    checklist section, so the sections of different catalogues never share a form."""
    return f"{item.version.code}:{item.checklist_section}"


def section_anchor(key: str) -> str:
    """A section key as a page id (CSS-safe: the ':' and any dot of a version code become '-')."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", key)


def section_form_id(key: str) -> str:
    """The id of the form that answers a section: each item's fields name it (form="…")."""
    return f"answers-{section_anchor(key)}"


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
        "form_id": section_form_id(section_key(answer.item)),
    }


def _section_context(section, *, suggestions, item_errors, failed=None) -> dict:
    """What `cases/_checklist_section.html` shows: the section's items by category, each with
    its errors and what was typed when a save refused it."""
    groups = [
        {
            "category": category,
            "items": [
                _item_context(
                    a,
                    suggestions=suggestions.get(a.item.code, ()),
                    failed=failed,
                    **item_errors.get(a.item.code, {}),
                )
                for a in answers
            ],
        }
        for category, answers in section.groups.items()
    ]
    answers = section.answers
    return {
        "key": section.form_key,
        "anchor": section_anchor(section.form_key),
        "label": section.label,
        "form_id": section_form_id(section.form_key),
        "groups": groups,
        "answered": sum(1 for a in answers if a.value),
        "total": len(answers),
        "has_errors": any(code in item_errors for code in (a.item.code for a in answers)),
    }


@case_page
def case_checklist(request, case):
    return _render_checklist(request, case)


def _render_checklist(request, case, item_errors=None, status=200, failed=None):
    item_errors = item_errors or {}
    suggestions = selectors.suggestions_by_item(case, request.user)
    catalogues = []
    for catalogue in selectors.checklist_by_catalogue(case):
        sections = [
            _section_context(s, suggestions=suggestions, item_errors=item_errors, failed=failed)
            for s in catalogue.sections
        ]
        catalogues.append(
            {
                "id": f"catalogue-{slugify(catalogue.version.code)}",
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
    refused = bool(item_kwargs.get("errors") or item_kwargs.get("upload_errors"))
    typed = _typed_elsewhere(request, case, answer.item.code)
    if typed:
        messages.info(
            request,
            _("What you chose in other items is not saved yet: save their section to keep it."),
        )
    if refused or typed:
        item_errors = {**typed, answer.item.code: item_kwargs} if refused else typed
        return _render_checklist(
            request, case, item_errors=item_errors, status=400 if refused else 200
        )
    url = reverse("case_checklist", args=[case.reference])
    return redirect(f"{url}#item-{answer.item.code}")


def _typed_elsewhere(request, case, code: str) -> dict:
    """Without JavaScript an item's own button posts its whole section's form: the other items'
    answers typed but not saved, to show again as typed (so nothing typed is lost)."""
    entries = [entry for entry in posted_section(request.POST) if entry.item_code != code]
    if not entries:
        return {}
    stored = {a.item.code: (a.value, a.note) for a in selectors.answers_for(case)}
    return {
        entry.item_code: {"posted": {"value": entry.value, "note": entry.note}}
        for entry in entries
        if (entry.value.strip(), entry.note.strip()) != stored.get(entry.item_code)
    }


def _stale_message(exc: StaleVersion) -> str:
    """A refused stale answer: why, and what is saved now (the form keeps what was typed)."""
    current = exc.current
    stored = AnswerValue(current.value).label if current.value else _("unanswered")
    return _("%(why)s Now saved: %(value)s%(note)s.") % {
        "why": exc.message,
        "value": stored,
        "note": f" — “{current.note}”" if current.note else "",
    }


@require_POST
@case_page
@posts_need(permissions.CASE_EDITORS, gettext_lazy("answer checklist items"))
def case_answer(request, case, code):
    answer = _answer(case, code)
    posted = posted_answer(request.POST, code)
    value, note = posted.value, posted.note
    try:
        services.answer_item(
            request.user,
            case,
            code,
            value,
            note,
            expected_version=posted.expected_version,
        )
    except StaleVersion as exc:
        # Their input stays in the form; the message and the stored answer say what changed.
        messages.error(request, _("%(code)s was not saved.") % {"code": code})
        return _item_response(
            request,
            case,
            _answer(case, code),
            status=200 if is_htmx(request) else 400,
            errors={"__all__": [_stale_message(exc)]},
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
@posts_need(permissions.CASE_EDITORS, gettext_lazy("answer checklist items"))
def case_answer_section(request, case):
    """Save a whole section of the checklist in one go (see `services.answer_section`): the
    valid items are saved, each refused item is shown again with what was typed and why."""
    answers = posted_section(request.POST)
    url = reverse("case_checklist", args=[case.reference])
    posted_key = request.POST.get("section", "")
    try:
        result = services.answer_section(request.user, case, answers)
    except ServiceError as exc:
        messages.error(request, _("Nothing was saved: %(why)s") % {"why": error_text(exc)})
        return redirect(url)
    item_errors = {}
    for entry in answers:
        code = entry.item_code
        if code in result.errors:
            errors = result.errors[code]
        elif code in result.conflicts:
            errors = {"__all__": [_stale_message(result.conflicts[code])]}
        else:
            continue
        item_errors[code] = {"errors": errors, "posted": {"value": entry.value, "note": entry.note}}
    if result.saved:
        messages.success(
            request,
            ngettext("%(n)d answer saved.", "%(n)d answers saved.", len(result.saved))
            % {"n": len(result.saved)},
        )
    elif not item_errors:
        messages.info(request, _("Nothing to save: the answers were already saved as they are."))
    if item_errors:
        messages.error(
            request,
            ngettext(
                "%(n)d item was not saved: see the marked item (what you typed is kept).",
                "%(n)d items were not saved: see the marked items (what you typed is kept).",
                len(item_errors),
            )
            % {"n": len(item_errors)},
        )
    if is_htmx(request):
        return _section_response(request, case, posted_key, item_errors)
    if item_errors:
        return _render_checklist(request, case, item_errors=item_errors, status=400)
    anchor = f"#section-{section_anchor(posted_key)}" if posted_key else ""
    return redirect(url + anchor)


def _section_response(request, case, posted_key: str, item_errors: dict):
    """The section again (htmx), with the progress, tabs, risk and messages out of band."""
    case.refresh_from_db()  # the service may have moved it on (draft → assessing)
    sections = {s.form_key: s for s in selectors.checklist_sections(case)}
    section = sections.get(posted_key)
    if section is None:  # not a section of this case's checklist: load the whole page
        return HttpResponse(
            headers={"HX-Redirect": reverse("case_checklist", args=[case.reference])}
        )
    suggestions = selectors.suggestions_by_item(case, request.user)
    context = _case_context(
        request,
        case,
        "checklist",
        section=_section_context(section, suggestions=suggestions, item_errors=item_errors),
    )
    return render(request, "cases/_checklist_section_response.html", context)


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


# ---------------------------------------------------------------- comments


def _say_ignored_mentions(request, comment) -> None:
    ignored = getattr(comment, "ignored_mentions", [])
    if ignored:
        messages.warning(
            request,
            _(
                "Not notified: %(names)s. Only active HR, reviewer and compliance users can be "
                "mentioned."
            )
            % {"names": ", ".join(f"@{name}" for name in ignored)},
        )


def _comment_anchor(case, comment) -> str:
    return reverse("case_comments", args=[case.reference]) + f"#comment-{comment.pk}"


@case_page
@posts_need(permissions.COMMENTERS, gettext_lazy("take part in case discussions"))
def case_comments(request, case):
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                comment = services.post_comment(request.user, case, form.cleaned_data["body"])
            except ServiceValidationError as exc:
                add_service_errors(form, exc.errors)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Comment posted."))
                _say_ignored_mentions(request, comment)
                return redirect(_comment_anchor(case, comment))
        messages.error(request, _("The comment was not posted: correct the marked field."))
        status = 200 if is_htmx(request) else 400  # htmx swaps only 2xx answers
    context = _case_context(
        request,
        case,
        "comments",
        form=form,
        thread=selectors.comment_thread(case, request.user),
        edit_minutes=settings.VETTING_COMMENT_EDIT_MINUTES,
    )
    return render(request, "cases/comments.html", context, status=status)


@case_page
@posts_need(permissions.COMMENTERS, gettext_lazy("take part in case discussions"))
def case_comment_edit(request, case, comment_id):
    comment = get_object_or_404(selectors.comments_for(case), pk=comment_id)
    refusal = permissions.why_not_comment_editor(request.user, comment)
    if refusal is not None:
        if request.method == "POST":
            try:  # refused again by the service, which records the attempt
                services.edit_comment(request.user, comment, request.POST.get("body", ""))
            except ServiceError as exc:
                refusal = exc
        messages.error(request, refusal.message)
        return redirect(_comment_anchor(case, comment))
    form = CommentForm(
        request.POST or None, initial={"body": comment.body, "version": comment.version}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                comment = services.edit_comment(
                    request.user,
                    comment,
                    form.cleaned_data["body"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion as exc:
                form.add_error(
                    "body",
                    _("%(why)s The comment now reads: “%(text)s”")
                    % {"why": exc.message, "text": exc.current.body},
                )
                form.data = form.data.copy()
                form.data["version"] = exc.current.version
            except ServiceValidationError as exc:
                add_service_errors(form, exc.errors)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect(_comment_anchor(case, comment))
            else:
                messages.success(
                    request, _("Comment saved; the earlier text stays in its history.")
                )
                _say_ignored_mentions(request, comment)
                return redirect(_comment_anchor(case, comment))
        messages.error(request, _("The comment was not saved: correct the marked field."))
        status = 400
    context = _case_context(
        request,
        case,
        "comments",
        form=form,
        comment=comment,
        editable_until=permissions.comment_edit_deadline(comment),
    )
    return render(request, "cases/comment_edit.html", context, status=status)


# ---------------------------------------------------------------- saved views of the case list


def _list_url(query: str = "") -> str:
    return reverse("case_list") + (f"?{query}" if query else "")


@reader_page
def saved_views(request):
    """The user's saved views (rename, default, delete); a POST saves the list's current view."""
    form = SavedViewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        query = request.POST.get("query", "")
        if form.is_valid():
            try:
                view = services.save_view(
                    request.user,
                    name=form.cleaned_data["name"],
                    params=QueryDict(query),
                    is_default=form.cleaned_data["is_default"],
                )
            except ServiceValidationError as exc:
                add_service_errors(form, exc.errors)
            else:
                messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
                return redirect(_list_url(view.query))
        messages.error(request, _("The view was not saved: correct the marked field."))
        status = 400
    views = [
        (
            view,
            SavedViewForm(
                initial={"name": view.name, "is_default": view.is_default}, prefix=f"view-{view.pk}"
            ),
        )
        for view in selectors.saved_views(request.user)
    ]
    return render(
        request,
        "cases/saved_views.html",
        {
            "form": form,
            "views": views,
            "query": request.POST.get("query", "") if request.method == "POST" else "",
        },
        status=status,
    )


def _saved_view(request, view_id: int):
    """One of the user's saved views; anyone else's is not found."""
    return get_object_or_404(selectors.saved_views(request.user), pk=view_id)


@require_POST
@reader_page
def saved_view_change(request, view_id):
    view = _saved_view(request, view_id)
    form = SavedViewForm(request.POST, prefix=f"view-{view.pk}")
    if form.is_valid():
        try:
            view = services.change_view(
                request.user,
                view,
                name=form.cleaned_data["name"],
                is_default=form.cleaned_data["is_default"],
            )
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    else:
        why = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("The view was not changed: %(why)s") % {"why": why})
    return redirect("saved_views")


@require_POST
@reader_page
def saved_view_delete(request, view_id):
    view = _saved_view(request, view_id)
    services.delete_view(request.user, view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("saved_views")


# ---------------------------------------------------------------- bulk assignment of a reviewer


@require_POST
@reader_page
@posts_need(permissions.REVIEW_ASSIGNERS, gettext_lazy("assign reviewers"))
def case_bulk_assign(request):
    back = safe_next(request, reverse("case_list"))
    try:
        results = services.assign_reviewer_to_cases(
            request.user, request.POST.getlist("case"), request.POST.get("reviewer", "")
        )
    except ServiceError as exc:
        messages.error(request, _("Nobody was assigned: %(why)s") % {"why": error_text(exc)})
        return redirect(back)
    assigned = sum(1 for result in results if result.assigned)
    if assigned:
        messages.success(
            request,
            _("%(n)d of %(total)d cases assigned.") % {"n": assigned, "total": len(results)},
        )
    if assigned < len(results):
        messages.error(
            request,
            _("%(n)d of %(total)d cases were not assigned; see why below.")
            % {"n": len(results) - assigned, "total": len(results)},
        )
    return render(
        request,
        "cases/bulk_assign.html",
        {"results": results, "back": back, "reviewer": request.POST.get("reviewer", "")},
    )
