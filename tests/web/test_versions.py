"""Two people editing the same facts or answer on the pages (issue 11): the later save, based
on an older version, is refused with a clear message and the current value, and everything the
person typed is shown again. Clearing every list in one save works."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import Candidate, ChecklistAnswer


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def _form_data(response) -> dict:
    """What the candidate page would post back unchanged (its initial values)."""
    context = response.context
    data = {
        name: ("" if value is None else str(value))
        for name, value in context["form"].initial.items()
    }
    for prefix in ("profiles", "history"):
        formset = context[prefix]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for index, row in enumerate(formset.initial or []):
            for field, value in row.items():
                data[f"{prefix}-{index}-{field}"] = "" if value is None else str(value)
    return data


def candidate_url(case):
    return reverse("case_candidate", args=[case.reference])


def test_the_candidate_form_carries_the_version_it_was_filled_from(hr_client, open_case):
    case = open_case()
    page = hr_client.get(candidate_url(case))
    assert b'type="hidden" name="version" value="1"' in page.content


def test_a_stale_candidate_save_is_refused_and_keeps_what_was_typed(hr_client, open_case, hr2):
    case = open_case(claimed_city="Busan")
    data = _form_data(hr_client.get(candidate_url(case)))
    services.update_candidate(hr2, case, {"claimed_city": "Seoul"})  # meanwhile

    data.update(role_applied_for="Data engineer (typed)", claimed_city="Incheon (typed)")
    response = hr_client.post(candidate_url(case), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any("Someone else saved the candidate facts" in e for e in form.non_field_errors())
    assert "Now saved: Seoul" in form.errors["claimed_city"]
    html = response.content.decode()
    assert "Data engineer (typed)" in html and "Incheon (typed)" in html
    assert 'name="version" value="2"' in html
    candidate = Candidate.objects.get(pk=case.candidate_id)
    assert (candidate.claimed_city, candidate.role_applied_for) == ("Seoul", "Backend engineer")

    # Saving again from the redisplayed form (now based on version 2) keeps the input.
    data["version"] = "2"
    assert hr_client.post(candidate_url(case), data).status_code == 302
    candidate.refresh_from_db()
    assert candidate.claimed_city == "Incheon (typed)"


def test_a_stale_save_shows_the_stored_profile_rows(hr_client, open_case, hr2):
    case = open_case()
    data = _form_data(hr_client.get(candidate_url(case)))
    services.update_candidate(hr2, case, {"profiles": [{"kind": "github", "url_or_handle": "jd"}]})
    response = hr_client.post(candidate_url(case), data)
    assert response.status_code == 400
    assert "Now saved: github, jd" in response.context["profiles"].non_form_errors()


def test_clearing_every_contact_profile_and_history_row_in_one_save(hr_client, open_case):
    case = open_case(
        emails=["a@example.com", "b@example.com"],
        phones=["+1 206 555 0100"],
        ip_addresses=["8.8.8.8"],
        profiles=[{"kind": "github", "url_or_handle": "jd"}],
        history=[{"kind": "employment", "organisation": "Acme"}],
    )
    data = _form_data(hr_client.get(candidate_url(case)))
    data.update(emails="", phones="", ip_addresses="")
    data["profiles-0-url_or_handle"] = ""
    data["history-0-organisation"] = ""
    response = hr_client.post(candidate_url(case), data)
    assert response.status_code == 302, response.context["form"].errors
    candidate = Candidate.objects.get(pk=case.candidate_id)
    assert not candidate.contacts.exists()
    assert not candidate.profiles.exists()
    assert not candidate.history_entries.exists()


def _answer_url(case, code="RF-2023-01"):
    return reverse("case_answer", args=[case.reference, code])


def test_each_answer_form_carries_its_version(hr_client, open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-02", "unknown")
    page = hr_client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    assert 'name="version-RF-2023-02" value="2"' in page
    assert 'name="version-RF-2023-01" value="1"' in page


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stale_answer_is_refused_with_the_current_value_and_the_typed_note_kept(
    hr_client, open_case, hr2, htmx
):
    case = open_case()
    services.answer_item(hr2, case, "RF-2023-01", "observed", "Camera off in every call.")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = hr_client.post(
        _answer_url(case),
        {"value": "not_observed", "note": "My own note (typed)", "version": "1"},
        **headers,
    )
    assert response.status_code == (200 if htmx else 400)
    html = response.content.decode()
    assert "Someone else saved the answer to RF-2023-01" in html
    assert "Now saved: Observed — “Camera off in every call.”" in html
    assert "My own note (typed)" in html
    answer = ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01")
    assert (answer.value, answer.version) == ("observed", 2)
    assert 'name="version-RF-2023-01" value="2"' in html


def test_an_answer_based_on_the_current_version_is_saved(hr_client, open_case):
    case = open_case()
    response = hr_client.post(_answer_url(case), {"value": "unknown", "version": "1"})
    assert response.status_code == 302
    assert ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01").value == "unknown"


@pytest.mark.parametrize("version", ["", "x", "²", "9" * 30])
def test_an_answer_with_a_version_that_is_no_number_is_saved_unchecked(
    hr_client, open_case, version
):
    case = open_case()
    response = hr_client.post(_answer_url(case), {"value": "unknown", "version": version})
    assert response.status_code == 302
