"""Catalogue pages: the versions, uploading a new one (checked, compared, published or
discarded), the defaults for new cases and the coverage report. Every role reads; only
catalogue managers (compliance) change anything."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import InvalidTransition, ServiceValidationError, error_text

from . import permissions, selectors, services
from .forms import DefaultsForm, DiscardForm, PublishForm, UploadForm
from .models import CatalogUpload

RECENT_UPLOADS = 20


def reader_page(view):
    """Signed in with any role: the catalogue is what every role works from."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_read_catalogs(request.user):
            raise PermissionDenied(_("Your account has no role that may read the catalogue."))
        return view(request, *args, **kwargs)

    return wrapper


def manager_page(view):
    """Signed in as a catalogue manager (compliance)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_manage_catalogs(request.user):
            raise PermissionDenied(_("Only compliance users may manage catalogue versions."))
        return view(request, *args, **kwargs)

    return wrapper


def _put_errors(form, exc: ServiceValidationError) -> None:
    for name, texts in exc.errors.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


@reader_page
def version_list(request):
    base, supplements = selectors.current_defaults()
    may_manage = permissions.can_manage_catalogs(request.user)
    drafts = []
    if may_manage:
        drafts = selectors.uploads()[:RECENT_UPLOADS]
    return render(
        request,
        "indicators/version_list.html",
        {
            "versions": selectors.version_overview(),
            "default_base": base,
            "default_others": supplements,
            "may_manage": may_manage,
            "uploads": drafts,
        },
    )


@require_http_methods(["GET", "POST"])
@manager_page
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        # One byte over the limit is enough for the service to refuse a file as too large.
        content = file.read(CatalogUpload.MAX_BYTES + 1)
        try:
            draft = services.upload_catalog(
                actor=request.user, file_name=file.name, content=content
            )
        except ServiceValidationError as exc:
            _put_errors(form, exc)
        else:
            return redirect("indicators:upload_detail", upload_id=draft.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "indicators/upload.html", {"form": form}, status=status)


def _draft_page(request, upload, *, publish_form=None, discard_form=None, status=200):
    review = selectors.upload_review(upload)
    return render(
        request,
        "indicators/upload_detail.html",
        {
            "upload": upload,
            "review": review,
            "publish_form": publish_form or PublishForm(),
            "discard_form": discard_form or DiscardForm(),
            "history": upload.history.select_related("history_user").order_by("-history_date"),
        },
        status=status,
    )


@manager_page
def upload_detail(request, upload_id: int):
    return _draft_page(request, get_object_or_404(selectors.uploads(), pk=upload_id))


@require_POST
@manager_page
def upload_publish(request, upload_id: int):
    upload = get_object_or_404(selectors.uploads(), pk=upload_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _draft_page(request, upload, publish_form=form, status=400)
    try:
        version = services.publish_upload(actor=request.user, upload=upload)
    except ServiceValidationError as exc:
        _put_errors(form, exc)
        upload.refresh_from_db()
        return _draft_page(request, upload, publish_form=form, status=400)
    except InvalidTransition as exc:
        messages.error(request, error_text(exc))
        return redirect("indicators:upload_detail", upload_id=upload.pk)
    messages.success(
        request,
        _("Catalogue version %(v)s is published. Set the defaults below to use it for new cases.")
        % {"v": version.code},
    )
    return redirect("indicators:defaults")


@require_POST
@manager_page
def upload_discard(request, upload_id: int):
    upload = get_object_or_404(selectors.uploads(), pk=upload_id)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        return _draft_page(request, upload, discard_form=form, status=400)
    try:
        services.discard_upload(
            actor=request.user, upload=upload, reason=form.cleaned_data["reason"]
        )
    except InvalidTransition as exc:
        messages.error(request, error_text(exc))
        return redirect("indicators:upload_detail", upload_id=upload.pk)
    messages.success(request, _("The draft %(f)s was discarded.") % {"f": upload.file_name})
    return redirect("indicators:version_list")


@require_POST
@manager_page
def version_active(request, version_code: str):
    version = get_object_or_404(selectors.catalog_versions(), code=version_code)
    active = request.POST.get("active") == "1"
    try:
        services.set_version_active(version, active, actor=request.user)
    except InvalidTransition as exc:
        messages.error(request, error_text(exc))
    else:
        text = (
            _("%(v)s is offered to new cases again.")
            if active
            else _("%(v)s is no longer offered to new cases.")
        )
        messages.success(request, text % {"v": version.code})
    return redirect("indicators:version_list")


@require_http_methods(["GET", "POST"])
@manager_page
def defaults(request):
    base, others = selectors.current_defaults()
    initial = {"base": base, "supplements": others}
    form = DefaultsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_default_versions(
                request.user, form.cleaned_data["base"], list(form.cleaned_data["supplements"])
            )
        except services.CatalogError as exc:
            for text in exc.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("The defaults for new cases were saved."))
            return redirect("indicators:version_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "indicators/defaults.html",
        {"form": form, "default_base": base, "default_others": others},
        status=status,
    )


@reader_page
def coverage(request):
    versions = selectors.catalog_versions()
    chosen = request.GET.get("version", "")
    shown = versions.filter(code=chosen) if chosen else versions
    return render(
        request,
        "indicators/coverage.html",
        {
            "coverage": selectors.catalog_coverage(shown),
            "versions": versions,
            "chosen": chosen,
            "may_manage": permissions.can_manage_catalogs(request.user),
        },
    )
