"""Web pages for reports: per-case panel, job status (htmx), downloads, retries, audit export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AuditEvent
from cases import permissions as case_permissions
from cases import selectors as case_selectors
from cases.access import case_page, reader_page
from common.errors import NotAllowed, ServiceError, ServiceValidationError, error_text
from common.http import attachment_response
from common.web import is_htmx, paginate, safe_next

from . import export, selectors, services
from .forms import AuditExportForm, ReportFilterForm, ReportRequestForm
from .models import ReportLanguage

CASE_PANEL_JOBS = 8


def _visible_job(request, pk: int):
    return get_object_or_404(selectors.visible_jobs(request.user), pk=pk)


def panel_context(case, *, limit: int | None = CASE_PANEL_JOBS, **extra) -> dict:
    jobs = selectors.jobs_for_case(case)
    return {
        "case": case,
        "jobs": jobs[:limit] if limit else jobs,
        "more_jobs": max(0, jobs.count() - limit) if limit else 0,
        "request_form": ReportRequestForm(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@case_page
def case_reports(request, case):
    """The case's reports: request a risk summary or referral packet, follow and download."""
    if request.method == "POST":
        notice, error = _request_from_form(request, case)
        if is_htmx(request):
            context = panel_context(case, panel_notice=notice, panel_error=error)
            return render(request, "reports/_case_panel.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect(safe_next(request, reverse("reports:case_reports", args=[case.reference])))
    context = panel_context(case, limit=None)
    context.update(
        candidate=case.candidate,
        tab="reports",
        progress=case_selectors.progress(case),
        pinned_codes=case_selectors.pinned_version_codes(case),
        evidence_count=case.evidence.filter(withdrawn_at__isnull=True).count(),
    )
    return render(request, "reports/case_reports.html", context)


def _request_from_form(request, case) -> tuple[str, str]:
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return "", " ".join(e for errors in form.errors.values() for e in errors)
    try:
        language = form.cleaned_data["language"] or ReportLanguage.default_for(
            request.LANGUAGE_CODE
        )
        job, created = services.request_report(
            request.user, case, form.cleaned_data["kind"], language
        )
    except ServiceError as exc:
        return "", error_text(exc)
    if created:
        return _("%(kind)s requested: it is being prepared (job #%(id)s).") % {
            "kind": job.get_kind_display(),
            "id": job.pk,
        }, ""
    return _("The same report is already being prepared (job #%(id)s).") % {"id": job.pk}, ""


@reader_page
def job_status(request, pk: int):
    """One job's status: the fragment htmx polls every two seconds while the job is pending."""
    return render(request, "reports/_job.html", {"job": _visible_job(request, pk)})


@reader_page
def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    downloads = AuditEvent.objects.filter(
        object_type="reports.reportjob", object_id=str(job.pk), action="report.downloaded"
    ).order_by("-at", "-id")
    history = job.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "reports/job_detail.html",
        {"job": job, "downloads": downloads[:50], "history": history},
    )


@reader_page
def download(request, pk: int):
    job = _visible_job(request, pk)
    try:
        services.record_download(request.user, job)
    except NotAllowed:
        raise  # a 403 page with the reason (common.middleware)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("reports:job_detail", pk=job.pk)
    return attachment_response(
        job.file,
        filename=job.file_name,
        content_type=job.content_type,
        sha256=job.sha256,
        size=job.size,
    )


@require_POST
@reader_page
def retry(request, pk: int):
    job = _visible_job(request, pk)
    try:
        job = services.retry_job(request.user, job)
    except ServiceError as exc:
        error = error_text(exc)
        if is_htmx(request):
            return render(request, "reports/_job.html", {"job": job, "job_error": error})
        messages.error(request, error)
    else:
        if is_htmx(request):
            return render(request, "reports/_job.html", {"job": job})
        messages.success(request, _("Job #%(id)s was queued again.") % {"id": job.pk})
    return redirect("reports:job_detail", pk=job.pk)


@reader_page
def report_list(request):
    form = ReportFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    jobs = selectors.job_list(
        request.user,
        kind=filters.get("kind", ""),
        status=filters.get("status", ""),
        mine=filters.get("mine", False),
        case=filters.get("case", ""),
    )
    page = paginate(request, jobs)
    return render(request, "reports/report_list.html", {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def integrity(request):
    """Compliance: check every stored evidence file and report against its recorded SHA-256."""
    if not case_permissions.can_audit(request.user):
        raise PermissionDenied(_("Only compliance users may run integrity checks."))
    if request.method == "POST":
        job, created = services.request_integrity_check(request.user)
        if created:
            messages.success(
                request,
                _("Integrity check requested: it is running (job #%(id)s).") % {"id": job.pk},
            )
        else:
            messages.info(
                request, _("An integrity check is already running (job #%(id)s).") % {"id": job.pk}
            )
        return redirect("reports:integrity")
    checks = selectors.integrity_checks(request.user)
    page = paginate(request, checks)
    return render(request, "reports/integrity.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def audit_export(request):
    """Compliance: download every audit event of a period, streamed as CSV or JSON."""
    if not case_permissions.can_audit(request.user):
        raise PermissionDenied(_("Only compliance users may export the audit trail."))
    if request.method == "GET":
        form = AuditExportForm.with_defaults()
        return render(request, "reports/audit_export.html", {"form": form})
    form = AuditExportForm(request.POST)
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        export_format = form.cleaned_data["format"]
        try:
            events = services.start_audit_export(request.user, start, end, export_format)
        except ServiceValidationError as exc:
            for field, texts in exc.errors.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            return export.streaming_response(events, start, end, export_format)
    return render(request, "reports/audit_export.html", {"form": form}, status=400)
