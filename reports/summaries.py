"""How report and integrity events read in the audit trail (see audit.summaries)."""

from collections.abc import Callable

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.summaries import label, register

from .models import ReportKind, ReportLanguage


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
        files = (
            _(
                "Integrity check (job #%(id)s): %(checked)s files checked, %(changed)s changed, "
                "%(missing)s missing"
            )
            % values
        )
    else:
        files = (
            _("Integrity check (job #%(id)s): %(checked)s files checked, each matches its SHA-256")
            % values
        )
    return f"{files}; {_chain_verdict(data['audit_chain'])}" if data.get("audit_chain") else files


def _chain_verdict(chain: dict) -> str:
    if chain["intact"]:
        return _("audit chain intact (%(n)s events)") % {"n": chain["checked"]}
    return _("audit chain broken at event %(sequence)s: %(reason)s") % chain["first_broken"]


def _audit_exported(event, data):
    return _("Exported audit events from %(start)s to %(end)s as %(format)s") % {
        "start": data["start"],
        "end": data["end"],
        "format": data["format"].upper(),
    }


def register_describers() -> None:
    register(
        {
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
        }
    )
