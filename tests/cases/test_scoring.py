import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import scoring, selectors, services
from cases.models import Status
from cases.scoring import FindingInput, LinkInput, ScoringInput, compute_risk

RED_FLAG_VALUES = ["observed", "not_observed", "unknown", ""]
DD_VALUES = ["completed", "adverse", "not_completed", "not_applicable", ""]


def red_flag(code, value, weight=10, critical=False):
    return ScoringInput(code, "red_flag", f"title {code}", weight, critical, value)


def due_diligence(code, value, weight=10, critical=False):
    return ScoringInput(code, "due_diligence", f"title {code}", weight, critical, value)


def test_observed_red_flags_add_their_weight_and_unknown_half():
    result = compute_risk(
        [
            red_flag("RF-1", "observed", 12),
            red_flag("RF-2", "unknown", 10),
            red_flag("RF-3", "not_observed", 30),
        ],
        "2023-10",
    )
    assert Decimal(result.score) == Decimal("17")
    assert result.level == "medium"
    assert [(c.code, c.points) for c in result.contributions] == [
        ("RF-1", "12.00"),
        ("RF-2", "5.00"),
    ]
    assert result.contributions[0].reason == "Red flag observed"


def test_due_diligence_gaps_and_adverse_findings_count():
    result = compute_risk(
        [
            due_diligence("DD-1", "not_completed", 10),
            due_diligence("DD-2", "adverse", 8),
            due_diligence("DD-3", "completed", 20),
            due_diligence("DD-4", "not_applicable", 20),
        ],
        "2023-10",
    )
    assert Decimal(result.score) == Decimal("13")
    assert {c.code for c in result.contributions} == {"DD-1", "DD-2"}
    assert "assurance gap" in next(c.reason for c in result.contributions if c.code == "DD-1")


def test_critical_item_forces_critical_level():
    result = compute_risk([red_flag("RF-8", "observed", 1, critical=True)], "2023-10")
    assert result.level == "critical" and result.forced_critical_by == ["RF-8"]
    assert "critical item" in result.contributions[0].reason


def test_nothing_observed_and_all_done_is_low_zero():
    result = compute_risk(
        [red_flag("RF-1", "not_observed"), due_diligence("DD-1", "completed")], "2023-10"
    )
    assert result.score == "0.00" and result.level == "low" and result.contributions == []


def test_unknown_policy_is_refused():
    with pytest.raises(scoring.UnknownPolicyError):
        compute_risk([], "2023-10", policy_version="1999.1")


def test_same_inputs_give_same_hash_and_any_change_changes_it():
    inputs = [red_flag("RF-1", "observed"), due_diligence("DD-1", "completed")]
    a = compute_risk(inputs, "2023-10")
    b = compute_risk(list(reversed(inputs)), "2023-10")
    assert a == b
    c = compute_risk([red_flag("RF-1", "unknown"), due_diligence("DD-1", "completed")], "2023-10")
    assert c.inputs_hash != a.inputs_hash
    assert compute_risk(inputs, "2022-05").inputs_hash != a.inputs_hash


answers = st.lists(
    st.tuples(
        st.sampled_from(["red_flag", "due_diligence"]),
        st.integers(min_value=1, max_value=30),
        st.booleans(),
        st.integers(min_value=0, max_value=4),
    ),
    min_size=1,
    max_size=40,
)


def build(entries):
    inputs = []
    for index, (kind, weight, critical, pick) in enumerate(entries):
        values = RED_FLAG_VALUES if kind == "red_flag" else DD_VALUES
        inputs.append(
            ScoringInput(f"X-{index:02d}", kind, "t", weight, critical, values[pick % len(values)])
        )
    return inputs


LEVELS = scoring.LEVEL_ORDER


@given(answers, st.data())
def test_observing_one_more_red_flag_never_lowers_the_score(entries, data):
    inputs = build(entries)
    candidates = [
        i for i, item in enumerate(inputs) if item.kind == "red_flag" and item.value != "observed"
    ]
    if not candidates:
        return
    index = data.draw(st.sampled_from(candidates))
    before = compute_risk(inputs, "v")
    changed = list(inputs)
    changed[index] = ScoringInput(**{**vars(inputs[index]), "value": "observed"})
    after = compute_risk(changed, "v")
    assert Decimal(after.score) >= Decimal(before.score)
    assert LEVELS.index(after.level) >= LEVELS.index(before.level)


@given(answers, st.data())
def test_completing_due_diligence_never_raises_the_score(entries, data):
    inputs = build(entries)
    candidates = [
        i
        for i, item in enumerate(inputs)
        if item.kind == "due_diligence" and item.value in ("not_completed", "")
    ]
    if not candidates:
        return
    index = data.draw(st.sampled_from(candidates))
    changed = list(inputs)
    changed[index] = ScoringInput(**{**vars(inputs[index]), "value": "completed"})
    assert Decimal(compute_risk(changed, "v").score) <= Decimal(compute_risk(inputs, "v").score)


@given(answers)
def test_score_equals_the_sum_of_contributions(entries):
    result = compute_risk(build(entries), "v")
    assert Decimal(result.score) == sum(
        (Decimal(c.points) for c in result.contributions), Decimal("0")
    )


@pytest.mark.django_db
def test_submission_snapshot_is_reproducible(answered_case, hr):
    case = answered_case(
        overrides={
            "RF-2023-05": ("observed", "Freight forwarder in Delaware"),
            "DD-2023-05": ("not_completed", ""),
        }
    )
    case = services.perform_action(hr, case, "submit")
    snapshot = case.risk_snapshot
    assert snapshot["catalog_version"] == "2023-10"
    assert snapshot["policy_version"] == scoring.CURRENT_POLICY_VERSION
    recomputed = services.recompute_snapshot(snapshot)
    assert recomputed.as_dict() == {k: snapshot[k] for k in recomputed.as_dict()}
    assert selectors.current_risk(case).inputs_hash == snapshot["inputs_hash"]
    assert Decimal(snapshot["score"]) == Decimal("20")  # 15 observed + 5 gap
    assert case.risk_level == "medium"


# ---------------------------------------------------------------- policy 2026.2

POLICY = "2026.2"
LEGACY_SNAPSHOTS = Path(__file__).parent / "data" / "snapshots-2026.1.json"


def finding(check, severity, status="open", subject="x", suggests=("", "")):
    return FindingInput(check, severity, status, f"summary of {check}", subject, *suggests)


def test_the_current_policy_is_2026_2_and_states_its_points_by_severity():
    assert scoring.CURRENT_POLICY_VERSION == POLICY
    table = scoring.POLICIES[POLICY]["findings"]
    assert table["points"] == {
        "info": "0",
        "low": "2",
        "medium": "5",
        "high": "15",
        "critical": "35",
    }
    assert table["description"] and scoring.POLICIES[POLICY]["description"]


def test_open_and_accepted_findings_add_points_by_severity_and_dismissed_ones_nothing():
    result = compute_risk(
        [red_flag("RF-1", "observed", 12)],
        "2023-10",
        POLICY,
        findings=[
            finding("ip.country_mismatch", "medium", subject="81.2.69.142"),
            finding("phone.invalid", "low", "accepted"),
            finding("shipping.forwarder", "high", "dismissed"),
            finding("email.disposable", "info"),
        ],
    )
    assert Decimal(result.score) == Decimal("19")  # 12 + 5 + 2
    assert result.level == "medium"
    rows = [(c.kind, c.code, c.value, c.points, c.reason) for c in result.contributions]
    assert rows == [
        ("red_flag", "RF-1", "observed", "12.00", "Red flag observed"),
        (
            "finding",
            "ip.country_mismatch",
            "open",
            "5.00",
            "Open finding ip.country_mismatch (medium)",
        ),
        ("finding", "phone.invalid", "accepted", "2.00", "Accepted finding phone.invalid (low)"),
    ]
    assert result.contributions[1].subject == "81.2.69.142"
    assert result.contributions[1].severity == "medium"


def test_an_accepted_finding_whose_suggested_answer_was_filled_in_counts_through_the_answer():
    forwarder = finding(
        "shipping.forwarder", "high", "accepted", suggests=("RF-2023-05", "observed")
    )
    result = compute_risk(
        [red_flag("RF-2023-05", "observed", 15)], "2023-10", POLICY, findings=[forwarder]
    )
    assert Decimal(result.score) == Decimal("15")  # not 30
    through = next(c for c in result.contributions if c.kind == "finding")
    assert (through.points, through.through) == ("0.00", "RF-2023-05")
    assert through.reason == (
        "Accepted finding shipping.forwarder (high): counted through its answer to RF-2023-05"
    )
    # Answered otherwise since: the finding counts its own points again.
    changed = compute_risk(
        [red_flag("RF-2023-05", "not_observed", 15)], "2023-10", POLICY, findings=[forwarder]
    )
    assert Decimal(changed.score) == Decimal("15")
    assert next(c for c in changed.contributions if c.kind == "finding").through is None


@pytest.mark.parametrize(
    ("found", "level", "forced"),
    [
        (finding("ip.dprk_address", "critical", subject="175.45.176.77"), "critical", "critical"),
        (finding("phone.dprk", "critical", "accepted"), "critical", "critical"),
        (finding("links.flagged_case", "critical", subject="VET-2026-000001"), "high", "high"),
        (finding("persona.public_identifier", "high"), "medium", None),
        (finding("ip.dprk_address", "critical", "dismissed"), "low", None),
    ],
)
def test_forced_levels_and_what_forced_them(found, level, forced):
    result = compute_risk([], "2023-10", POLICY, findings=[found])
    assert result.level == level
    if forced:
        [forcing] = result.forced_by
        assert (forcing.level, forcing.kind, forcing.code) == (forced, "finding", found.check)
    else:
        assert result.forced_by == []


def test_a_link_to_a_referred_or_rejected_case_forces_at_least_high():
    links = [
        LinkInput("VET-2026-000007", "referred", ("phone",)),
        LinkInput("VET-2026-000008", "", ("email",)),
    ]
    result = compute_risk([red_flag("RF-1", "not_observed")], "2023-10", POLICY, links=links)
    assert (result.score, result.level) == ("0.00", "high")
    [forcing] = result.forced_by
    assert (forcing.kind, forcing.code, forcing.level) == ("link", "VET-2026-000007", "high")
    [link] = result.contributions
    assert (link.kind, link.code, link.value, link.points) == (
        "link",
        "VET-2026-000007",
        "referred",
        "0.00",
    )
    assert link.reason == "Linked to referred case VET-2026-000007 (phone)"
    # Forced levels only raise: 60 points stay critical.
    higher = compute_risk([red_flag("RF-1", "observed", 60)], "2023-10", POLICY, links=links)
    assert higher.level == "critical"


def test_findings_and_links_change_the_2026_2_hash():
    base = compute_risk([red_flag("RF-1", "observed")], "2023-10", POLICY)
    with_finding = compute_risk(
        [red_flag("RF-1", "observed")], "2023-10", POLICY, findings=[finding("phone.voip", "info")]
    )
    dismissed = compute_risk(
        [red_flag("RF-1", "observed")],
        "2023-10",
        POLICY,
        findings=[finding("phone.voip", "info", "dismissed")],
    )
    linked = compute_risk(
        [red_flag("RF-1", "observed")], "2023-10", POLICY, links=[LinkInput("VET-1", "", ("ip",))]
    )
    hashes = {r.inputs_hash for r in (base, with_finding, dismissed, linked)}
    assert len(hashes) == 4


def test_policy_2026_1_ignores_findings_and_links_and_keeps_its_shape():
    legacy = compute_risk(
        [red_flag("RF-1", "observed", 12)],
        "2023-10",
        "2026.1",
        findings=[finding("ip.dprk_address", "critical")],
        links=[LinkInput("VET-1", "referred", ("phone",))],
    )
    assert (legacy.score, legacy.level) == ("12.00", "low")
    assert "forced_by" not in legacy.as_dict()
    assert set(legacy.as_dict()["contributions"][0]) == {
        "code",
        "title",
        "kind",
        "value",
        "points",
        "reason",
        "critical",
    }


@pytest.mark.parametrize("index", [0, 1])
def test_snapshots_stored_under_policy_2026_1_still_recompute_exactly(index):
    snapshot = json.loads(LEGACY_SNAPSHOTS.read_text())[index]  # written by the 2026.1 code
    recomputed = services.recompute_snapshot(snapshot).as_dict()
    stored = {k: v for k, v in snapshot.items() if k not in ("inputs", "computed_at")}
    assert recomputed == stored


finding_entries = st.lists(
    st.tuples(
        st.sampled_from(["ip.country_mismatch", "phone.dprk", "links.flagged_case", "bank.x"]),
        st.sampled_from(["info", "low", "medium", "high", "critical"]),
        st.sampled_from(["open", "accepted", "dismissed"]),
        st.booleans(),
    ),
    max_size=8,
)


def build_findings(entries):
    return [
        FindingInput(
            check,
            severity,
            status,
            "s",
            f"subject {index}",
            *(("X-00", "observed") if suggests else ("", "")),
        )
        for index, (check, severity, status, suggests) in enumerate(entries)
    ]


@given(answers, finding_entries, st.sampled_from(["info", "low", "medium", "high", "critical"]))
def test_one_more_open_finding_never_lowers_the_score(entries, found, severity):
    inputs, findings = build(entries), build_findings(found)
    before = compute_risk(inputs, "v", POLICY, findings=findings)
    extra = FindingInput("ip.hosting_or_vpn", severity, "open", "s", "another subject")
    after = compute_risk(inputs, "v", POLICY, findings=[*findings, extra])
    assert Decimal(after.score) >= Decimal(before.score)
    assert LEVELS.index(after.level) >= LEVELS.index(before.level)
    assert Decimal(after.score) == sum(
        (Decimal(c.points) for c in after.contributions), Decimal("0")
    )


@pytest.mark.django_db
def test_a_snapshot_keeps_the_findings_and_links_and_recomputes_exactly(
    answered_case, open_case, hr, reviewer
):
    from tests.cases.helpers import bring_to

    flagged = bring_to(
        answered_case(legal_name="Kim Ra", claimed_country="US", phones=["+1 (646) 555-0142"]),
        Status.REFERRED,
        hr=hr,
        reviewer=reviewer,
    )
    case = answered_case(
        claimed_country="US",
        phones=["646.555.0142"],
        ip_addresses=["81.2.69.142"],  # GB: ip.country_mismatch, medium
        overrides={"RF-2023-03": ("unknown", "")},
    )
    case = services.perform_action(hr, case, "submit")
    snapshot = case.risk_snapshot

    assert snapshot["policy_version"] == POLICY
    assert {f["check"] for f in snapshot["findings"]} == {
        "ip.country_mismatch",
        "links.flagged_case",
    }
    assert snapshot["links"] == [
        {"reference": flagged.reference, "outcome": "referred", "matched": ["phone"]}
    ]
    # 4 (RF-2023-03 unknown) + 5 (medium) + 15 (high link finding); the link forces high.
    assert Decimal(snapshot["score"]) == Decimal("24")
    assert case.risk_level == "high"
    assert [(f["kind"], f["code"]) for f in snapshot["forced_by"]] == [("link", flagged.reference)]
    recomputed = services.recompute_snapshot(json.loads(json.dumps(snapshot))).as_dict()
    assert recomputed == {k: v for k, v in snapshot.items() if k in recomputed}
    assert set(snapshot) - set(recomputed) == {"inputs", "findings", "links", "computed_at"}
    assert selectors.current_risk(case).inputs_hash == snapshot["inputs_hash"]
    assert not selectors.changed_since_snapshot(case)


@pytest.mark.django_db
def test_the_live_risk_counts_findings_and_dismissing_one_lowers_it(answered_case, reviewer):
    case = answered_case(claimed_country="US", ip_addresses=["81.2.69.142"])
    before = selectors.current_risk(case)
    assert before.score == "5.00"
    [row] = case.findings.all()
    services.dismiss_finding(reviewer, row, "The candidate was travelling; we checked.")
    after = selectors.current_risk(case)
    assert after.score == "0.00" and after.inputs_hash != before.inputs_hash
