"""After the password, the second factor before any page (see accounts/otp.py).

A user who must still enter a code is sent to the verify page, one who must still enrol to the
enrolment page; nothing else is served to them but sign-out, the language switch, static files
and the health check. The API decides for itself (accounts.api_auth): a token call has no
session, and a session call gets 403 JSON rather than a redirect.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import otp

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
