"""The registry of checks. A check is one module here plus one entry in CHECKS.

Each module exposes `check(facts: CandidateFacts, data: ReferenceData) -> list[Finding]`, a pure
function, and `FINDINGS`, the dotted ids it may emit. No check sees a name or a nationality:
`CandidateFacts` does not carry them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..facts import CandidateFacts
from ..findings import Finding
from ..reference import ReferenceData
from . import bank, email, history, ip, links, persona, phone, shipping


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[CandidateFacts, ReferenceData], list[Finding]]
    findings: tuple[str, ...]


CHECKS = tuple(
    Check(module.__name__.rsplit(".", 1)[-1], module.check, module.FINDINGS)
    for module in (ip, phone, email, bank, shipping, history, persona, links)
)
FINDING_IDS = frozenset(finding for check in CHECKS for finding in check.findings)
