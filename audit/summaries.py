"""What an audit event says to a person, in the active language.

Every event keeps the English `summary` written when it was recorded: that is the record. Pages
and exports show `describe_event(event)` instead, rendered from the event's `action` and `data`
with the choice labels of the models ("Not observed", not `not_observed`). An event this module
does not know, or one recorded before its data carried what the sentence needs, shows its
stored summary.
"""

from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import access_text
from cases.models import AnswerValue, Candidate, Status
from cases.services.workflow import TRANSITIONS
from reports.models import ReportKind, ReportLanguage

REFUSED_SUFFIX = ".refused"

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
}
SIGN_IN_ROUTES = {"web": gettext_lazy("web"), "api": gettext_lazy("API token")}


def label(choices, value) -> str:
    """The display label of a stored choice value; the value itself if it is not a choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def fact_label(name: str) -> str:
    if name in FACT_LIST_LABELS:
        return str(FACT_LIST_LABELS[name])
    try:
        return str(capfirst(Candidate._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:  # removed since the event was recorded
        return name


def _with_note(text: str, note: str) -> str:
    return f"{text} — {note}" if note else text


# ---------------------------------------------------------------- cases


def _case_opened(event, data):
    values = {"ref": event.case_reference, "version": data["catalog_version"]}
    if data.get("candidate"):
        return _("Opened case %(ref)s for %(name)s (catalogue %(version)s)") % {
            **values,
            "name": data["candidate"],
        }
    return _("Opened case %(ref)s (catalogue %(version)s)") % values


def _case_assessing(event, data):
    return _("Assessment of %(ref)s started") % {"ref": event.case_reference}


def _case_transition(event, data):
    text = _("%(ref)s: %(previous)s → %(status)s") % {
        "ref": event.case_reference,
        "previous": label(Status, data["previous"]),
        "status": label(Status, data["status"]),
    }
    return _with_note(text, data.get("note", ""))


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
    return _with_note(text, data.get("note", ""))


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


def _refused(event, data):
    attempted = event.action.removesuffix(REFUSED_SUFFIX)
    transition = TRANSITIONS.get(attempted.removeprefix("case."))
    values = {
        "what": _(transition.label) if transition else str(ATTEMPTS.get(attempted, attempted)),
        "ref": event.case_reference,
        "reason": data["reason"],
    }
    if event.case_reference:
        return _("Refused (%(ref)s): may not %(what)s: %(reason)s") % values
    return _("Refused: may not %(what)s: %(reason)s") % values


# ---------------------------------------------------------------- reports and the audit trail


def _job(event, data) -> str:
    values = {
        "kind": label(ReportKind, data["kind"]),
        "language": label(ReportLanguage, data["language"]),
        "id": event.object_id,
        "ref": event.case_reference,
    }
    if event.case_reference:
        return _("%(kind)s of %(ref)s (%(language)s), job #%(id)s") % values
    return _("%(kind)s (%(language)s), job #%(id)s") % values


def _report(template, **fields: str) -> Callable:
    """A describer for a report job event: `template` takes the job as %(job)s and the data
    keys named in `fields` (placeholder → data key)."""

    def describe(event, data):
        values = {"job": _job(event, data)}
        values.update({name: data[key] for name, key in fields.items()})
        if "size" in values:
            values["size"] = filesizeformat(values["size"])
        return str(template) % values

    return describe


def _integrity(event, data):
    values = {"id": event.object_id, **{k: data[k] for k in ("checked", "changed", "missing")}}
    if data["changed"] or data["missing"]:
        return (
            _(
                "Integrity check (job #%(id)s): %(checked)s files checked, %(changed)s changed, "
                "%(missing)s missing"
            )
            % values
        )
    return (
        _("Integrity check (job #%(id)s): %(checked)s files checked, each matches its SHA-256")
        % values
    )


def _audit_exported(event, data):
    return _("Exported audit events from %(start)s to %(end)s as %(format)s") % {
        "start": data["start"],
        "end": data["end"],
        "format": data["format"].upper(),
    }


# ---------------------------------------------------------------- accounts


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


DESCRIBERS: dict[str, Callable] = {
    "case.opened": _case_opened,
    "case.assessing": _case_assessing,
    **{f"case.{name}": _case_transition for name in TRANSITIONS},
    "case.reviewer_assigned": _reviewer_assigned,
    "answer.recorded": _answer_recorded,
    "candidate.updated": _candidate_updated,
    "candidate.revealed": _candidate_revealed,
    "evidence.uploaded": _evidence_uploaded,
    "evidence.linked": _evidence_linked,
    "evidence.withdrawn": _evidence_withdrawn,
    "evidence.downloaded": _evidence_downloaded,
    "report.requested": _report(gettext_lazy("Requested %(job)s")),
    "report.retried": _report(gettext_lazy("Retried %(job)s")),
    "report.requeued": _report(gettext_lazy("Re-queued %(job)s after its worker died")),
    "report.generated": _report(
        gettext_lazy("Generated %(job)s: %(size)s, SHA-256 %(sha256)s"),
        size="size",
        sha256="sha256",
    ),
    "report.downloaded": _report(gettext_lazy("Downloaded %(job)s")),
    "report.failed": _report(gettext_lazy("%(job)s failed: %(error)s"), error="error"),
    "report.integrity_failed": _report(
        gettext_lazy("The stored file of %(job)s does not match its recorded SHA-256")
    ),
    "integrity.verified": _integrity,
    "integrity.problems_found": _integrity,
    "audit.exported": _audit_exported,
    "auth.signed_in": _signed_in,
    "auth.sign_in_failed": _sign_in_failed,
    "auth.signed_out": _signed_out,
    "auth.token_issued": _user(gettext_lazy("API token issued to %(user)s")),
    "auth.token_retrieved": _user(gettext_lazy("API token retrieved by %(user)s")),
    "auth.token_revoked": _user(gettext_lazy("API token of %(user)s revoked")),
    "accounts.roles_changed": _roles_changed,
}


def describer_for(action: str) -> Callable | None:
    """The function that tells events of `action` in words; None for actions it does not know."""
    if action.endswith(REFUSED_SUFFIX):
        return _refused
    return DESCRIBERS.get(action)


def describe_event(event) -> str:
    """The event's summary in the active language; its stored summary if it cannot say more.

    `event` is an AuditEvent, or anything with its `action`, `data`, `summary`,
    `case_reference`, `object_id` and `actor_username`.
    """
    describe = describer_for(event.action)
    if describe is None:
        return event.summary
    try:
        return describe(event, event.data or {})
    except (KeyError, TypeError, ValueError):
        # Recorded before the event carried what this sentence needs.
        return event.summary
