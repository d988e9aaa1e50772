"""Web pages for retention: periods, the due list, holds, purges, subject access, the privacy
notice and the key status. Thin: role, input, one service, message, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions
from cases.access import case_page, reader_page
from common.errors import ServiceError, error_text
from common.http import mark_as_download
from common.web import paginate, safe_next

from . import selectors, services
from .forms import HoldForm, PolicyForm, ReasonForm
from .models import LegalHold


def _require_manager(request) -> None:
    if not permissions.can_manage_retention(request.user):
        raise PermissionDenied(_("Only compliance users may manage retention."))


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    """Compliance: the retention period of each final state."""
    _require_manager(request)
    form = PolicyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_retention_period(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Retention period saved."))
                return redirect("retention:policy")
        status = 400
    context = {"form": form, "rows": selectors.policy_rows(), "grace": services.grace().days}
    return render(request, "retention/policy.html", context, status=status)


@login_required
def due(request):
    """Compliance: cases past retention, when each will be purged, which are held."""
    _require_manager(request)
    page = paginate(request, selectors.due_runs())
    return render(request, "retention/due.html", {"page": page, "grace": services.grace().days})


@require_POST
@case_page
def purge(request, case):
    _require_manager(request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
    else:
        try:
            services.purge_now(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("%(ref)s was purged.") % {"ref": case.reference})
    return redirect(safe_next(request, reverse("retention:due")))


@require_POST
@case_page
def hold(request, case):
    _require_manager(request)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
    else:
        try:
            holds = services.set_legal_hold(actor=request.user, case=case, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Legal hold set on %(n)d cases.") % {"n": len(holds)})
    return redirect(safe_next(request, reverse("case_detail", args=[case.reference])))


@require_POST
@reader_page
def lift_hold(request, hold_id: int):
    _require_manager(request)
    legal_hold = get_object_or_404(LegalHold.objects.select_related("case"), pk=hold_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
    else:
        try:
            lifted = services.lift_legal_hold(
                actor=request.user, hold=legal_hold, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Legal hold lifted on %(n)d cases.") % {"n": len(lifted)})
    default = reverse("case_detail", args=[legal_hold.case.reference])
    return redirect(safe_next(request, default))


@require_POST
@case_page
def subject_access(request, case):
    """Compliance: everything held about the case's candidate, as a ZIP (recorded)."""
    _require_manager(request)
    try:
        content, name, digest = services.export_subject_data(
            actor=request.user, case=case, include_files=bool(request.POST.get("files"))
        )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("case_detail", case.reference)
    response = HttpResponse(content, content_type="application/zip")
    return mark_as_download(response, filename=name, sha256=digest)


NOTICE_LANGUAGES = ("en", "ko")


@reader_page
def privacy_notice(request):
    """The notice to show applicants, in English or Korean, to copy or download."""
    language = request.GET.get("lang", "")
    if language not in NOTICE_LANGUAGES:
        language = "ko" if request.LANGUAGE_CODE.startswith("ko") else "en"
    context = {"rows": selectors.policy_rows(), "organisation": _organisation()}
    with translation.override(language):
        notice = render_to_string("retention/privacy_notice_text.html", context)
    if request.GET.get("download"):
        body = render_to_string(
            "retention/privacy_notice_file.html", {"notice": notice, "language": language}
        )
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        return mark_as_download(response, filename=f"privacy-notice-{language}.html")
    return render(
        request,
        "retention/privacy_notice.html",
        {"notice": notice, "language": language, "languages": NOTICE_LANGUAGES},
    )


def _organisation() -> str:
    from django.conf import settings

    return settings.VETTING_ORGANISATION_NAME


@login_required
def keys(request):
    """Compliance: each field key's age and the rows still encrypted under an old one."""
    _require_manager(request)
    services.record_key_sightings()
    return render(request, "retention/keys.html", {"status": selectors.key_status()})
