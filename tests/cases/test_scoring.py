from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import scoring, selectors, services
from cases.scoring import ScoringInput, compute_risk

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
