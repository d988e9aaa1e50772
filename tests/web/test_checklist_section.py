"""The checklist page answers a whole section with one form (issue 14): every item's answer and
note, one save, each refused item marked with what was typed; one item can still be saved
alone, in place. And the candidate form takes as many rows as needed before one save."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases import services
from cases.models import Candidate, ChecklistAnswer
from tests.helpers import new_case_form

RED_FLAGS = [f"RF-2023-{n:02d}" for n in range(1, 11)]


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def _section_url(case):
    return reverse("case_answer_section", args=[case.reference])


def _section_post(codes, answers: dict, versions=None) -> dict:
    """What the red-flag section's form posts: every item listed, the chosen answers."""
    data = {"section": "2023-10:red_flags", "item": list(codes)}
    for code in codes:
        data[f"version-{code}"] = str((versions or {}).get(code, 1))
    for code, (value, note) in answers.items():
        data[f"value-{code}"] = value
        data[f"note-{code}"] = note
    return data


def _item_html(html: str, code: str) -> str:
    start = html.index(f'<article id="item-{code}"')
    return html[start : html.index("</article>", start)]


def _value(case, code):
    return ChecklistAnswer.objects.get(case=case, item__code=code).value


def test_the_checklist_shows_one_form_per_section_and_every_field_belongs_to_it(
    hr_client, open_case
):
    case = open_case()
    page = hr_client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    assert page.count("data-section-form") == 2  # red flags, due diligence
    assert 'id="answers-2023-10-red_flags"' in page and 'id="answers-2023-10-due_diligence"' in page
    assert (
        'form="answers-2023-10-red_flags" id="v-RF-2023-01-observed" name="value-RF-2023-01"'
        in page
    )
    assert 'name="note-DD-2023-01" form="answers-2023-10-due_diligence"' in page.replace(
        'id="note-DD-2023-01" ', ""
    )
    assert "Save all answers: Red flags" in page
    assert "Keyboard: j/k" in page
    assert 'class="checklist-progress"' in page


def test_a_section_is_saved_with_one_post(hr_client, open_case):
    case = open_case()
    answers = dict.fromkeys(RED_FLAGS, ("not_observed", ""))
    answers["RF-2023-04"] = ("observed", "Asked to ship the laptop to a forwarder.")
    response = hr_client.post(_section_url(case), _section_post(RED_FLAGS, answers))
    assert response.status_code == 302
    assert response["Location"].endswith("/checklist/#section-2023-10-red_flags")
    assert [_value(case, code) for code in RED_FLAGS].count("not_observed") == 9
    assert _value(case, "RF-2023-04") == "observed"
    assert AuditEvent.objects.filter(action="answer.recorded").count() == 10
    page = hr_client.get(response["Location"]).content.decode()
    assert "10 answers saved." in page
    assert 'aria-valuenow="10"' in page


def test_items_left_blank_are_not_part_of_the_save(hr_client, open_case):
    case = open_case()
    data = _section_post(RED_FLAGS, {"RF-2023-01": ("unknown", "")})
    response = hr_client.post(_section_url(case), data)
    assert response.status_code == 302
    assert [_value(case, code) for code in RED_FLAGS] == ["unknown"] + [""] * 9


def test_refused_items_are_marked_with_what_was_typed_and_the_valid_ones_saved(
    hr_client, open_case
):
    case = open_case()
    answers = {
        "RF-2023-01": ("observed", ""),  # a note is required
        "RF-2023-02": ("not_observed", ""),
        "RF-2023-03": ("", "A note typed but no answer chosen"),
    }
    response = hr_client.post(_section_url(case), _section_post(RED_FLAGS, answers))
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 items were not saved" in html
    assert "1 answer saved." in html
    # Each error sits in its item, and the typed choice and note are kept there.
    first = _item_html(html, "RF-2023-01")
    assert "has-error" in first and "A note is required" in first
    assert 'value="observed" checked' in first
    third = _item_html(html, "RF-2023-03")
    assert "For a red flag choose one of" in third
    assert "A note typed but no answer chosen" in third
    assert (_value(case, "RF-2023-01"), _value(case, "RF-2023-02")) == ("", "not_observed")


def test_an_item_changed_by_someone_else_meanwhile_is_a_conflict_not_overwritten(
    hr_client, open_case, hr2
):
    case = open_case()
    services.answer_item(hr2, case, "RF-2023-01", "observed", "Camera off.", expected_version=1)
    answers = {"RF-2023-01": ("not_observed", "My typed note"), "RF-2023-02": ("unknown", "")}
    response = hr_client.post(_section_url(case), _section_post(RED_FLAGS, answers))
    assert response.status_code == 400
    html = response.content.decode()
    first = _item_html(html, "RF-2023-01")
    assert "Someone else saved the answer to RF-2023-01" in first
    assert "Now saved: Observed — “Camera off.”" in first
    assert "My typed note" in first
    assert 'name="version-RF-2023-01" value="2"' in first  # saving again overwrites knowingly
    assert (_value(case, "RF-2023-01"), _value(case, "RF-2023-02")) == ("observed", "unknown")


def test_htmx_section_save_returns_the_section_and_the_progress_out_of_band(hr_client, open_case):
    case = open_case()
    answers = {"RF-2023-01": ("observed", ""), "RF-2023-02": ("unknown", "")}
    response = hr_client.post(
        _section_url(case), _section_post(RED_FLAGS, answers), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="section-2023-10-red_flags"')
    assert "A note is required" in html
    assert 'id="progress" class="progress-block" hx-swap-oob="true"' in html
    assert 'aria-valuenow="1"' in html
    assert "1 item was not saved" in html


def test_one_item_is_still_saved_alone_from_the_section_form(hr_client, open_case):
    """The item's own button posts the section's form to the item's address (no JavaScript)
    or in place (htmx): only that item is saved."""
    case = open_case()
    item_url = reverse("case_answer", args=[case.reference, "RF-2023-02"])
    data = _section_post(RED_FLAGS, {"RF-2023-02": ("unknown", "")})
    response = hr_client.post(item_url, data)
    assert response.status_code == 302
    assert response["Location"].endswith("#item-RF-2023-02")
    data = _section_post(RED_FLAGS, {"RF-2023-01": ("unknown", ""), "RF-2023-03": ("", "")})
    data["value-RF-2023-04"] = "not_observed"
    response = hr_client.post(
        reverse("case_answer", args=[case.reference, "RF-2023-04"]), data, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<article id="item-RF-2023-04"')
    assert (
        'form="answers-2023-10-red_flags"' in html
    )  # the swapped item still belongs to its section
    assert [_value(case, code) for code in RED_FLAGS[:4]] == ["", "unknown", "", "not_observed"]


def test_without_javascript_what_was_typed_in_other_items_is_shown_again_not_lost(
    hr_client, open_case
):
    case = open_case()
    data = _section_post(
        RED_FLAGS, {"RF-2023-01": ("observed", "Typed, not saved"), "RF-2023-02": ("unknown", "")}
    )
    response = hr_client.post(reverse("case_answer", args=[case.reference, "RF-2023-02"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    first = _item_html(html, "RF-2023-01")
    assert 'value="observed" checked' in first and "Typed, not saved" in first
    assert "not saved yet" in html
    assert (_value(case, "RF-2023-01"), _value(case, "RF-2023-02")) == ("", "unknown")


def test_the_progress_bar_offers_to_submit_once_every_item_is_answered(
    hr_client, open_case, answered_case
):
    submit = 'class="action-form progress-submit"'
    case = open_case()
    page = hr_client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    assert submit not in page
    case = answered_case()
    page = hr_client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    assert submit in page
    response = hr_client.post(
        reverse("case_action", args=[case.reference]),
        {"action": "submit", "next": reverse("case_detail", args=[case.reference])},
    )
    assert response["Location"] == reverse("case_detail", args=[case.reference])
    case.refresh_from_db()
    assert case.status == "submitted"


def test_a_section_cannot_be_saved_once_the_case_is_submitted(hr_client, answered_case, hr):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    response = hr_client.post(_section_url(case), _section_post(RED_FLAGS, {}))
    assert response.status_code == 302
    page = hr_client.get(response["Location"]).content.decode()
    assert "Nothing was saved" in page


# ---------------------------------------------------------------- candidate rows


def _rows(prefix, rows, total=None):
    data = {f"{prefix}-TOTAL_FORMS": str(total or len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{field}": value for field, value in row.items()})
    return data


def test_as_many_profile_and_history_rows_as_posted_are_saved_at_once(hr_client, catalog):
    profiles = [{"kind": "github", "url_or_handle": f"dev{n}"} for n in range(6)]
    history = [{"kind": "employment", "organisation": f"Firm {n}"} for n in range(4)]
    data = {**new_case_form(), **_rows("profiles", profiles), **_rows("history", history)}
    response = hr_client.post(reverse("case_new"), data)
    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert sorted(p.url_or_handle for p in candidate.profiles.all()) == [
        f"dev{n}" for n in range(6)
    ]
    assert candidate.history_entries.count() == 4


def test_add_another_without_javascript_adds_an_empty_row_and_saves_nothing(hr_client, catalog):
    data = {
        **new_case_form(legal_name=""),  # not valid yet: no error is shown for adding a row
        **_rows("profiles", [{"kind": "github", "url_or_handle": "dev0"}] * 3),
        "add_row": "profiles",
    }
    response = hr_client.post(reverse("case_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="profiles-TOTAL_FORMS" value="4"' in html
    assert 'name="profiles-3-url_or_handle"' in html
    assert html.count('value="dev0"') == 3  # what was typed is kept
    assert "errorlist" not in html
    assert "One more empty row was added" in html
    assert not Candidate.objects.exists()


def test_the_candidate_page_has_an_empty_row_template_for_add_another(hr_client, open_case):
    case = open_case()
    html = hr_client.get(reverse("case_candidate", args=[case.reference])).content.decode()
    assert '<template id="profiles-empty-row">' in html
    assert 'name="profiles-__prefix__-url_or_handle"' in html
    assert 'data-add-row="history"' in html


def test_add_another_on_the_candidate_page_keeps_the_stored_facts_unsaved_changes_and_rows(
    hr_client, open_case
):
    case = open_case(profiles=[{"kind": "github", "url_or_handle": "jd"}])
    url = reverse("case_candidate", args=[case.reference])
    data = {
        **new_case_form(legal_name="Jane Typed"),
        **_rows("history", []),
        **_rows("profiles", [{"kind": "github", "url_or_handle": "jd"}]),
        "version": "1",
        "add_row": "history",
    }
    response = hr_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="history-TOTAL_FORMS" value="1"' in html
    assert 'value="Jane Typed"' in html
    assert Candidate.objects.get(pk=case.candidate_id).legal_name == "Jane Doe"


def test_each_catalogue_has_its_own_section_forms_and_a_save_finds_its_section(
    hr_client, open_case
):
    """With the 2025 supplement asked too, both catalogues have a red-flag section: each has its
    own form (named by the version's code), and saving the supplement's section answers and
    returns that section, not the base version's."""
    supplement = "vetting-supplement-2025"
    case = open_case(supplements=[supplement])
    page = hr_client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    form_ids = ['id="answers-2023-10-red_flags"', f'id="answers-{supplement}-red_flags"']
    assert all(page.count(form_id) == 1 for form_id in form_ids)
    assert f'id="answers-{supplement}-post_hire"' in page
    assert page.count("data-section-form") == 5  # 2 sections of 2023-10, 3 of the supplement
    codes = list(
        case.answers.filter(
            item__version__code=supplement, item__kind="red_flag", retired_at__isnull=True
        )
        .order_by("item__position")
        .values_list("item__code", flat=True)
    )
    first = codes[0]
    data = {"section": f"{supplement}:red_flags", "item": codes, f"value-{first}": "not_observed"}
    response = hr_client.post(_section_url(case), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section id="section-{supplement}-red_flags"')
    assert f'form="answers-{supplement}-red_flags"' in html
    assert "RF-2023-01" not in html
    assert _value(case, first) == "not_observed"
    response = hr_client.post(_section_url(case), {**data, "section": f"{supplement}:red_flags"})
    assert response["Location"].endswith(f"#section-{supplement}-red_flags")
