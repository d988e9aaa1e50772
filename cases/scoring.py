"""Risk scoring: a pure, deterministic function of answers, catalogue version and policy.

Policies are versioned data: a changed rule is a new policy version, so a snapshot taken under
an old policy can always be recomputed exactly.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_noop

CURRENT_POLICY_VERSION = "2026.1"

POLICIES = {
    "2026.1": {
        "description": (
            "Observed red flags add their full weight; unknown or unanswered red flags add half. "
            "Due diligence not completed adds half its weight as an assurance gap; an adverse "
            "finding adds its full weight. A critical item observed (or adverse) forces the "
            "critical level."
        ),
        "red_flag": {"observed": "1", "unknown": "0.5", "": "0.5", "not_observed": "0"},
        "due_diligence": {
            "adverse": "1",
            "not_completed": "0.5",
            "": "0.5",
            "completed": "0",
            "not_applicable": "0",
        },
        # (minimum score, level), checked from the highest.
        "levels": [["60", "critical"], ["35", "high"], ["15", "medium"], ["0", "low"]],
        "critical_values": ["observed", "adverse"],
    },
}

LEVEL_ORDER = ["low", "medium", "high", "critical"]

# Why an answer adds points, by answer value. Snapshots store the English text; pages and
# documents show `reason_label`, in their own language.
REASONS = {
    "observed": gettext_noop("Red flag observed"),
    "unknown": gettext_noop("Red flag not yet ruled out (unknown)"),
    "": gettext_noop("Not answered yet"),
    "adverse": gettext_noop("Due diligence found an adverse result"),
    "not_completed": gettext_noop("Due diligence not completed (assurance gap)"),
}


def reason_label(value: str, *, forced_critical: bool = False) -> str:
    """Why an answer with this value adds points, in the active language; `forced_critical`
    when the item is critical and its answer forced the critical level."""
    reason = gettext(REASONS[value]) if value in REASONS else value
    return f"{reason} — {gettext('critical item')}" if forced_critical else reason


@dataclass(frozen=True)
class ScoringInput:
    code: str
    kind: str
    title: str
    weight: int
    critical: bool
    value: str  # "" when unanswered


@dataclass(frozen=True)
class Contribution:
    code: str
    title: str
    kind: str
    value: str
    points: str
    reason: str
    critical: bool


@dataclass(frozen=True)
class RiskResult:
    score: str
    level: str
    policy_version: str
    catalog_version: str
    inputs_hash: str
    forced_critical_by: list[str] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class UnknownPolicyError(ValueError):
    pass


def inputs_hash(inputs: list[ScoringInput], catalog_version: str, policy_version: str) -> str:
    canonical = {
        "catalog_version": catalog_version,
        "policy_version": policy_version,
        "answers": sorted([i.code, i.value, i.weight, i.critical, i.kind] for i in inputs),
    }
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def compute_risk(
    inputs: list[ScoringInput],
    catalog_version: str,
    policy_version: str = CURRENT_POLICY_VERSION,
) -> RiskResult:
    try:
        policy = POLICIES[policy_version]
    except KeyError as exc:
        raise UnknownPolicyError(f"Unknown scoring policy {policy_version!r}.") from exc

    total = Decimal("0")
    contributions = []
    forced = []
    for item in sorted(inputs, key=lambda i: i.code):
        factor = Decimal(policy[item.kind].get(item.value, "0"))
        points = (factor * item.weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if item.critical and item.value in policy["critical_values"]:
            forced.append(item.code)
        if points > 0:
            total += points
            contributions.append(
                Contribution(
                    code=item.code,
                    title=item.title,
                    kind=item.kind,
                    value=item.value,
                    points=str(points),
                    reason=REASONS.get(item.value, item.value)
                    + (" — critical item" if item.code in forced else ""),
                    critical=item.critical,
                )
            )
    level = next(name for minimum, name in policy["levels"] if total >= Decimal(minimum))
    if forced:
        level = "critical"
    contributions.sort(key=lambda c: (-Decimal(c.points), c.code))
    return RiskResult(
        score=str(total.quantize(Decimal("0.01"))),
        level=level,
        policy_version=policy_version,
        catalog_version=catalog_version,
        inputs_hash=inputs_hash(inputs, catalog_version, policy_version),
        forced_critical_by=forced,
        contributions=contributions,
    )
