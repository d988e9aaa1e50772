"""Links to other cases: a case that was referred or rejected, or many cases at once.

The facts carry only what `cases.selectors.linked_cases` matched on identifiers of the candidate's
own (phones, e-mails, IP addresses, profiles, shipping address, bank account, identity document,
or a name together with the same date of birth, which counts as one identifier): never a name
alone, and never a reference's contact, which says nothing about the candidate.
"""

from django.utils.translation import gettext_lazy as _

from ..facts import CandidateFacts
from ..findings import ADVISORY_2022, Finding, Severity, interpolate
from ..reference import ReferenceData

FINDINGS = ("links.flagged_case", "links.many_cases")
# Two identifiers shared with a referred or rejected case make one person far more likely than
# one (a recycled phone number, a shared office address): the finding is then critical.
CRITICAL_AT_IDENTIFIERS = 2
# A candidate who shares identifiers with this many other cases applies under several names, or
# is a facilitator's contact reused across personas (2022 advisory, DD-2022-06 / RF-2022-02).
MANY_CASES = 3


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    for link in facts.links:
        if not link.flagged or not link.matched:
            continue
        findings.append(
            Finding(
                "links.flagged_case",
                Severity.CRITICAL
                if len(link.matched) >= CRITICAL_AT_IDENTIFIERS
                else Severity.HIGH,
                _("Shares identifiers with a referred or rejected case"),
                interpolate(
                    _("%(reference)s was %(outcome)s; identifiers shared with it: %(kinds)s."),
                    {
                        "reference": link.reference,
                        "outcome": link.outcome,
                        "kinds": ", ".join(link.matched),
                    },
                ),
                ADVISORY_2022,
                subject=link.reference,
            )
        )
    linked = [link for link in facts.links if link.matched]
    if len(linked) >= MANY_CASES:
        findings.append(
            Finding(
                "links.many_cases",
                Severity.HIGH,
                _("Shares identifiers with three or more other cases"),
                interpolate(
                    _("Linked to %(n)d other cases: %(references)s."),
                    {
                        "n": len(linked),
                        "references": ", ".join(sorted(link.reference for link in linked)),
                    },
                ),
                ADVISORY_2022,
            )
        )
    return findings
