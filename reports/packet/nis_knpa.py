"""The report for Korea's National Intelligence Service (111) and National Police Agency (112):
the same facts as the IC3 complaint, in Korean (from the gettext catalogue)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ..documents import candidate_rows, user_name
from ..labels import labels
from ..selectors import Dossier
from . import narrative

LANGUAGE = "ko"


def nis_knpa_text(job, dossier: Dossier, generated_at, evidence: list, facts) -> str:
    L = labels(LANGUAGE)
    case, c = dossier.case, dossier.candidate
    organisation = settings.VETTING_ORGANISATION_NAME
    none = L["none_recorded"]

    def section(title: str, lines: list[str]) -> str:
        return f"■ {title}\n" + "\n".join(lines) + "\n"

    rows = [
        f"{label}: {value}"
        for label, value in candidate_rows(dossier, LANGUAGE, clear_numbers=True)
    ]
    with translation.override(LANGUAGE):
        return "\n".join(
            [
                _(
                    "Report to the National Intelligence Service (111, www.nis.go.kr) and the "
                    "National Police Agency (112, ecrm.police.go.kr)"
                )
                + "\n"
                + _("Case %(reference)s · report job #%(job)s · prepared %(at)s")
                % {"reference": case.reference, "job": job.pk, "at": generated_at.isoformat()}
                + "\n",
                section(
                    _("1. Reporting organisation"),
                    [
                        _("Organisation: %(name)s") % {"name": organisation},
                        _("Contact person's name, address, phone and e-mail: (add when filing)"),
                    ],
                ),
                section(_("2. Subject (as claimed)"), rows),
                section(
                    _("3. Financial transactions"),
                    [
                        _(
                            "No payment to the applicant is recorded in vetting (screened before "
                            "hiring). If money was paid or lost, add the date, amount, method and "
                            "receiving account of each payment."
                        ),
                        _(
                            "Account the applicant supplied: %(bank)s / routing number "
                            "%(routing)s / account number %(account)s"
                        )
                        % {
                            "bank": c.bank_name or none,
                            "routing": c.routing_number or none,
                            "account": c.account_number or none,
                        },
                    ],
                ),
                section(
                    _("4. Summary of the case"),
                    [
                        narrative.introduction(facts, LANGUAGE),
                        narrative.conclusion(facts, LANGUAGE),
                    ],
                ),
                section(
                    _("5. Risk indicators"),
                    narrative.indicator_and_finding_lines(facts, LANGUAGE)
                    or [_("No risk indicator was observed.")],
                ),
                section(
                    _("6. Evidence (SHA-256)"),
                    [
                        _("%(number)s %(path)s — %(sha256)s (%(size)s bytes)")
                        % {k: e[k] for k in ("number", "path", "sha256", "size")}
                        for e in evidence
                    ]
                    or [none],
                ),
                section(
                    _("7. Prepared by"),
                    [
                        f"{organisation} · {user_name(job.requester)}",
                        _("vetting case %(reference)s, report job #%(job)s")
                        % {"reference": case.reference, "job": job.pk},
                    ],
                ),
            ]
        )
