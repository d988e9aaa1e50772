"""Several catalogues per case (issue 13, part 2) and upgrading a case (part 3)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from audit.summaries import describe_event
from cases import scoring, selectors, services
from cases.models import CaseCatalog, ChecklistAnswer, Status
from cases.scoring import ScoringInput, compute_risk
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError, StaleVersion
from indicators.models import CatalogVersion
from indicators.services import set_version_active
from tests.cases.catalogues import item, load_version, newer_base, supplement
from tests.cases.helpers import bring_to

pytestmark = pytest.mark.django_db


def codes(case):
    return [a.item.code for a in selectors.answers_for(case)]


def answer_all(actor, case, overrides=None):
    overrides = overrides or {}
    for answer in selectors.answers_for(case):
        default = "not_observed" if answer.item.is_red_flag else "completed"
        value, note = overrides.get(answer.item.code, (default, ""))
        services.answer_item(actor, case, answer.item.code, value, note)
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------- opening with several


def test_a_new_case_pins_the_default_supplement_and_asks_its_items_after_the_base(
    open_case, tmp_path
):
    extra = supplement(tmp_path)
    case = open_case()
    assert selectors.pinned_version_codes(case) == ["2023-10", extra.code]
    asked = codes(case)
    assert len(asked) == 26 + 4
    assert asked[:26] == [f"RF-2023-{n:02d}" for n in range(1, 11)] + [
        f"DD-2023-{n:02d}" for n in range(1, 17)
    ]
    assert asked[26:] == ["RF-S-01", "DD-S-01", "PH-S-01", "PH-S-02"]
    event = AuditEvent.objects.get(action="case.opened", case_reference=case.reference)
    assert event.data["catalog_versions"] == ["2023-10", extra.code]
    assert event.data["items"] == 30
    assert f"(catalogue 2023-10, {extra.code})" in describe_event(event)


def test_the_may_2022_advisory_can_be_asked_besides_the_base_and_no_code_is_asked_twice(
    open_case, tmp_path
):
    may_2022 = CatalogVersion.objects.get(code="2022-05")
    overlapping = load_version(tmp_path, "test-overlap", [item("RF-2023-01"), item("RF-O-01")])
    case = open_case(supplements=["2022-05", overlapping.code])
    asked = codes(case)
    assert len(asked) == len(set(asked)) == 26 + may_2022.items.count() + 1
    assert asked.count("RF-2023-01") == 1
    rf_2023_01 = selectors.answers_for(case).get(item__code="RF-2023-01")
    assert rf_2023_01.item.version.code == "2023-10"  # the base asks it, not the supplement


def test_an_empty_list_of_supplements_pins_the_base_only(open_case, tmp_path):
    supplement(tmp_path)
    case = open_case(supplements=[])
    assert selectors.pinned_version_codes(case) == ["2023-10"]
    assert len(codes(case)) == 26


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"catalog_version": "1999-01"}, "catalog_version", "not an active catalogue version"),
        ({"catalog_version": "test-supplement-2025"}, "catalog_version", "is a supplement"),
        ({"supplements": ["nope"]}, "supplements", "No catalogue version nope"),
        ({"supplements": ["2022-05", "2022-05"]}, "supplements", "given twice"),
        ({"supplements": ["2023-10"]}, "supplements", "already the base version"),
        ({"supplements": ["inactive-2024"]}, "supplements", "is not active"),
    ],
)
def test_bad_catalogue_choices_are_field_errors_and_open_nothing(
    open_case, tmp_path, data, field, message
):
    supplement(tmp_path)
    set_version_active(load_version(tmp_path, "inactive-2024", [item("RF-I-01")]), False)
    with pytest.raises(ServiceValidationError) as caught:
        open_case(**data)
    assert message in caught.value.errors[field][0]
    assert not CaseCatalog.objects.exists() and not ChecklistAnswer.objects.exists()


def test_fact_and_catalogue_errors_are_reported_together(open_case):
    with pytest.raises(ServiceValidationError) as caught:
        open_case(legal_name="", supplements=["nope"])
    assert {"legal_name", "supplements"} <= set(caught.value.errors)


# ---------------------------------------------------------------- checklist, progress, score


def test_the_checklist_shows_each_catalogue_by_section(open_case, tmp_path):
    extra = supplement(tmp_path)
    case = open_case()
    catalogues = selectors.checklist_by_catalogue(case)
    assert [c.version.code for c in catalogues] == ["2023-10", extra.code]
    assert [s.key for s in catalogues[0].sections] == ["red_flags", "due_diligence"]
    sections = {s.key: [a.item.code for a in s.answers] for s in catalogues[1].sections}
    assert sections == {
        "red_flags": ["RF-S-01"],
        "due_diligence": ["DD-S-01"],
        "post_hire": ["PH-S-01", "PH-S-02"],
    }
    # Each section form is named by its catalogue version too: no two sections share a key.
    keys = [s.form_key for s in selectors.checklist_sections(case)]
    assert keys == [
        "2023-10:red_flags",
        "2023-10:due_diligence",
        f"{extra.code}:red_flags",
        f"{extra.code}:due_diligence",
        f"{extra.code}:post_hire",
    ]


def test_every_pinned_item_must_be_answered_before_submitting(open_case, hr, tmp_path):
    supplement(tmp_path)
    case = open_case()
    for answer in selectors.answers_for(case).exclude(item__code="PH-S-02"):
        value = "not_observed" if answer.item.is_red_flag else "completed"
        services.answer_item(hr, case, answer.item.code, value)
    assert selectors.progress(case).answered == 29 and not selectors.progress(case).complete
    with pytest.raises(ServiceValidationError, match="PH-S-02"):
        services.perform_action(hr, case, "submit")
    services.answer_item(hr, case, "PH-S-02", "completed")
    assert selectors.progress(case).complete


def test_the_score_and_the_snapshot_cover_every_pinned_item_and_name_every_version(
    open_case, hr, tmp_path
):
    extra = supplement(tmp_path)
    case = answer_all(
        hr, open_case(), {"PH-S-01": ("observed", "Remote-desktop tool on the laptop")}
    )
    case = services.perform_action(hr, case, "submit")
    snapshot = case.risk_snapshot
    assert snapshot["catalog_version"] == "2023-10"
    assert snapshot["catalog_versions"] == ["2023-10", extra.code]
    assert Decimal(snapshot["score"]) == Decimal("20")
    assert [c["code"] for c in snapshot["contributions"]] == ["PH-S-01"]
    assert {i["code"] for i in snapshot["inputs"]} >= {"RF-2023-01", "PH-S-01", "DD-S-01"}
    recomputed = services.recompute_snapshot(snapshot).as_dict()
    assert recomputed == {k: v for k, v in snapshot.items() if k in recomputed}
    assert not selectors.changed_since_snapshot(case)


def test_a_case_asking_one_catalogue_hashes_as_before_and_more_versions_change_the_hash():
    inputs = [ScoringInput("RF-1", "red_flag", "t", 10, False, "observed")]
    before = compute_risk(inputs, "2023-10")  # as every snapshot before this change
    one = compute_risk(inputs, "2023-10", catalog_versions=["2023-10"])
    two = compute_risk(inputs, "2023-10", catalog_versions=["2023-10", "supplement"])
    assert one.inputs_hash == before.inputs_hash
    assert two.inputs_hash != before.inputs_hash
    assert (two.score, two.level) == (before.score, before.level)
    assert "catalog_versions" not in before.as_dict()
    assert scoring.CURRENT_POLICY_VERSION == "2026.2"


# ---------------------------------------------------------------- upgrading


@pytest.fixture
def assessed_case(answered_case, hr):
    """A 2023-10 case with notes on the items an upgrade to `newer_base` carries or orphans."""
    return answered_case(
        overrides={
            "RF-2023-01": ("observed", "Camera always off"),
            "RF-2023-02": ("unknown", ""),
            "DD-2023-02": ("adverse", "Reference did not exist"),
            "RF-2023-04": ("observed", "Asked for payment in crypto"),
        }
    )


def test_the_preview_says_what_carries_over_and_changes_nothing(assessed_case, hr, tmp_path):
    newer_base(tmp_path)
    before = list(ChecklistAnswer.objects.values_list("id", "value", "retired_at"))
    plan = services.upgrade_catalogues(hr, assessed_case, catalog_version="2026-01", dry_run=True)
    details = plan.as_dict()
    assert details["from_versions"] == ["2023-10"] and details["to_versions"] == ["2026-01"]
    carried = {(c["from_code"], c["to_code"], c["through"]) for c in details["carried"]}
    assert carried == {
        ("RF-2023-01", "RF-2026-01", "supersedes"),
        ("RF-2023-02", "RF-2023-02", "same_code"),
        ("DD-2023-01", "DD-2026-01", "supersedes"),
    }
    orphaned = {o["code"] for o in details["orphaned"]}
    assert {"DD-2023-02", "RF-2023-04", "RF-2023-03", "DD-2023-16"} <= orphaned
    assert len(orphaned) == 26 - 3  # every other answered item stays, from an earlier version
    assert [a["code"] for a in details["added"]] == ["DD-2026-04", "RF-2026-09"]
    assert list(ChecklistAnswer.objects.values_list("id", "value", "retired_at")) == before
    assessed_case.refresh_from_db()
    assert assessed_case.catalog_version.code == "2023-10"
    assert assessed_case.catalog_revision == 1


def test_upgrading_carries_answers_over_and_keeps_the_orphans_visible(assessed_case, hr, tmp_path):
    newer_base(tmp_path)
    case = assessed_case
    upload = SimpleUploadedFile("camera.txt", b"interview log")
    services.upload_evidence(hr, case, upload, "log", ["RF-2023-01"])
    services.upgrade_catalogues(hr, case, catalog_version="2026-01", expected_version=1)
    case.refresh_from_db()
    assert case.catalog_version.code == "2026-01" and case.catalog_revision == 2
    answers = {a.item.code: a for a in selectors.answers_for(case)}
    assert list(answers) == ["RF-2026-01", "RF-2023-02", "DD-2026-01", "DD-2026-04", "RF-2026-09"]
    carried = answers["RF-2026-01"]
    assert (carried.value, carried.note) == ("observed", "Camera always off")
    assert carried.carried_from.item.code == "RF-2023-01"
    assert [e.original_name for e in carried.evidence.all()] == ["camera.txt"]
    assert answers["RF-2023-02"].value == "unknown"
    assert answers["RF-2023-02"].item.version.code == "2026-01"
    assert answers["DD-2026-01"].value == "completed"  # DD-2023-01, the first it supersedes
    assert answers["DD-2026-04"].value == "" and answers["RF-2026-09"].value == ""

    earlier = {a.item.code: a for a in selectors.earlier_answers(case)}
    assert earlier["DD-2023-02"].value == "adverse"
    assert earlier["DD-2023-02"].note == "Reference did not exist"
    assert earlier["RF-2023-04"].value == "observed"  # a red flag cannot answer a DD step
    assert "RF-2023-01" not in earlier  # it lives on in its successor
    assert ChecklistAnswer.objects.filter(case=case).exclude(value="").count() == 26 + 3

    progress = selectors.progress(case)
    assert (progress.answered, progress.total) == (3, 5)
    risk = selectors.current_risk(case)
    scored = {c.code for c in risk.contributions if c.kind in ("red_flag", "due_diligence")}
    assert "RF-2023-04" not in scored and "DD-2023-02" not in scored
    assert {"RF-2026-01", "RF-2023-02", "DD-2026-04", "RF-2026-09"} <= scored
    assert risk.catalog_version == "2026-01" and risk.catalog_versions == ["2026-01"]

    event = AuditEvent.objects.get(action="case.catalogues_upgraded")
    assert event.actor_username == hr.username and event.case_reference == case.reference
    assert event.data["from_versions"] == ["2023-10"] and event.data["revision"] == 2
    assert describe_event(event).startswith(
        f"{case.reference} moved from catalogues 2023-10 to 2026-01: 3 answer(s) carried over"
    )
    assert {o["code"] for o in event.data["orphaned"]} >= {"DD-2023-02", "RF-2023-04"}
    assert {c["to_code"] for c in event.data["carried"]} == {
        "RF-2026-01",
        "RF-2023-02",
        "DD-2026-01",
    }
    history = case.history.first()
    assert history.catalog_version.code == "2026-01" and history.history_user == hr
    retired = ChecklistAnswer.history.filter(item__code="DD-2023-02", retired_at__isnull=False)
    assert retired.get().history_user == hr


def test_adding_a_supplement_keeps_every_answer_and_asks_the_new_items(assessed_case, hr, tmp_path):
    extra = supplement(tmp_path)
    plan = services.upgrade_catalogues(hr, assessed_case, supplements=[extra.code])
    assert len(plan.kept) == 26 and not plan.orphaned and not plan.carried
    assert selectors.pinned_version_codes(assessed_case) == ["2023-10", extra.code]
    progress = selectors.progress(assessed_case)
    assert (progress.answered, progress.total) == (26, 30)
    case = answer_all(hr, assessed_case)
    assert services.perform_action(hr, case, "submit").status == Status.SUBMITTED


def test_dropping_a_supplement_and_adding_it_again_restores_its_answers(open_case, hr, tmp_path):
    extra = supplement(tmp_path)
    case = open_case()
    services.answer_item(hr, case, "PH-S-01", "observed", "Logged in from abroad")
    plan = services.upgrade_catalogues(hr, case, supplements=[])
    assert [a.item.code for a in plan.orphaned] == ["PH-S-01"]
    assert [a.item.code for a in selectors.earlier_answers(case)] == ["PH-S-01"]
    plan = services.upgrade_catalogues(hr, case, supplements=[extra.code])
    assert {a.item.code for a in plan.restored} == {"RF-S-01", "DD-S-01", "PH-S-01", "PH-S-02"}
    assert selectors.answers_for(case).get(item__code="PH-S-01").value == "observed"
    assert not selectors.earlier_answers(case).exists()


def test_only_hr_may_upgrade_and_a_refusal_is_recorded(assessed_case, reviewer, tmp_path):
    newer_base(tmp_path)
    with pytest.raises(NotAllowed):
        services.upgrade_catalogues(reviewer, assessed_case, catalog_version="2026-01")
    assert AuditEvent.objects.filter(action="case.catalogues_upgraded.refused").exists()
    assessed_case.refresh_from_db()
    assert assessed_case.catalog_version.code == "2023-10"


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED])
def test_a_submitted_reviewed_or_closed_case_cannot_be_upgraded(
    assessed_case, hr, reviewer, tmp_path, status
):
    newer_base(tmp_path)
    case = bring_to(assessed_case, status, hr=hr, reviewer=reviewer)
    with pytest.raises(InvalidTransition):
        services.upgrade_catalogues(hr, case, catalog_version="2026-01")


def test_an_upgrade_based_on_an_old_revision_is_refused(assessed_case, hr, tmp_path):
    newer_base(tmp_path)
    extra = supplement(tmp_path)
    services.upgrade_catalogues(hr, assessed_case, supplements=[extra.code], expected_version=1)
    with pytest.raises(StaleVersion):
        services.upgrade_catalogues(
            hr, assessed_case, catalog_version="2026-01", expected_version=1
        )
    assessed_case.refresh_from_db()
    assert assessed_case.catalog_version.code == "2023-10"


def test_an_older_base_or_no_change_is_refused(assessed_case, hr):
    with pytest.raises(ServiceValidationError) as caught:
        services.upgrade_catalogues(hr, assessed_case, catalog_version="2022-05")
    assert "newer versions only" in caught.value.errors["catalog_version"][0]
    with pytest.raises(ServiceValidationError, match="already pins"):
        services.upgrade_catalogues(hr, assessed_case, supplements=[])
