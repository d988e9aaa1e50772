"""Sign-in pages: Django's views, with a message after each change; single sign-on; the
user's API tokens."""

import requests
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc import views as oidc_views

from common.errors import ServiceValidationError

from . import selectors, services, sso
from .forms import NewTokenForm

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
