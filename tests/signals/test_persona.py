from signals.findings import Severity

from .helpers import only, screen


def test_an_email_at_a_domain_public_research_ties_to_personas_is_high():
    finding = only(screen(emails=("j.novak@belgradeuniversity.edu",)), "persona.public_identifier")
    assert finding.severity == Severity.HIGH
    assert finding.source.url.startswith("https://cloud.google.com/")


def test_legitimate_services_named_beside_the_indicators_are_not_flagged():
    assert screen(emails=("me@payoneer.com", "me@upwork.com")) == []
