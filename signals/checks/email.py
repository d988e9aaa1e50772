"""E-mail: addresses at disposable-mail domains."""

from django.utils.translation import gettext_lazy as _

from ..facts import CandidateFacts
from ..findings import Finding, Severity, Source, interpolate
from ..reference import ReferenceData

FINDINGS = ("email.disposable",)
DISPOSABLE_LIST = Source(
    "disposable-email-domains (community-maintained list, MIT)",
    "https://github.com/disposable-email-domains/disposable-email-domains",
)


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    findings = []
    for address in facts.emails:
        domain = address.rsplit("@", 1)[-1].strip().lower()
        parts = domain.split(".")
        # A subdomain of a listed domain counts too (x.mailinator.com).
        if any(".".join(parts[i:]) in data.disposable_domains for i in range(len(parts) - 1)):
            findings.append(
                Finding(
                    "email.disposable",
                    Severity.MEDIUM,
                    _("Disposable e-mail address"),
                    interpolate(
                        _("%(email)s uses %(domain)s, a disposable (throw-away) mail service."),
                        {"email": address, "domain": domain},
                    ),
                    DISPOSABLE_LIST,
                    subject=address,
                )
            )
    return findings
