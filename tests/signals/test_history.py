from signals.facts import HistoryFact
from signals.findings import Severity, Suggestion

from .helpers import only, screen


def history(studied, *worked):
    return (HistoryFact("education", studied), *(HistoryFact("employment", c) for c in worked))


def test_study_in_asia_and_work_almost_only_in_the_us_korea_or_canada_is_low():
    finding = only(
        screen(history=history("CN", "US", "KR", "CA", "US")),
        "history.education_employment_geography",
    )
    assert finding.severity == Severity.LOW
    assert finding.suggests == Suggestion("RF-2023-06", "observed")


def test_study_and_work_in_the_same_country_gives_nothing():
    assert screen(history=history("KR", "KR", "KR")) == []


def test_work_in_the_country_of_study_as_well_gives_nothing():
    assert screen(history=history("CN", "CN", "US")) == []


def test_work_mostly_elsewhere_gives_nothing():
    assert screen(history=history("SG", "DE", "FR", "US")) == []


def test_study_outside_asia_gives_nothing():
    assert screen(history=history("DE", "US", "US")) == []
