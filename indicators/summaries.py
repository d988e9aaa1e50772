"""How catalogue events read in the audit trail (see audit.summaries)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.summaries import label, register

from .models import VersionKind


def _uploaded(event, data):
    values = {
        "file": data["file_name"],
        "version": data["version"] or "—",
        "n": data["problems"],
    }
    return (
        ngettext(
            "Catalogue file %(file)s uploaded (version %(version)s): %(n)s problem",
            "Catalogue file %(file)s uploaded (version %(version)s): %(n)s problems",
            data["problems"],
        )
        % values
    )


def _published(event, data):
    return _("Catalogue version %(version)s published (%(kind)s)") % {
        "version": data["version"],
        "kind": label(VersionKind, data["kind"]),
    }


def _discarded(event, data):
    return _("Catalogue draft %(file)s discarded") % {"file": data["file_name"]}


def _activated(event, data):
    if data["active"]:
        return _("Catalogue version %(version)s offered to new cases") % data
    return _("Catalogue version %(version)s no longer offered to new cases") % data


def _defaults(event, data):
    if data["supplements"]:
        return _("New cases pin %(base)s and also ask %(others)s") % {
            "base": data["base"],
            "others": ", ".join(data["supplements"]),
        }
    return _("New cases pin %(base)s") % {"base": data["base"]}


def register_describers() -> None:
    register(
        {
            "catalog.uploaded": _uploaded,
            "catalog.published": _published,
            "catalog.upload_discarded": _discarded,
            "catalog.activated": _activated,
            "catalog.deactivated": _activated,
            "catalog.defaults_set": _defaults,
        }
    )
