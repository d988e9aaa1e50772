"""How retention events read in the audit trail (see audit.summaries)."""

from django.utils.translation import gettext as _

from audit.summaries import label, register, with_note
from cases.models import Status


def _period(event, data):
    text = _("Retention of %(status)s cases set to %(months)d months (was %(before)d)") % {
        "status": label(Status, data["status"]),
        "months": data["months"],
        "before": data["before"],
    }
    return with_note(text, data.get("reason", ""))


def _hold_set(event, data):
    if data.get("origin"):
        text = _("Legal hold on %(ref)s, with the linked case %(origin)s") % {
            "ref": event.case_reference,
            "origin": data["origin"],
        }
    else:
        text = _("Legal hold on %(ref)s") % {"ref": event.case_reference}
    return with_note(text, data["reason"])


def _hold_lifted(event, data):
    return with_note(
        _("Legal hold on %(ref)s lifted") % {"ref": event.case_reference}, data["reason"]
    )


def _due(event, data):
    return _("Retention: %(added)d cases newly due for purging, %(dropped)d no longer due") % data


def _confirmed(event, data):
    return with_note(
        _("Purge of %(ref)s confirmed") % {"ref": event.case_reference}, data["reason"]
    )


def _purged(event, data):
    counts = data.get("counts", {})
    return _(
        "%(ref)s purged: personal data, %(evidence)d evidence files and %(reports)d reports "
        "deleted, %(redacted)d audit events redacted"
    ) % {
        "ref": event.case_reference,
        "evidence": counts.get("evidence_files", 0),
        "reports": counts.get("reports", 0),
        "redacted": counts.get("audit_events_redacted", 0),
    }


def _subject_access(event, data):
    return _("Subject access export of %(ref)s (SHA-256 %(hash)s)") % {
        "ref": event.case_reference,
        "hash": data["sha256"][:12],
    }


def register_describers() -> None:
    register(
        {
            "retention.period_set": _period,
            "retention.hold_set": _hold_set,
            "retention.hold_lifted": _hold_lifted,
            "retention.due_listed": _due,
            "retention.purge_confirmed": _confirmed,
            "retention.purged": _purged,
            "retention.subject_access_exported": _subject_access,
        }
    )
