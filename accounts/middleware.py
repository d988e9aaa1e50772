"""Idle sessions end: a signed-in browser that sends no request for SESSION_IDLE_SECONDS is
signed out (besides the absolute SESSION_COOKIE_AGE counted from signing in)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils.translation import ngettext

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
