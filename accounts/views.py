"""Sign-in pages: Django's views, with a message after each change; the user's API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ServiceValidationError

from . import selectors, services
from .forms import NewTokenForm


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
