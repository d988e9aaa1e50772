"""How case events read in the audit trail, the history page and exports (see audit.summaries)."""

from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.summaries import label, register, with_note

from .models import FINDING_SEVERITIES, AnswerValue, Candidate, Status
from .services.workflow import TRANSITIONS

# Candidate facts that are lists of rows rather than fields, by the name the services use.
FACT_LIST_LABELS = {
    "emails": gettext_lazy("E-mail addresses"),
    "phones": gettext_lazy("Phone numbers"),
    "ip_addresses": gettext_lazy("IP addresses"),
    "profiles": gettext_lazy("Online profiles"),
    "history": gettext_lazy("Education and employment"),
}
# What an actor tried to do, for refused attempts (the phrases of the services' role checks).
ATTEMPTS = {
    "case.opened": gettext_lazy("open cases"),
    "candidate.updated": gettext_lazy("edit candidate facts"),
    "candidate.revealed": gettext_lazy("see protected numbers in clear"),
    "answer.recorded": gettext_lazy("answer checklist items"),
    "evidence.uploaded": gettext_lazy("upload evidence"),
    "evidence.linked": gettext_lazy("link evidence"),
    "evidence.withdrawn": gettext_lazy("withdraw evidence"),
    "case.reviewer_assigned": gettext_lazy("assign reviewers"),
    "finding.accepted": gettext_lazy("accept findings"),
    "finding.dismissed": gettext_lazy("dismiss findings"),
    "case.catalogues_upgraded": gettext_lazy("upgrade case catalogues"),
    "case.comment_posted": gettext_lazy("take part in case discussions"),
    "case.comment_edited": gettext_lazy("edit this comment"),
    **{f"case.{name}": transition.label for name, transition in TRANSITIONS.items()},
}


def fact_label(name: str) -> str:
    if name in FACT_LIST_LABELS:
        return str(FACT_LIST_LABELS[name])
    try:
        return str(capfirst(Candidate._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:  # removed since the event was recorded
        return name


def _case_opened(event, data):
    # Every pinned version (events recorded before several catalogues per case name one).
    versions = ", ".join(data.get("catalog_versions") or [data["catalog_version"]])
    values = {"ref": event.case_reference, "version": versions}
    if data.get("candidate"):
        return _("Opened case %(ref)s for %(name)s (catalogue %(version)s)") % {
            **values,
            "name": data["candidate"],
        }
    return _("Opened case %(ref)s (catalogue %(version)s)") % values


def _catalogues_upgraded(event, data):
    return _(
        "%(ref)s moved from catalogues %(old)s to %(new)s: %(carried)d answer(s) carried over, "
        "%(orphaned)d kept from an earlier version, %(added)d new item(s)"
    ) % {
        "ref": event.case_reference,
        "old": ", ".join(data["from_versions"]),
        "new": ", ".join(data["to_versions"]),
        "carried": len(data["carried"]),
        "orphaned": len(data["orphaned"]),
        "added": len(data["added"]),
    }


def _case_assessing(event, data):
    return _("Assessment of %(ref)s started") % {"ref": event.case_reference}


def _case_transition(event, data):
    text = _("%(ref)s: %(previous)s → %(status)s") % {
        "ref": event.case_reference,
        "previous": label(Status, data["previous"]),
        "status": label(Status, data["status"]),
    }
    return with_note(text, data.get("note", ""))


def _reviewer_assigned(event, data):
    who = data["reviewer"]
    if who == "nobody":
        return _("%(ref)s has no reviewer now") % {"ref": event.case_reference}
    return _("%(ref)s assigned to %(who)s") % {"ref": event.case_reference, "who": who}


def _answer_recorded(event, data):
    values = {
        "item": data["item"],
        "value": label(AnswerValue, data["value"]),
        "ref": event.case_reference,
    }
    if data.get("previous"):
        text = _("%(item)s answered “%(value)s” on %(ref)s (was “%(previous)s”)") % {
            **values,
            "previous": label(AnswerValue, data["previous"]),
        }
    else:
        text = _("%(item)s answered “%(value)s” on %(ref)s") % values
    return with_note(text, data.get("note", ""))


def _candidate_updated(event, data):
    fields = ", ".join(fact_label(name) for name in data["fields"])
    return _("Updated candidate facts of %(ref)s: %(fields)s") % {
        "ref": event.case_reference,
        "fields": fields or _("nothing"),
    }


def _candidate_revealed(event, data):
    return _("Revealed the %(field)s of %(ref)s: %(reason)s") % {
        "field": fact_label(data["field"]).lower(),
        "ref": event.case_reference,
        "reason": data["reason"],
    }


def _evidence_uploaded(event, data):
    return _("Uploaded %(name)s (%(type)s, %(size)s) to %(ref)s") % {
        "name": data["name"],
        "type": data["content_type"],
        "size": filesizeformat(data["size"]),
        "ref": event.case_reference,
    }


def _evidence_linked(event, data):
    if not data["answers"]:
        return _("Unlinked %(name)s from every item") % {"name": data["name"]}
    return _("Linked %(name)s to %(items)s") % {
        "name": data["name"],
        "items": ", ".join(sorted(data["answers"])),
    }


def _evidence_withdrawn(event, data):
    return _("Withdrew %(name)s: %(reason)s") % {"name": data["name"], "reason": data["reason"]}


def _evidence_downloaded(event, data):
    return _("Downloaded %(name)s of %(ref)s") % {"name": data["name"], "ref": event.case_reference}


def _evidence_integrity_failed(event, data):
    return _("The stored file of %(name)s of %(ref)s does not match its recorded SHA-256") % {
        "name": data["name"],
        "ref": event.case_reference,
    }


def _finding_opened(event, data):
    return _("Finding %(check)s (%(severity)s) opened on %(ref)s") % {
        "check": data["check"],
        "severity": str(dict(FINDING_SEVERITIES).get(data["severity"], data["severity"])),
        "ref": event.case_reference,
    }


def _finding_removed(event, data):
    return _("Finding %(check)s on %(ref)s no longer applies") % {
        "check": data["check"],
        "ref": event.case_reference,
    }


def _finding_accepted(event, data):
    text = _("Accepted finding %(check)s on %(ref)s") % {
        "check": data["check"],
        "ref": event.case_reference,
    }
    return with_note(text, data.get("note", ""))


def _finding_dismissed(event, data):
    text = _("Dismissed finding %(check)s on %(ref)s") % {
        "check": data["check"],
        "ref": event.case_reference,
    }
    return with_note(text, data.get("note", ""))


def _findings_rescreened(event, data):
    return _(
        "Re-screened %(cases)d open cases: %(opened)d findings opened, %(removed)d removed"
    ) % {"cases": data["cases"], "opened": data["opened"], "removed": data["removed"]}


def _deadline_reminder(event, data):
    values = {"ref": event.case_reference, "due": (data.get("due") or "")[:16].replace("T", " ")}
    if event.action == "case.deadline_overdue":
        return _("Review of %(ref)s overdue (due %(due)s): reviewer and owner notified") % values
    return _("Review of %(ref)s due soon (%(due)s): reviewer and owner notified") % values


def _mentioning(text: str, data) -> str:
    names = data.get("mentioned") or []
    if not names:
        return text
    return _("%(text)s, mentioning %(names)s") % {
        "text": text,
        "names": ", ".join(f"@{name}" for name in names),
    }


def _comment_posted(event, data):
    text = _("%(who)s commented on %(ref)s") % {
        "who": event.actor_username,
        "ref": event.case_reference,
    }
    return _mentioning(text, data)


def _comment_edited(event, data):
    text = _("%(who)s edited a comment on %(ref)s") % {
        "who": event.actor_username,
        "ref": event.case_reference,
    }
    return _mentioning(text, data)


def _saved_view(event, data):
    messages = {
        "saved_view.created": _("Saved the case list view “%(name)s”"),
        "saved_view.changed": _("Changed the case list view “%(name)s”"),
        "saved_view.deleted": _("Deleted the case list view “%(name)s”"),
    }
    return messages[event.action] % {"name": data["name"]}


def register_describers() -> None:
    register(
        {
            "case.opened": _case_opened,
            "case.assessing": _case_assessing,
            "case.catalogues_upgraded": _catalogues_upgraded,
            **{f"case.{name}": _case_transition for name in TRANSITIONS},
            "case.reviewer_assigned": _reviewer_assigned,
            "answer.recorded": _answer_recorded,
            "candidate.updated": _candidate_updated,
            "candidate.revealed": _candidate_revealed,
            "evidence.uploaded": _evidence_uploaded,
            "evidence.linked": _evidence_linked,
            "evidence.withdrawn": _evidence_withdrawn,
            "evidence.downloaded": _evidence_downloaded,
            "evidence.integrity_failed": _evidence_integrity_failed,
            "finding.opened": _finding_opened,
            "finding.removed": _finding_removed,
            "finding.accepted": _finding_accepted,
            "finding.dismissed": _finding_dismissed,
            "findings.rescreened": _findings_rescreened,
            "case.deadline_near": _deadline_reminder,
            "case.deadline_overdue": _deadline_reminder,
            "case.comment_posted": _comment_posted,
            "case.comment_edited": _comment_edited,
            "saved_view.created": _saved_view,
            "saved_view.changed": _saved_view,
            "saved_view.deleted": _saved_view,
        },
        attempts=ATTEMPTS,
    )
