"""Sign-in lockout after repeated failures (django-axes), on every door that takes a password.

Axes counts failed sign-ins per username and per client address (settings AXES_*); its
authentication backend refuses any sign-in, even with the right password, while either count
is at the limit. This module holds what vetting adds: which address a request comes from, the
message people read, and the responses: the sign-in page (429) on the web, a 429 JSON body on
the API. Unlocking is `accounts.services.unlock_sign_in`.
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOCKED_OUT_STATUS = 429
USERNAME_MAX = 150  # User.username's max_length; axes' own column holds 255


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind VETTING_PROXY_COUNT reverse proxies the
    address the outermost proxy appended to X-Forwarded-For. Entries further left were written
    by the client and are never trusted (the same rule as DRF's NUM_PROXIES)."""
    meta = getattr(request, "META", None) or {}
    proxies = getattr(settings, "PROXY_COUNT", 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return meta.get("REMOTE_ADDR", "")


def client_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username tried, cut to what axes can store (the API token
    endpoint takes usernames of any length, and PostgreSQL refuses longer ones)."""
    if credentials:
        value = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") if hasattr(data, "get") else None
    return None if value is None else str(value)[:USERNAME_MAX]


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    """What a locked-out person reads: why, for how long, and whom to ask."""
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed sign-ins. Signing in to this account, or from this address, is blocked "
        "for %(minutes)d minute. Try again later, or ask an administrator of vetting to unlock "
        "the account.",
        "Too many failed sign-ins. Signing in to this account, or from this address, is blocked "
        "for %(minutes)d minutes. Try again later, or ask an administrator of vetting to unlock "
        "the account.",
        minutes,
    ) % {"minutes": minutes}


def is_locked_out(request) -> bool:
    """True when the sign-in just attempted with `request` was refused or triggered a lockout."""
    return bool(getattr(request, "axes_locked_out", False))


def api_lockout_response() -> JsonResponse:
    return JsonResponse(
        {"detail": lockout_message()},
        status=LOCKED_OUT_STATUS,
        headers={"Retry-After": str(lockout_minutes() * 60)},
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a refused sign-in (AxesMiddleware calls it)."""
    if request.path.startswith("/api/"):
        return api_lockout_response()
    from .views import LoginView  # the sign-in page's own context (single sign-on, …)

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    view = LoginView()
    view.setup(request)
    context = view.get_context_data(
        form=AuthenticationForm(request, initial={"username": username}),
        lockout_message=lockout_message(),
    )
    return render(request, "registration/login.html", context, status=LOCKED_OUT_STATUS)
