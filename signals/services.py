"""Screening: run every registered check over a candidate's facts."""

from .checks import CHECKS
from .facts import CandidateFacts
from .findings import Finding
from .reference import ReferenceData, reference_data


def screen_facts(facts: CandidateFacts, data: ReferenceData | None = None) -> list[Finding]:
    """Every finding of every check, most severe first (stable within a severity)."""
    data = data or reference_data()
    findings = [finding for check in CHECKS for finding in check.run(facts, data)]
    return sorted(findings, key=lambda finding: -finding.severity)
