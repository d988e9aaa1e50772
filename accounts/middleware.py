"""Sign-in middleware of accounts.

Idle sessions end: a signed-in browser that sends no request for SESSION_IDLE_SECONDS is
signed out (besides the absolute SESSION_COOKIE_AGE counted from signing in).

After the password, the second factor before any page (see accounts/otp.py): a user who must
still enter a code is sent to the verify page, one who must still enrol to the enrolment page;
nothing else is served to them but sign-out, the language switch, static files and the health
check. The API decides for itself (accounts.api_auth): a token call has no session, and a
session call gets 403 JSON rather than a redirect.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import ngettext

from . import otp

# When the session last saw a request, in seconds since the epoch.
LAST_SEEN = "vetting_last_seen"
# The time is written at most this often, so most requests do not write the session.
WRITE_EVERY_SECONDS = 60


def mark_active(session, now: float | None = None) -> None:
    session[LAST_SEEN] = int(now if now is not None else time.time())


def idle_message(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    return ngettext(
        "You were signed out after %(minutes)d minute without activity. Sign in again to go on.",
        "You were signed out after %(minutes)d minutes without activity. Sign in again to go on.",
        minutes,
    ) % {"minutes": minutes}


class IdleTimeoutMiddleware:
    """After the authentication and message middleware. An idle session is signed out before
    the view runs, so the view sees an anonymous user: pages send it to the sign-in page, which
    shows why; the API answers 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = time.time()
            idle = settings.SESSION_IDLE_SECONDS
            seen = session.get(LAST_SEEN)
            if seen is not None and now - seen > idle:
                logout(request)
                messages.info(request, idle_message(idle))
            elif seen is None or now - seen >= WRITE_EVERY_SECONDS:
                mark_active(session, now)
        return self.get_response(request)


# Pages open to a signed-in user whose second factor is pending.
OPEN_PAGES = ("logout", "set_language", "health")
STEP_PAGES = {otp.VERIFY: "second_factor_verify", otp.ENROL: "second_factor_enrol"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._gate(request)
        return response if response is not None else self.get_response(request)

    def _open_paths(self) -> set[str]:
        return {reverse(name) for name in (*OPEN_PAGES, *STEP_PAGES.values())}

    def _gate(self, request):
        path = request.path  # with the script prefix, as reverse() gives it
        static = settings.STATIC_URL
        api = reverse("api-schema").removesuffix("schema/")
        if path.startswith(static) or path.startswith(api):
            return None
        if not request.user.is_authenticated:
            return None
        step = otp.pending_step(request)
        request.second_factor_pending = step  # for the page chrome (accounts.context_processors)
        if step is None:
            return None
        target = reverse(STEP_PAGES[step])
        if path == target or path in self._open_paths():
            return None
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
