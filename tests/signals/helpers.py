"""Screening helpers for the signals tests: real reference data, no mocks."""

from signals.checks import FINDING_IDS
from signals.facts import CandidateFacts
from signals.services import screen_facts


def screen(**facts):
    findings = screen_facts(CandidateFacts(**facts))
    assert {finding.check for finding in findings} <= FINDING_IDS
    return findings


def by_check(findings, check):
    return [finding for finding in findings if finding.check == check]


def only(findings, check):
    matching = by_check(findings, check)
    assert len(matching) == 1, [f.check for f in findings]
    return matching[0]
