"""Checking catalogue files (every problem at once), uploading, comparing and publishing them,
activating versions and choosing the defaults for new cases, and the coverage report."""

import hashlib
import json

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from audit.models import AuditEvent
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError
from indicators import selectors, services
from indicators.models import CatalogItem, CatalogUpload, CatalogVersion, ImmutableError
from indicators.validation import catalog_problems
from tests.indicators.helpers import (
    REWORDED_TITLE,
    SUPPLEMENT,
    as_bytes,
    catalogue,
    revised_2023,
    supplement,
)


def broken_catalogue() -> dict:
    """Four problems in three items of a supplement, and one in the file itself."""
    data = supplement()
    data["version"] = "broken-1"
    del data["source"]["url"]
    data["items"][0]["weight"] = 250
    data["items"][1]["code"] = data["items"][0]["code"]
    data["items"][2]["see_also"] = ["RF-1999-99"]
    data["items"][2]["citations"] = []
    return data


def upload(actor, data, name="catalogue.json"):
    return services.upload_catalog(actor=actor, file_name=name, content=as_bytes(data))


# ---------------------------------------------------------------- validation


@pytest.mark.django_db
def test_every_problem_of_a_file_is_reported_at_once_with_where_it_is(catalog):
    problems = catalog_problems(broken_catalogue(), "broken.json")
    found = {(p.item, p.code, p.field) for p in problems}
    assert found == {
        (None, "", "source"),
        (1, "RF-T-01", "weight"),
        (2, "RF-T-01", "code"),
        (3, "DD-T-01", "see_also"),
        (3, "DD-T-01", "citations"),
    }
    by_field = {p.field: p for p in problems}
    assert "between 1 and 100" in by_field["weight"].message
    assert "duplicate code RF-T-01 (also item 1)" in by_field["code"].message
    assert "RF-1999-99" in by_field["see_also"].message
    assert str(by_field["weight"]) == (
        "broken.json item 1 (RF-T-01): weight must be between 1 and 100."
    )


@pytest.mark.django_db
def test_see_also_and_supersedes_may_name_published_items_or_the_files_own(catalog):
    data = supplement()
    data["items"][0]["supersedes"] = ["RF-2022-01"]  # published (May 2022)
    data["items"][1]["see_also"] = ["DD-T-01"]  # the same file
    assert catalog_problems(data, "s.json") == []
    data["items"][2]["supersedes"] = ["DD-T-01"]
    [problem] = catalog_problems(data, "s.json")
    assert problem.message == "'supersedes' names the item itself."


@pytest.mark.django_db
def test_a_published_version_code_is_refused_with_other_content_and_named_with_the_same():
    services.load_catalogs()
    same = (services.CATALOG_DIR / "us-rok-2023-10.json").read_bytes()
    [problem] = catalog_problems(
        json.loads(same), "x.json", content_sha256=hashlib.sha256(same).hexdigest()
    )
    assert problem.rule == "already_published"
    assert "already published with this content" in problem.message
    [problem] = catalog_problems(json.loads(same), "x.json", content_sha256="0" * 64)
    assert problem.rule == ""
    assert "different content" in problem.message and "immutable" in problem.message


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_loads_nothing(tmp_path):
    versions = list(CatalogVersion.objects.values_list("code", flat=True))
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken_catalogue()), encoding="utf-8")
    also_bad = tmp_path / "also-broken.json"
    also_bad.write_text(json.dumps({"version": "x"}), encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("load_catalogs", str(bad), str(also_bad))

    lines = str(raised.value).splitlines()
    assert len(lines) >= 8
    assert "broken.json item 1 (RF-T-01): weight must be between 1 and 100." in lines
    assert any(line.startswith("also-broken.json: missing field 'title'") for line in lines)
    assert any("'items' must be a non-empty list" in line for line in lines)
    assert list(CatalogVersion.objects.values_list("code", flat=True)) == versions


@pytest.mark.django_db
def test_the_command_exits_non_zero_printing_each_problem_on_its_own_line(tmp_path, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken_catalogue()), encoding="utf-8")

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "load_catalogs", str(bad)]).execute()

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "broken.json: source is missing url." in err
    assert "broken.json item 2 (RF-T-01): duplicate code RF-T-01 (also item 1)." in err
    assert "broken.json item 3 (DD-T-01): a supplement item needs at least one citation." in err


@pytest.mark.django_db
def test_a_supplement_loads_with_its_references_to_the_bundled_files_in_one_batch():
    """A fresh installation loads the base files and a supplement that names their items."""
    results = services.load_catalogs([*services.catalog_files(), SUPPLEMENT])
    assert [r.version for r in results][-1] == "test-supplement"
    item = CatalogItem.objects.get(version__code="test-supplement", code="RF-T-01")
    assert item.see_also == ["RF-2023-01"]
    assert item.checklist_section == "red_flags"


# ---------------------------------------------------------------- uploads


@pytest.mark.django_db
def test_an_upload_keeps_a_draft_with_its_problems_and_who_uploaded_it(catalog, compliance):
    draft = upload(compliance, broken_catalogue(), "broken.json")

    assert draft.status == "draft" and draft.version_code == "broken-1"
    assert len(draft.errors) == 5
    assert draft.uploaded_by == compliance
    assert draft.history.get().history_user == compliance
    event = AuditEvent.objects.get(action="catalog.uploaded")
    assert event.actor == compliance and event.data["problems"] == 5
    review = selectors.upload_review(draft)
    assert not review.is_valid and review.diff is None and len(review.problems) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"{}", "ending in .json"),
        ("c.json", b"", "empty"),
        ("c.json", b"{not json", "not UTF-8 JSON"),
        ("c.json", b"\xff\xfe{}", "not UTF-8 JSON"),
        ("c.json", b" " * (CatalogUpload.MAX_BYTES + 1), "too large: at most 2 MB"),
    ],
)
def test_what_is_no_json_catalogue_file_is_refused_and_nothing_kept(
    catalog, compliance, name, content, message
):
    with pytest.raises(ServiceValidationError) as raised:
        services.upload_catalog(actor=compliance, file_name=name, content=content)
    assert message in raised.value.errors["file"][0]
    assert not CatalogUpload.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "reviewer", "admin"])
def test_only_compliance_manages_catalogues(catalog, role_users, compliance, role):
    user = role_users[role]
    with pytest.raises(NotAllowed):
        upload(user, revised_2023())
    draft = upload(compliance, revised_2023())
    with pytest.raises(NotAllowed):
        services.publish_upload(actor=user, upload=draft)
    with pytest.raises(NotAllowed):
        services.discard_upload(actor=user, upload=draft)
    with pytest.raises(NotAllowed):
        services.set_default_versions(user, catalog, [])
    with pytest.raises(NotAllowed):
        services.set_version_active(catalog, False, actor=user)


@pytest.mark.django_db
def test_publishing_loads_the_draft_as_the_loader_does_and_it_is_then_immutable(
    catalog, compliance
):
    draft = upload(compliance, revised_2023())

    version = services.publish_upload(actor=compliance, upload=draft)

    assert version.code == "2023-10-r1" and version.kind == "base"
    assert version.items.count() == 26
    assert version.items.get(position=1).title == REWORDED_TITLE
    assert version.content_sha256 == draft.sha256
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_version == version
    assert draft.decided_by == compliance
    assert [h.history_change_reason for h in draft.history.order_by("history_date")] == [
        "uploaded",
        "published",
    ]
    event = AuditEvent.objects.get(action="catalog.published")
    assert event.actor == compliance and event.object_id == str(version.pk)

    with pytest.raises(InvalidTransition, match="only a draft"):
        services.publish_upload(actor=compliance, upload=draft)
    with pytest.raises(InvalidTransition):
        services.discard_upload(actor=compliance, upload=draft)
    version.title = "changed"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.items.first().delete()


@pytest.mark.django_db
def test_the_same_version_uploaded_twice_is_published_once(catalog, compliance):
    first, second = upload(compliance, revised_2023()), upload(compliance, revised_2023())
    services.publish_upload(actor=compliance, upload=first)

    review = selectors.upload_review(second)
    assert review.already_published and not review.is_valid
    with pytest.raises(ServiceValidationError, match="already published"):
        services.publish_upload(actor=compliance, upload=second)
    changed = revised_2023()
    changed["items"][1]["weight"] += 1
    third = upload(compliance, changed)
    with pytest.raises(ServiceValidationError) as raised:
        services.publish_upload(actor=compliance, upload=third)
    assert "different content" in raised.value.errors["file"][0]
    assert CatalogVersion.objects.filter(code="2023-10-r1").count() == 1
    third.refresh_from_db()
    assert third.status == "draft" and "different content" in third.errors[0]["message"]


@pytest.mark.django_db
def test_an_invalid_draft_is_refused_with_every_problem(catalog, compliance):
    draft = upload(compliance, broken_catalogue())
    with pytest.raises(ServiceValidationError) as raised:
        services.publish_upload(actor=compliance, upload=draft)
    assert len(raised.value.errors["file"]) == 5
    assert not CatalogVersion.objects.filter(code="broken-1").exists()


@pytest.mark.django_db
def test_discarding_closes_the_draft_with_who_and_why(catalog, compliance):
    draft = upload(compliance, revised_2023())
    services.discard_upload(actor=compliance, upload=draft, reason="Wrong file")
    draft.refresh_from_db()
    assert (draft.status, draft.discard_reason, draft.decided_by) == (
        "discarded",
        "Wrong file",
        compliance,
    )
    assert AuditEvent.objects.filter(action="catalog.upload_discarded", actor=compliance).exists()
    with pytest.raises(InvalidTransition):
        services.publish_upload(actor=compliance, upload=draft)


# ---------------------------------------------------------------- diff


@pytest.mark.django_db
def test_the_diff_names_items_added_removed_reworded_reweighted_and_made_critical(catalog):
    data = revised_2023()
    items = data["items"]
    items[1]["weight"] = items[1]["weight"] + 5
    items[2]["critical"] = not items[2]["critical"]
    removed = items.pop(3)
    items[4]["code"] = "RF-2023-90"  # a new code superseding the old, same wording → matched
    old_code = catalogue()["items"][5]["code"]
    items[4]["supersedes"] = [old_code]
    items[5]["source_text"] += " (clarified)"
    items.append({**items[6], "code": "DD-2023-99", "title": "A new step"})

    diff = selectors.catalog_diff(data, CatalogVersion.objects.get(code="2023-10"))

    assert diff.previous.code == "2023-10"
    assert [item["code"] for item in diff.added] == ["DD-2023-99"]
    assert [item.code for item in diff.removed] == [removed["code"]]
    assert [(c.code, c.previous_code) for c in diff.reworded] == [
        ("RF-2023-01", "RF-2023-01"),
        (items[5]["code"], items[5]["code"]),
    ]
    assert diff.reworded[0].after["title"] == REWORDED_TITLE
    assert [(c.code, c.after - c.before) for c in diff.reweighted] == [(items[1]["code"], 5)]
    assert [c.code for c in diff.criticality] == [items[2]["code"]]
    assert "RF-2023-90" not in [i["code"] for i in diff.added]
    assert diff.unchanged == 26 - 1 - 4  # one removed, four changed
    as_dict = diff.as_dict()
    assert as_dict["previous_version"] == "2023-10"
    assert as_dict["criticality_changed"][0]["code"] == items[2]["code"]


@pytest.mark.django_db
def test_a_supplement_is_compared_with_the_newest_published_supplement(catalog, compliance):
    review = selectors.upload_review(upload(compliance, supplement()))
    assert review.is_valid
    assert review.diff.previous.code == "vetting-supplement-2025"
    assert len(review.diff.added) == 3
    assert len(review.diff.removed) == review.diff.previous.items.count()


# ---------------------------------------------------------------- defaults and activation


@pytest.mark.django_db
def test_compliance_chooses_the_defaults_for_new_cases_recorded_in_history(catalog, compliance):
    services.publish_upload(actor=compliance, upload=upload(compliance, supplement()))
    revised = services.publish_upload(actor=compliance, upload=upload(compliance, revised_2023()))
    may = CatalogVersion.objects.get(code="2022-05")

    services.set_default_versions(compliance, revised, [may])

    assert selectors.default_catalog_version() == revised
    assert selectors.default_supplements(revised) == [may]
    assert selectors.current_defaults() == (revised, [may])
    event = AuditEvent.objects.get(action="catalog.defaults_set")
    assert event.actor == compliance and event.data["supplements"] == ["2022-05"]
    supplement_version = CatalogVersion.objects.get(code="test-supplement")
    assert supplement_version.history.latest().history_user == compliance
    assert not supplement_version.history.latest().default_for_new_cases


@pytest.mark.django_db
def test_deactivating_is_audited_and_the_last_active_base_version_stays(catalog, compliance):
    may = CatalogVersion.objects.get(code="2022-05")
    services.set_version_active(may, False, actor=compliance)
    assert not CatalogVersion.objects.get(code="2022-05").is_active
    assert AuditEvent.objects.get(action="catalog.deactivated").actor == compliance
    with pytest.raises(InvalidTransition, match="only active base version"):
        services.set_version_active(catalog, False, actor=compliance)
    services.set_version_active(may, True, actor=compliance)
    assert AuditEvent.objects.filter(action="catalog.activated").count() == 1


# ---------------------------------------------------------------- coverage


@pytest.mark.django_db
def test_coverage_gives_each_items_provenance_and_counts(catalog, compliance):
    services.publish_upload(actor=compliance, upload=upload(compliance, supplement()))

    report = {entry.version.code: entry for entry in selectors.catalog_coverage()}

    base = report["2023-10"]
    assert len(base.items) == 26
    first = base.items[0]
    assert first.sources[0]["url"] == base.version.source["url"]
    assert first.sources[0]["section"] == first.item.source_section
    assert first.excerpt.startswith("Unwillingness or inability to appear on camera")
    assert dict(base.by_section) == {"Red flags": 10, "Due diligence": 16}
    assert sum(dict(base.by_source).values()) == 26

    extra = report["test-supplement"]
    face, post_hire, bank = extra.items
    assert face.see_also[0].code == "RF-2023-01" and face.see_also[0].versions == ("2023-10",)
    assert [s["issuer"] for s in post_hire.sources] == [
        "Federal Bureau of Investigation",
        "Microsoft Threat Intelligence",
    ]
    assert post_hire.section == "Post-hire checks"
    assert bank.see_also[0].versions == ("2022-05",)
    assert dict(extra.by_section) == {"Red flags": 1, "Post-hire checks": 1, "Due diligence": 1}
    assert (
        dict(extra.by_source)[
            "Federal Bureau of Investigation — North Korean IT Workers Conducting Data Extortion"
        ]
        == 3
    )


@pytest.mark.django_db
def test_coverage_reads_a_fixed_number_of_queries(catalog, django_assert_num_queries):
    services.load_catalogs([SUPPLEMENT])
    with django_assert_num_queries(3):  # versions, items, the items their links name
        selectors.catalog_coverage(CatalogVersion.objects.all())


@pytest.mark.django_db
def test_every_catalogue_event_reads_as_a_sentence_in_english_and_korean(catalog, compliance):
    from django.utils import translation

    from audit.summaries import describe_event

    draft = upload(compliance, revised_2023())
    version = services.publish_upload(actor=compliance, upload=draft)
    services.discard_upload(actor=compliance, upload=upload(compliance, broken_catalogue()))
    may = CatalogVersion.objects.get(code="2022-05")
    services.set_version_active(may, False, actor=compliance)
    services.set_version_active(may, True, actor=compliance)
    services.set_default_versions(compliance, version, [may])

    events = AuditEvent.objects.filter(action__startswith="catalog.").order_by("id")
    assert [e.action for e in events] == [
        "catalog.uploaded",
        "catalog.published",
        "catalog.uploaded",
        "catalog.upload_discarded",
        "catalog.deactivated",
        "catalog.activated",
        "catalog.defaults_set",
    ]
    english = [describe_event(e) for e in events]
    assert english[1] == "Catalogue version 2023-10-r1 published (Base advisory)"
    assert english[2] == "Catalogue file catalogue.json uploaded (version broken-1): 5 problems"
    assert english[-1] == "New cases pin 2023-10-r1 and also ask 2022-05"
    with translation.override("ko"):
        korean = [describe_event(e) for e in events]
    assert korean[1] == "카탈로그 버전 2023-10-r1 게시됨(기본 권고문)"
    assert all(k != e for k, e in zip(korean, english, strict=True))
