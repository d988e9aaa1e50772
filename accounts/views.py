"""Sign-in pages: Django's views, with a message after each change; single sign-on; the
user's API tokens; the account page and the second factor (enrol, verify, new recovery codes)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
import requests
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc import views as oidc_views

from common.errors import InvalidTransition, NotAllowed, ServiceValidationError, error_text

from . import otp, selectors, services, sso
from .forms import CodeForm, NewTokenForm

UNREACHABLE = gettext_lazy(
    "The identity provider could not be reached. Please try again later or ask your administrator."
)


class LoginView(auth_views.LoginView):
    """The sign-in page: a password form unless switched off, and a single sign-on button when
    an identity provider is configured."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso.is_configured()
        context["sso_name"] = sso.config().get("name")
        context["local_passwords"] = sso.local_passwords_enabled()
        return context

    def post(self, request, *args, **kwargs):
        if not sso.local_passwords_enabled():
            messages.error(request, _("Passwords are switched off here: use single sign-on."))
            return HttpResponseRedirect(reverse("login"))
        return super().post(request, *args, **kwargs)


class SSOStartView(oidc_views.OIDCAuthenticationRequestView):
    """Send the browser to the identity provider."""

    def __init__(self, *args, **kwargs):
        # The endpoints are read per request (from settings or discovery), not at start-up.
        pass

    def get(self, request):
        if not sso.is_configured():
            raise Http404(_("Single sign-on is not configured."))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.endpoints().authorization_endpoint
        except requests.RequestException:
            messages.error(request, UNREACHABLE)
            return HttpResponseRedirect(reverse("login"))
        self.OIDC_RP_CLIENT_ID = sso.config()["client_id"]
        return super().get(request)


class SSOCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Where the identity provider sends the browser back: sign in, or say why not."""

    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        if not sso.is_configured():
            raise Http404(_("Single sign-on is not configured."))
        try:
            response = super().get(request)
        except SuspiciousOperation:
            request.sso_refusal = _("The sign-in could not be verified. Please try again.")
            return self.login_failure()
        except requests.RequestException:
            request.sso_refusal = UNREACHABLE
            return self.login_failure()
        return response

    def login_success(self):
        response = super().login_success()
        # The IdP's own multi-factor sign-in counts as the second factor only where trusted.
        otp.mark_verified_by_idp(
            self.request,
            {
                "amr": self.request.session.get(sso.SESSION_AMR, []),
                "acr": self.request.session.get(sso.SESSION_ACR, ""),
            },
        )
        return response

    def login_failure(self):
        messages.error(
            self.request,
            getattr(self.request, "sso_refusal", None)
            or _("Single sign-on did not complete. Please try again."),
        )
        return super().login_failure()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out; after single sign-on, at the identity provider too."""

    def post(self, request, *args, **kwargs):
        provider_logout = sso.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return HttpResponseRedirect(provider_logout) if provider_logout else response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's API tokens; a new one's key is shown on this one answer and never again."""
    form = NewTokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, new_key = services.create_api_token(
                    request.user, name=form.cleaned_data["name"], via="web"
                )
            except ServiceValidationError as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form = NewTokenForm()
        if new_key is None:
            status = 400
    context = {
        "form": form,
        "tokens": selectors.tokens_of(request.user),
        "new_key": new_key,
        "lifetime_days": services.token_lifetime().days,
    }
    response = render(request, "registration/api_tokens.html", context, status=status)
    add_never_cache_headers(response)  # the new key must not stay in any cache
    return response


@require_POST
@login_required
def api_token_revoke(request, token_id: int):
    token = services.revoke_api_token(request.user, token_id)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens")


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
