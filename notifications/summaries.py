"""How notification events read in the audit trail and exports (see audit.summaries)."""

from django.utils.translation import gettext as _

from audit.summaries import register


def _settings_changed(event, data):
    return _("Notification settings changed (e-mail language %(language)s, %(n)d channels off)") % {
        "language": data.get("language", ""),
        "n": len(data.get("off", [])),
    }


def register_describers() -> None:
    register({"notifications.settings_changed": _settings_changed})
