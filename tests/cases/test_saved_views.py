"""Saved views of the case list: each user's own named filters and sort, cleaned when saved,
shown as quick links above the list, renamed, deleted, and optionally opened by default."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases import selectors, services
from cases.forms import CaseFilterForm
from cases.models import SavedView
from common.errors import NotAllowed, ServiceValidationError

pytestmark = pytest.mark.django_db

LIST = "/cases/"


def test_the_current_list_is_saved_with_only_its_known_parameters(client, hr, catalog):
    client.force_login(hr)

    response = client.post(
        reverse("saved_views"),
        {
            "name": "Critical waiting",
            "query": "status=submitted&risk_level=critical&page=3&evil=%3Cscript%3E&q=+Kim+",
        },
    )

    view = SavedView.objects.get(user=hr)
    assert view.name == "Critical waiting"
    assert view.query == "q=Kim&status=submitted&risk_level=critical"
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?{view.query}"
    assert AuditEvent.objects.filter(action="saved_view.created", actor=hr).count() == 1


def test_every_filter_of_the_list_is_a_parameter_a_view_keeps():
    assert set(CaseFilterForm.base_fields) <= set(selectors.CASE_LIST_PARAMETERS)
    assert "sort" in selectors.CASE_LIST_PARAMETERS


def test_saved_views_are_quick_links_above_the_list(client, hr, catalog):
    services.save_view(hr, name="Mine, drafts", params={"status": "draft", "owner": "hana"})
    client.force_login(hr)

    page = client.get(LIST).content.decode()

    assert 'href="/cases/?status=draft&amp;owner=hana"' in page
    assert "Mine, drafts" in page
    current = client.get(f"{LIST}?status=draft&owner=hana").content.decode()
    assert 'aria-current="page">Mine, drafts' in current


def test_a_name_is_required_and_unique_per_user_with_a_clear_message(client, hr, hr2, catalog):
    services.save_view(hr, name="Open", params={"status": "assessing"})
    client.force_login(hr)

    clash = client.post(reverse("saved_views"), {"name": "Open", "query": "status=draft"})
    blank = client.post(reverse("saved_views"), {"name": "  ", "query": "status=draft"})

    assert clash.status_code == 400
    assert "You already have a view named “Open”." in clash.content.decode()
    assert blank.status_code == 400
    assert "Give the view a name." in blank.content.decode()
    # Another user may use the same name.
    services.save_view(hr2, name="Open", params={})
    assert SavedView.objects.filter(name="Open").count() == 2


def test_views_are_private_to_their_owner(client, hr, hr2, catalog):
    view = services.save_view(hr, name="Hana's", params={"status": "draft"})
    client.force_login(hr2)

    listed = client.get(reverse("saved_views")).content.decode()
    renamed = client.post(
        reverse("saved_view_change", args=[view.pk]), {f"view-{view.pk}-name": "Stolen"}
    )
    deleted = client.post(reverse("saved_view_delete", args=[view.pk]))

    assert "Hana&#x27;s" not in listed and "Hana's" not in listed
    assert renamed.status_code == 404 and deleted.status_code == 404
    view.refresh_from_db()
    assert view.name == "Hana's"
    with pytest.raises(NotAllowed):
        services.delete_view(hr2, view)


def test_a_view_is_renamed_made_default_and_deleted(client, hr, catalog):
    first = services.save_view(hr, name="First", params={"status": "draft"}, is_default=True)
    second = services.save_view(hr, name="Second", params={"status": "submitted"})
    client.force_login(hr)

    client.post(
        reverse("saved_view_change", args=[second.pk]),
        {f"view-{second.pk}-name": "Waiting", f"view-{second.pk}-is_default": "on"},
    )

    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.name, second.is_default, first.is_default) == ("Waiting", True, False)
    client.post(reverse("saved_view_delete", args=[first.pk]))
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Waiting"]
    assert AuditEvent.objects.filter(action="saved_view.deleted").count() == 1


def test_renaming_to_a_name_in_use_is_refused(hr, catalog):
    services.save_view(hr, name="A", params={})
    b = services.save_view(hr, name="B", params={})

    with pytest.raises(ServiceValidationError):
        services.change_view(hr, b, name="A", is_default=False)


def test_the_default_view_opens_when_the_list_has_no_filters(client, hr, catalog):
    services.save_view(hr, name="Submitted", params={"status": "submitted"}, is_default=True)
    client.force_login(hr)

    opened = client.get(LIST)
    everything = client.get(f"{LIST}?all=1")

    assert opened.status_code == 302 and opened["Location"] == f"{LIST}?status=submitted"
    assert everything.status_code == 200
    assert 'href="/cases/?all=1"' in client.get(f"{LIST}?status=submitted").content.decode()
