"""Risk scoring: a pure, deterministic function of answers, catalogue version and policy.

Policies are versioned data: a changed rule is a new policy version, so a snapshot taken under
an old policy can always be recomputed exactly.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, gettext_noop

CURRENT_POLICY_VERSION = "2026.2"

_ANSWER_FACTORS = {
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
}

POLICIES = {
    "2026.1": {
        # Marked for the message catalogue: pages show it translated (vetting_tags).
        "description": gettext_noop(
            "Observed red flags add their full weight; unknown or unanswered red flags add half. "
            "Due diligence not completed adds half its weight as an assurance gap; an adverse "
            "finding adds its full weight. A critical item observed (or adverse) forces the "
            "critical level."
        ),
        **_ANSWER_FACTORS,
    },
    "2026.2": {
        "description": gettext_noop(
            "Answers count as in 2026.1. Each open or accepted finding of the automated checks "
            "adds points by its severity (info 0, low 2, medium 5, high 15, critical 35); "
            "dismissed findings count nothing, and an accepted finding whose suggested answer "
            "was filled in counts through that answer only. A critical item observed (or "
            "adverse), a North Korean IP address or phone number forces the critical level; "
            "any other critical finding or a link to a referred or rejected case forces at "
            "least high."
        ),
        **_ANSWER_FACTORS,
        "findings": {
            "description": (
                "Points per open or accepted finding, by severity. A dismissed finding counts "
                "nothing; an accepted one whose suggested answer was filled in counts 0 here "
                "because the answer carries it."
            ),
            "points": {"info": "0", "low": "2", "medium": "5", "high": "15", "critical": "35"},
            "counted_statuses": ["open", "accepted"],
        },
        "forced_levels": {
            # check id -> the level an open or accepted finding of it forces
            "checks": {"ip.dprk_address": "critical", "phone.dprk": "critical"},
            "critical_finding": "high",
            "flagged_link": "high",
        },
    },
}

LEVEL_ORDER = ["low", "medium", "high", "critical"]

# Why an answer adds points, by answer value. Snapshots store the English text; pages and
# documents show `reason_label` / `contribution_reason`, in their own language.
REASONS = {
    "observed": gettext_noop("Red flag observed"),
    "unknown": gettext_noop("Red flag not yet ruled out (unknown)"),
    "": gettext_noop("Not answered yet"),
    "adverse": gettext_noop("Due diligence found an adverse result"),
    "not_completed": gettext_noop("Due diligence not completed (assurance gap)"),
}
# Why a finding or a link counts (policy 2026.2), by status or outcome.
FINDING_REASONS = {
    "open": gettext_noop("Open finding %(check)s (%(severity)s)"),
    "accepted": gettext_noop("Accepted finding %(check)s (%(severity)s)"),
}
COUNTED_THROUGH_ANSWER = gettext_noop(
    "Accepted finding %(check)s (%(severity)s): counted through its answer to %(item)s"
)
LINK_REASONS = {
    "referred": gettext_noop("Linked to referred case %(reference)s (%(matched)s)"),
    "rejected": gettext_noop("Linked to rejected case %(reference)s (%(matched)s)"),
}
# What forced a level (policy 2026.2), by kind of input.
FORCED_REASONS = {
    ("answer", "observed"): gettext_noop("Critical item %(code)s observed"),
    ("answer", "adverse"): gettext_noop("Critical item %(code)s: adverse result"),
    ("link", "referred"): gettext_noop("Link to referred case %(code)s"),
    ("link", "rejected"): gettext_noop("Link to rejected case %(code)s"),
    ("finding", ""): gettext_noop("%(severity)s finding %(code)s"),
}


def _forced_text(kind: str, value: str, code: str, translate) -> str:
    if kind == "finding":
        severity = _level_word(value, translate)
        text = translate(FORCED_REASONS["finding", ""]) % {"severity": severity, "code": code}
        return text[:1].upper() + text[1:]
    template = FORCED_REASONS.get((kind, value))
    return translate(template) % {"code": code} if template else f"{kind} {code} {value}"


LEVEL_LABELS = {
    "low": gettext_noop("Low"),
    "medium": gettext_noop("Medium"),
    "high": gettext_noop("High"),
    "critical": gettext_noop("Critical"),
}


def reason_label(value: str, *, forced_critical: bool = False) -> str:
    """Why an answer with this value adds points, in the active language; `forced_critical`
    when the item is critical and its answer forced the critical level."""
    reason = gettext(REASONS[value]) if value in REASONS else value
    return f"{reason} — {gettext('critical item')}" if forced_critical else reason


def _get(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _level_word(level: str, translate) -> str:
    return translate(LEVEL_LABELS[level]).lower() if level in LEVEL_LABELS else level


def _finding_reason(check, severity, status, through, translate) -> str:
    values = {"check": check, "severity": _level_word(severity, translate), "item": through}
    if through:
        return translate(COUNTED_THROUGH_ANSWER) % values
    return translate(FINDING_REASONS.get(status, FINDING_REASONS["open"])) % values


def _link_reason(reference, outcome, matched, translate) -> str:
    return translate(LINK_REASONS[outcome]) % {"reference": reference, "matched": matched}


def contribution_reason(contribution) -> str:
    """Why a contribution (a `Contribution` or its stored dict) counts, in the active language."""
    kind, value, code = (_get(contribution, name) for name in ("kind", "value", "code"))
    if kind == "finding":
        return _finding_reason(
            code, _get(contribution, "severity"), value, _get(contribution, "through"), gettext
        )
    if kind == "link" and value in LINK_REASONS:
        return _link_reason(code, value, _get(contribution, "subject") or "", gettext)
    forced = bool(_get(contribution, "critical")) and value in ("observed", "adverse")
    return reason_label(value, forced_critical=forced)


def forced_reason(forcing) -> str:
    """What forced a level (a `Forcing` or its stored dict), in the active language."""
    kind, value, code = (_get(forcing, name) or "" for name in ("kind", "value", "code"))
    return _forced_text(kind, value, code, gettext)


@dataclass(frozen=True)
class ScoringInput:
    code: str
    kind: str
    title: str
    weight: int
    critical: bool
    value: str  # "" when unanswered


@dataclass(frozen=True)
class FindingInput:
    """A stored finding of the automated checks (policy 2026.2 on)."""

    check: str
    severity: str  # info, low, medium, high, critical
    status: str  # open, accepted, dismissed
    summary: str
    subject: str = ""
    suggests_item_code: str = ""
    suggests_value: str = ""


@dataclass(frozen=True)
class LinkInput:
    """Another case sharing identifiers of the candidate's own (policy 2026.2 on)."""

    reference: str
    outcome: str = ""  # "referred" or "rejected", else ""
    matched: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> "LinkInput":
        return cls(data["reference"], data.get("outcome", ""), tuple(data.get("matched", ())))


@dataclass(frozen=True)
class Contribution:
    code: str  # item code, check id (finding) or case reference (link)
    title: str
    kind: str  # red_flag, due_diligence, finding, link
    value: str  # answer value, finding status, or the linked case's outcome
    points: str
    reason: str  # in English; `contribution_reason` gives it in the active language
    critical: bool
    # Policy 2026.2 on, for findings and links; None (and left out of `as_dict`) otherwise.
    severity: str | None = None
    subject: str | None = None
    through: str | None = None  # the item code an accepted finding counts through


@dataclass(frozen=True)
class Forcing:
    """What forced the level up to at least `level`."""

    level: str
    kind: str  # answer, finding, link
    code: str  # item code, check id or case reference
    value: str  # answer value, finding severity or linked case outcome
    reason: str  # in English; `forced_reason` gives it in the active language


@dataclass(frozen=True)
class RiskResult:
    score: str
    level: str
    policy_version: str
    catalog_version: str
    inputs_hash: str
    forced_critical_by: list[str] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    # Policy 2026.2 on: every input that forced a level; None (left out of `as_dict`) before.
    forced_by: list[Forcing] | None = None
    # Every catalogue version the case pins, its base first (None, left out of `as_dict`, for
    # results computed without the list, as every snapshot before several catalogues per case).
    catalog_versions: list[str] | None = None

    def as_dict(self) -> dict:
        """As stored in snapshots: fields a policy does not record (None) are left out, so a
        2026.1 result has exactly the shape of 2026.1 snapshots."""
        data = {key: value for key, value in asdict(self).items() if value is not None}
        data["contributions"] = [
            {key: value for key, value in c.items() if value is not None}
            for c in data["contributions"]
        ]
        return data


class UnknownPolicyError(ValueError):
    pass


def inputs_hash(
    inputs: list[ScoringInput],
    catalog_version: str,
    policy_version: str,
    findings: list[FindingInput] | None = None,
    links: list[LinkInput] | None = None,
    catalog_versions: list[str] | None = None,
) -> str:
    """SHA-256 of the inputs. Policies that weigh findings and links (2026.2 on) hash them too;
    2026.1's hash covers the answers only, as it always did.

    The pinned versions are hashed only when a case pins more than its base version: a case
    asking one catalogue hashes exactly as before several catalogues per case existed, so the
    snapshots of such cases (old and new) keep their hash."""
    canonical = {
        "catalog_version": catalog_version,
        "policy_version": policy_version,
        "answers": sorted([i.code, i.value, i.weight, i.critical, i.kind] for i in inputs),
    }
    if catalog_versions is not None and list(catalog_versions) != [catalog_version]:
        canonical["catalog_versions"] = list(catalog_versions)
    if findings is not None:
        canonical["findings"] = sorted(
            [
                f.check,
                f.subject,
                f.severity,
                f.status,
                f.summary,
                f.suggests_item_code,
                f.suggests_value,
            ]
            for f in findings
        )
    if links is not None:
        canonical["links"] = sorted(
            [link.reference, link.outcome, sorted(link.matched)] for link in links
        )
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def _english(text: str) -> str:
    return text


def _answers(policy, inputs, contributions, forced):
    total = Decimal("0")
    for item in sorted(inputs, key=lambda i: i.code):
        factor = Decimal(policy[item.kind].get(item.value, "0"))
        points = (factor * item.weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        forces = item.critical and item.value in policy["critical_values"]
        if forces:
            reason = _forced_text("answer", item.value, item.code, _english)
            forced.append(Forcing("critical", "answer", item.code, item.value, reason))
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
                    + (" — critical item" if forces else ""),
                    critical=item.critical,
                )
            )
    return total


def _findings(policy, findings, answered, contributions, forced):
    rules, forcing = policy["findings"], policy["forced_levels"]
    total = Decimal("0")
    for finding in sorted(findings, key=lambda f: (f.check, f.subject, f.status)):
        if finding.status not in rules["counted_statuses"]:
            continue
        level = forcing["checks"].get(finding.check)
        if level is None and finding.severity == "critical":
            level = forcing["critical_finding"]
        if level:
            forced.append(
                Forcing(
                    level,
                    "finding",
                    finding.check,
                    finding.severity,
                    _forced_text("finding", finding.severity, finding.check, _english),
                )
            )
        through = None
        if (
            finding.status == "accepted"
            and finding.suggests_item_code
            and answered.get(finding.suggests_item_code) == finding.suggests_value
        ):
            through = finding.suggests_item_code
            points = Decimal("0")
        else:
            points = Decimal(rules["points"].get(finding.severity, "0"))
        points = points.quantize(Decimal("0.01"))
        if points == 0 and not through:
            continue
        total += points
        contributions.append(
            Contribution(
                code=finding.check,
                title=finding.summary,
                kind="finding",
                value=finding.status,
                points=str(points),
                reason=_finding_reason(
                    finding.check, finding.severity, finding.status, through, _english
                ),
                critical=finding.severity == "critical",
                severity=finding.severity,
                subject=finding.subject,
                through=through,
            )
        )
    return total


def _links(policy, links, contributions, forced):
    level = policy["forced_levels"]["flagged_link"]
    for link in sorted(links, key=lambda link: link.reference):
        if link.outcome not in LINK_REASONS:
            continue
        matched = ", ".join(link.matched)
        forced.append(
            Forcing(
                level,
                "link",
                link.reference,
                link.outcome,
                _forced_text("link", link.outcome, link.reference, _english),
            )
        )
        contributions.append(
            Contribution(
                code=link.reference,
                title=link.reference,
                kind="link",
                value=link.outcome,
                points="0.00",
                reason=_link_reason(link.reference, link.outcome, matched, _english),
                critical=False,
                subject=matched,
            )
        )


def compute_risk(
    inputs: list[ScoringInput],
    catalog_version: str,
    policy_version: str = CURRENT_POLICY_VERSION,
    *,
    findings: list[FindingInput] = (),
    links: list[LinkInput] = (),
    catalog_versions: list[str] | None = None,
) -> RiskResult:
    """Score the answers (and, from policy 2026.2, the findings and the links).

    Policy 2026.1 reads the answers only: its results and hashes are those it always gave.
    `catalog_versions`: every version the case pins, its base (`catalog_version`) first; the
    answers are those of every pinned item. Scoring reads items by code whatever their version,
    so the rules of every policy apply unchanged to several catalogues.
    """
    try:
        policy = POLICIES[policy_version]
    except KeyError as exc:
        raise UnknownPolicyError(f"Unknown scoring policy {policy_version!r}.") from exc

    contributions: list[Contribution] = []
    forced: list[Forcing] = []
    total = _answers(policy, inputs, contributions, forced)
    weighs_signals = "findings" in policy
    if weighs_signals:
        answered = {item.code: item.value for item in inputs}
        total += _findings(policy, findings, answered, contributions, forced)
        _links(policy, links, contributions, forced)
    level = next(name for minimum, name in policy["levels"] if total >= Decimal(minimum))
    for forcing in forced:
        if LEVEL_ORDER.index(forcing.level) > LEVEL_ORDER.index(level):
            level = forcing.level
    contributions.sort(key=lambda c: (-Decimal(c.points), c.code, c.subject or ""))
    return RiskResult(
        score=str(total.quantize(Decimal("0.01"))),
        level=level,
        policy_version=policy_version,
        catalog_version=catalog_version,
        inputs_hash=inputs_hash(
            inputs,
            catalog_version,
            policy_version,
            list(findings) if weighs_signals else None,
            list(links) if weighs_signals else None,
            catalog_versions,
        ),
        forced_critical_by=[f.code for f in forced if f.kind == "answer"],
        contributions=contributions,
        forced_by=forced if weighs_signals else None,
        catalog_versions=list(catalog_versions) if catalog_versions is not None else None,
    )
