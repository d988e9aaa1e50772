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


def _locked_out(event, data):
    return _("Sign-in locked after repeated failures as %(user)s (%(route)s)") % {
        "user": data["username"] or "—",
        "route": _route(data),
    }


def _unlocked(event, data):
    return _("Sign-in of %(user)s unlocked by %(admin)s") % {
        "user": data["username"] or "—",
        "admin": event.actor_username,
    }


PASSWORD_CHANGED_BY = {
    "self": gettext_lazy("Password of %(user)s changed"),
    "admin": gettext_lazy("Password of %(user)s set by %(admin)s"),
    "system": gettext_lazy("Password of %(user)s set by the system"),
}


def _password_changed(event, data):
    template = PASSWORD_CHANGED_BY.get(data.get("by"), PASSWORD_CHANGED_BY["self"])
    return str(template) % {"user": data["username"], "admin": event.actor_username}


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


def _token_issued(event, data):
    if "name" not in data:  # recorded before tokens had names
        return _("API token issued to %(user)s") % {"user": event.actor_username}
    return _("API token “%(name)s” (%(prefix)s…) issued to %(user)s") % {
        "name": data["name"],
        "prefix": data["prefix"],
        "user": data["username"],
    }


def _token_revoked(event, data):
    if "name" not in data:
        return _("API token of %(user)s revoked") % {"user": event.actor_username}
    return _("API token “%(name)s” (%(prefix)s…) of %(user)s revoked") % {
        "name": data["name"],
        "prefix": data["prefix"],
        "user": data["username"],
    }


def _tokens_revoked(event, data):
    return _("All API tokens of %(user)s revoked (%(count)s): %(reason)s") % {
        "user": data["username"],
        "count": data["count"],
        "reason": data["reason"],
    }


def _token_refused(event, data):
    template = (
        _("Refused the revoked API token “%(name)s” (%(prefix)s…) of %(user)s")
        if data["why"] == "revoked"
        else _("Refused the expired API token “%(name)s” (%(prefix)s…) of %(user)s")
    )
    return template % {"name": data["name"], "prefix": data["prefix"], "user": data["username"]}


def _admin_change(template) -> Callable:
    def describe(event, data):
        return str(template) % {"name": data["name"], "fields": ", ".join(data["fields"]) or "—"}

    return describe


SECOND_FACTOR_METHODS = {
    "totp": gettext_lazy("authenticator app"),
    "recovery_code": gettext_lazy("recovery code"),
    "enrolment": gettext_lazy("setting up an authenticator app"),
    "idp": gettext_lazy("identity provider"),
}


def _method(data) -> str:
    return str(SECOND_FACTOR_METHODS.get(data.get("method"), data.get("method", "")))


def _second_factor_verified(event, data):
    return _("%(user)s passed the second factor (%(method)s)") % {
        "user": data["username"],
        "method": _method(data),
    }


def _second_factor_failed(event, data):
    return _("Wrong second-factor code for %(user)s (%(method)s)") % {
        "user": data["username"],
        "method": _method(data),
    }


def _second_factor_reset(event, data):
    return _("Second factor of %(user)s reset by %(admin)s") % {
        "user": data["username"],
        "admin": event.actor_username,
    }


def _sso_refused(event, data):
    return _("Single sign-on refused for %(subject)s: %(reason)s") % {
        "subject": data.get("subject") or "—",
        "reason": data.get("reason", ""),
    }


def register_describers() -> None:
    register(
        {
            "auth.signed_in": _signed_in,
            "auth.sso_refused": _sso_refused,
            "auth.sign_in_failed": _sign_in_failed,
            "auth.signed_out": _signed_out,
            "auth.locked_out": _locked_out,
            "auth.unlocked": _unlocked,
            "accounts.password_changed": _password_changed,
            "auth.token_issued": _token_issued,
            "auth.token_retrieved": _user(gettext_lazy("API token retrieved by %(user)s")),
            "auth.token_revoked": _token_revoked,
            "auth.tokens_revoked": _tokens_revoked,
            "auth.token_refused": _token_refused,
            "admin.user_added": _admin_change(gettext_lazy("User %(name)s added in the admin")),
            "admin.user_changed": _admin_change(
                gettext_lazy("User %(name)s changed in the admin: %(fields)s")
            ),
            "admin.user_deleted": _admin_change(gettext_lazy("User %(name)s deleted in the admin")),
            "admin.group_added": _admin_change(gettext_lazy("Group %(name)s added in the admin")),
            "admin.group_changed": _admin_change(
                gettext_lazy("Group %(name)s changed in the admin: %(fields)s")
            ),
            "admin.group_deleted": _admin_change(
                gettext_lazy("Group %(name)s deleted in the admin")
            ),
            "accounts.roles_changed": _roles_changed,
            "auth.second_factor_verified": _second_factor_verified,
            "auth.second_factor_failed": _second_factor_failed,
            "auth.second_factor_not_shown_by_idp": _user(
                gettext_lazy("The identity provider showed no second factor for %(user)s")
            ),
            "accounts.second_factor_enrolled": _user(
                gettext_lazy("%(user)s set up an authenticator app")
            ),
            "accounts.recovery_codes_regenerated": _user(
                gettext_lazy("%(user)s generated new recovery codes")
            ),
            "accounts.second_factor_reset": _second_factor_reset,
        }
    )
