"""Sign-in pages: Django's views, with a message after each change; the account page and the
second factor (enrol, verify, new recovery codes)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import InvalidTransition, NotAllowed, ServiceValidationError, error_text

from . import otp, services
from .forms import CodeForm


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


# ---------------------------------------------------------------- account and second factor


def _next(request) -> str:
    """Where to go once the second factor is done: a local `next`, else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _add_errors(form, exc: ServiceValidationError) -> None:
    for field, field_messages in exc.errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def qr_svg(text: str) -> str:
    """`text` as a QR code in SVG, drawn here: the key never leaves the server."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return mark_safe(svg.replace("<svg ", '<svg class="qr" aria-hidden="true" ', 1))  # noqa: S308


def _grouped(key: str, size: int = 4) -> str:
    return " ".join(key[i : i + size] for i in range(0, len(key), size))


@login_required
def account(request):
    user = request.user
    has_app = otp.has_authenticator(user)
    return render(
        request,
        "registration/account.html",
        {
            "has_authenticator": has_app,
            "second_factor_required": otp.is_required_for(user),
            "verified_by_idp": otp.verified_by_idp(request) is not None,
            "recovery_codes_left": services.recovery_codes_left(user) if has_app else 0,
        },
    )


@login_required
def second_factor_enrol(request):
    try:
        device = services.start_enrolment(request.user)
    except InvalidTransition as exc:
        messages.info(request, error_text(exc))
        return redirect(_next(request) if otp.pending_step(request) is None else "account")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = services.confirm_enrolment(request, form.cleaned_data["code"])
            except ServiceValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Your authenticator app is set up."))
                return _recovery_codes_page(request, codes)
        status = 400
    key = b32encode(device.bin_key).decode()
    return _no_store(
        render(
            request,
            "registration/second_factor_enrol.html",
            {
                "form": form,
                "qr": qr_svg(device.config_url),
                "key": _grouped(key),
                "required": otp.is_required_for(request.user),
                "next": request.POST.get("next") or request.GET.get("next", ""),
            },
            status=status,
        )
    )


@login_required
def second_factor_verify(request):
    if otp.pending_step(request) != otp.VERIFY:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                left = services.verify_second_factor(request, form.cleaned_data["code"])
            except ServiceValidationError as exc:
                _add_errors(form, exc)
            else:
                if left is not None:
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code; %(left)d left. Generate new ones on your "
                            "account page if you are running out."
                        )
                        % {"left": left},
                    )
                return redirect(_next(request))
        status = 400
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=status,
    )


@login_required
@require_POST
def second_factor_recovery_codes(request):
    try:
        codes = services.regenerate_recovery_codes(request)
    except (InvalidTransition, NotAllowed) as exc:
        messages.error(request, error_text(exc))
        return redirect("account")
    messages.success(request, _("New recovery codes were generated; the old ones no longer work."))
    return _recovery_codes_page(request, codes)


def _recovery_codes_page(request, codes: list[str]):
    return _no_store(
        render(
            request,
            "registration/recovery_codes.html",
            {"codes": codes, "continue_to": _next(request)},
        )
    )
