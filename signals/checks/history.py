"""Education versus employment geography (RF-2023-06).

The advisory's red flag: education at universities in China, Japan, Singapore, Malaysia or other
Asian countries, with employment almost exclusively in the United States, the Republic of Korea
and Canada. Someone who studied and then worked in the same country (a Korean who studied and
works in Korea) is not flagged, and the finding is low: it is one weak pattern among many.
"""

from django.utils.translation import gettext_lazy as _

from ..facts import CandidateFacts
from ..findings import ADVISORY_2023, Finding, Severity, Suggestion, interpolate
from ..reference import ReferenceData

FINDINGS = ("history.education_employment_geography",)

# UN M49 "Asia" (Eastern, South-eastern, Southern, Central and Western Asia).
ASIA = frozenset(
    (  # noqa: SIM905
        "CN HK MO JP KP KR MN TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN IR MV NP PK LK "
        "KZ KG TJ TM UZ AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
    ).split()
)
TARGET_EMPLOYMENT = frozenset({"US", "KR", "CA"})
ALMOST_EXCLUSIVELY = 0.8  # share of employment entries (with a known country) in US/KR/CA


def check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]:
    studied = {h.country for h in facts.history if h.kind == "education" and h.country}
    worked = [h.country for h in facts.history if h.kind == "employment" and h.country]
    asian_study = studied & ASIA
    if not asian_study or not worked or studied & set(worked):
        return []
    share = sum(country in TARGET_EMPLOYMENT for country in worked) / len(worked)
    if share < ALMOST_EXCLUSIVELY:
        return []
    return [
        Finding(
            "history.education_employment_geography",
            Severity.LOW,
            _("Education in Asia, employment almost only in the US, Korea or Canada"),
            interpolate(
                _(
                    "Studied in %(studied)s; %(n)d of %(total)d jobs are in the US, the Republic "
                    "of Korea or Canada, none in the country of study."
                ),
                {
                    "studied": ", ".join(sorted(asian_study)),
                    "n": sum(c in TARGET_EMPLOYMENT for c in worked),
                    "total": len(worked),
                },
            ),
            ADVISORY_2023,
            suggests=Suggestion("RF-2023-06", "observed"),
        )
    ]
