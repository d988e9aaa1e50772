"""What a check returns: a finding with its severity, suggestion and source."""

from dataclasses import dataclass
from enum import IntEnum

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class Severity(IntEnum):
    """Ordered, so that `finding.severity >= Severity.MEDIUM` reads as it says."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def label(self):
        return SEVERITY_LABELS[self]


SEVERITY_LABELS = {
    Severity.INFO: _("Info"),
    Severity.LOW: _("Low"),
    Severity.MEDIUM: _("Medium"),
    Severity.HIGH: _("High"),
    Severity.CRITICAL: _("Critical"),
}


@dataclass(frozen=True)
class Suggestion:
    """The checklist answer a finding suggests: an item code of the catalogue and a value."""

    item_code: str
    value: str


@dataclass(frozen=True)
class Source:
    """The advisory, notice or dataset that justifies a finding."""

    title: str
    url: str


@dataclass(frozen=True)
class Finding:
    check: str  # dotted id, e.g. "ip.dprk_address"
    severity: Severity
    summary: str  # one line, translatable (lazy)
    detail: str  # translatable (lazy), with the concrete values
    source: Source
    suggests: Suggestion | None = None
    subject: str = ""  # the fact it is about (an IP, a phone…), for de-duplication and display

    def as_dict(self) -> dict:
        return {
            "check": self.check,
            "severity": self.severity.code,
            "summary": str(self.summary),
            "detail": str(self.detail),
            "suggests": (
                {"item_code": self.suggests.item_code, "value": self.suggests.value}
                if self.suggests
                else None
            ),
            "source": {"title": self.source.title, "url": self.source.url},
            "subject": self.subject,
        }


# Sources cited by several checks (the curated data files cite their own per entry).
ADVISORY_2023 = Source(
    "Additional Guidance on the Democratic People's Republic of Korea Information Technology "
    "Workers (US-ROK, 2023-10-18)",
    "https://www.state.gov/wp-content/uploads/2023/10/2023-10-18-DPRK-IT-Workers-Advisory.pdf",
)
ADVISORY_2022 = Source(
    "Guidance on the Democratic People's Republic of Korea Information Technology Workers "
    "(State/Treasury/FBI, 2022-05-16)",
    "https://home.treasury.gov/system/files/126/20220516_dprk_it_worker_advisory.pdf",
)


def _interpolate(message, params) -> str:
    return str(message) % params


# A translatable text with its values, translated when it is read (not when the check runs).
interpolate = lazy(_interpolate, str)


def country_mismatch(
    check: str,
    severity: Severity,
    summary,
    detail,
    *,
    found: str | None,
    claimed: str | None,
    source: Source,
    subject: str = "",
    suggests: Suggestion | None = None,
) -> list[Finding]:
    """One finding when a fact's country differs from the claimed country of residence; none
    when they agree or either is unknown. `detail` may use %(subject)s, %(found)s, %(claimed)s."""
    if not found or not claimed or found == claimed:
        return []
    values = {"subject": subject, "found": found, "claimed": claimed}
    return [
        Finding(
            check,
            severity,
            summary,
            interpolate(detail, values),
            source,
            suggests=suggests,
            subject=subject,
        )
    ]
