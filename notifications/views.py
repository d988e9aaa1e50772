"""The inbox, the bell in the header and the notification settings page. Every signed-in user
has an inbox; a notification that is not the user's own is "not found"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from common.errors import ServiceValidationError
from common.web import paginate, safe_next

from . import selectors, services
from .forms import PreferencesForm


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, selectors.inbox(request.user, unread_only=unread_only))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
        },
    )


@require_GET
def bell(request):
    """The bell with the unread count, loaded by htmx once per page (never polled, so an idle
    session still ends). Signed out meanwhile: 204, and htmx leaves the page as it is."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request, "notifications/_bell.html", {"unread": selectors.unread_count(request.user)}
    )


@login_required
@require_GET
def open_notification(request, notification_id: int):
    """Mark the notification read and go where it leads."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=notification_id)
    services.mark_read(request.user, notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=set()):
        return redirect("notifications:inbox")
    return redirect(target)


@require_POST
@login_required
def mark_read(request, notification_id: int):
    notification = get_object_or_404(selectors.inbox(request.user), pk=notification_id)
    services.mark_read(request.user, notification)
    return redirect(safe_next(request, "notifications:inbox"))


@require_POST
@login_required
def mark_all_read(request):
    count = services.mark_all_read(request.user)
    messages.success(
        request,
        ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.", count)
        % {"n": count},
    )
    return redirect(safe_next(request, "notifications:inbox"))


@login_required
def preferences(request):
    language, channels = selectors.settings_for(request.user, request.LANGUAGE_CODE)
    form = PreferencesForm(request.POST or None, channels=channels, initial={"language": language})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_preferences(
                    request.user,
                    language=form.cleaned_data["language"],
                    channels=form.channels(),
                )
            except ServiceValidationError as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:preferences")
        status = 400
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
