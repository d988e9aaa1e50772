"""How sign-in and role events read in the audit trail (see audit.summaries)."""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.summaries import register

from .audit import access_text

SIGN_IN_ROUTES = {"web": gettext_lazy("web"), "api": gettext_lazy("API token")}


def _route(data) -> str:
    return str(SIGN_IN_ROUTES.get(data.get("via"), data.get("via", "")))


def _signed_in(event, data):
    return _("%(user)s signed in (%(route)s)") % {"user": data["username"], "route": _route(data)}


def _sign_in_failed(event, data):
    return _("Failed sign-in as %(user)s (%(route)s)") % {
        "user": data["username"] or "—",
        "route": _route(data),
    }


def _signed_out(event, data):
    return _("%(user)s signed out") % {"user": data["username"]}


def _user(template) -> Callable:
    def describe(event, data):
        return str(template) % {"user": event.actor_username}

    return describe


def _roles_changed(event, data):
    return _("Roles of %(user)s: %(before)s → %(after)s") % {
        "user": data["username"],
        "before": access_text(data["before"]),
        "after": access_text(data["after"]),
    }


def register_describers() -> None:
    register(
        {
            "auth.signed_in": _signed_in,
            "auth.sign_in_failed": _sign_in_failed,
            "auth.signed_out": _signed_out,
            "auth.token_issued": _user(gettext_lazy("API token issued to %(user)s")),
            "auth.token_retrieved": _user(gettext_lazy("API token retrieved by %(user)s")),
            "auth.token_revoked": _user(gettext_lazy("API token of %(user)s revoked")),
            "accounts.roles_changed": _roles_changed,
        }
    )
