"""The inbox: the bell's unread count, the list, opening and marking read; each user sees only
their own notifications. The settings page: per event and channel, and the e-mail language."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases import services as case_services
from notifications import events
from notifications.models import EmailStatus, Notification, NotificationSettings
from notifications.services import notify

pytestmark = pytest.mark.django_db


def assigned(case, hr, reviewer, count=1):
    """`count` notifications for the reviewer, as an assignment writes them."""
    return [notify(events.CASE_ASSIGNED, reviewer, case=case, actor=hr)[0] for _ in range(count)]


def test_the_bell_shows_the_unread_count_and_the_page_loads_it(client, people, submitted_case):
    assigned(submitted_case, people["hr"], people["reviewer"], 3)
    client.force_login(people["reviewer"])

    page = client.get(reverse("dashboard")).content.decode()
    assert 'hx-get="/notifications/bell/"' in page

    bell = client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-unread="3"' in bell
    assert 'href="/notifications/"' in bell


def test_the_inbox_lists_my_notifications_in_my_language_with_links(client, people, submitted_case):
    (notification,) = assigned(submitted_case, people["hr"], people["reviewer"])
    client.force_login(people["reviewer"])

    page = client.get(reverse("notifications:inbox")).content.decode()
    assert f"{submitted_case.reference} is assigned to you for review" in page
    assert f'href="/notifications/{notification.pk}/"' in page

    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    korean = client.get(reverse("notifications:inbox")).content.decode()
    assert f"{submitted_case.reference} 사건이 검토를 위해 배정되었습니다" in korean


def test_opening_a_notification_marks_it_read_and_leads_to_the_case(client, people, submitted_case):
    (notification,) = assigned(submitted_case, people["hr"], people["reviewer"])
    client.force_login(people["reviewer"])

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{submitted_case.reference}/"
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_one_and_mark_all_read(client, people, submitted_case):
    first, second, third = assigned(submitted_case, people["hr"], people["reviewer"], 3)
    client.force_login(people["reviewer"])

    client.post(reverse("notifications:read", args=[first.pk]))
    assert list(Notification.objects.filter(read_at__isnull=True).order_by("pk")) == [
        second,
        third,
    ]
    unread = client.get(reverse("notifications:inbox") + "?show=unread").content.decode()
    assert f"/notifications/{first.pk}/" not in unread

    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(client, people, submitted_case, stranger):
    (notification,) = assigned(submitted_case, people["hr"], people["reviewer"])
    client.force_login(stranger)

    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert submitted_case.reference not in page
    notification.refresh_from_db()
    assert not notification.is_read


def test_the_inbox_is_paginated(client, people, submitted_case):
    assigned(submitted_case, people["hr"], people["reviewer"], 30)
    client.force_login(people["reviewer"])

    first = client.get(reverse("notifications:inbox"))
    second = client.get(reverse("notifications:inbox") + "?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_e_mail_off_sends_no_message_but_keeps_the_inbox_row(
    smtp_server, client, people, submitted_case, commit
):
    client.force_login(people["reviewer"])
    form = preferences_form(client)
    form.pop(f"{events.CASE_ASSIGNED}__email")
    assert client.post(reverse("notifications:preferences"), form).status_code == 302

    commit(case_services.assign_reviewer, people["hr"], submitted_case, people["reviewer"])

    notification = Notification.objects.get(recipient=people["reviewer"])
    assert notification.in_inbox
    assert notification.email_status == EmailStatus.NOT_WANTED
    assert smtp_server.inbox.messages == []


def test_inbox_off_writes_no_row_there_but_still_e_mails(
    smtp_server, client, people, submitted_case, commit
):
    client.force_login(people["reviewer"])
    form = preferences_form(client)
    form.pop(f"{events.CASE_ASSIGNED}__inbox")
    client.post(reverse("notifications:preferences"), form)

    commit(case_services.assign_reviewer, people["hr"], submitted_case, people["reviewer"])

    assert not Notification.objects.filter(recipient=people["reviewer"], in_inbox=True).exists()
    assert len(smtp_server.inbox.messages) == 1
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert "data-unread" not in bell


def test_both_channels_off_writes_nothing(smtp_server, people, submitted_case, commit):
    NotificationSettings.objects.create(
        user=people["reviewer"],
        channels={events.CASE_ASSIGNED: {"inbox": False, "email": False}},
    )

    commit(case_services.assign_reviewer, people["hr"], submitted_case, people["reviewer"])

    assert not Notification.objects.exists()
    assert smtp_server.inbox.messages == []


def preferences_form(client) -> dict:
    """What the settings page posts when saved as shown."""
    response = client.get(reverse("notifications:preferences"))
    form = response.context["form"]
    data = {"language": form["language"].value()}
    for name in form.fields:
        if name != "language" and form[name].value():
            data[name] = "on"
    return data


def test_the_settings_page_shows_the_defaults_and_saves_changes_with_an_audit_record(
    client, people
):
    client.force_login(people["hr"])
    form = preferences_form(client)
    assert form[f"{events.CASE_APPROVED}__email"] == "on"
    assert f"{events.REPORT_READY}__email" not in form  # report e-mails off by default
    assert all(form[f"{key}__inbox"] == "on" for key in events.EVENTS)

    form["language"] = "ko"
    form[f"{events.REPORT_READY}__email"] = "on"
    form.pop(f"{events.CASE_APPROVED}__email")
    response = client.post(reverse("notifications:preferences"), form, follow=True)

    assert "Your notification settings were saved." in response.content.decode()
    row = NotificationSettings.objects.get(user=people["hr"])
    assert row.language == "ko"
    assert row.channels == {
        events.CASE_APPROVED: {"email": False},
        events.REPORT_READY: {"email": True},
    }
    assert row.history.first().history_user == people["hr"]
    event = AuditEvent.objects.filter(action="notifications.settings_changed").get()
    assert event.actor == people["hr"]
    assert f"{events.CASE_APPROVED}:email" in event.data["off"]


def test_a_bad_language_is_a_form_error_not_a_500(client, people):
    client.force_login(people["hr"])
    form = preferences_form(client)
    form["language"] = "xx"

    response = client.post(reverse("notifications:preferences"), form)

    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert not NotificationSettings.objects.exists()


def test_the_account_page_links_to_the_settings(client, people):
    client.force_login(people["hr"])
    assert reverse("notifications:preferences") in client.get(reverse("account")).content.decode()


# ---------------------------------------------------------------- API


def test_the_api_lists_counts_and_marks_my_notifications(client, people, submitted_case):
    first, second = assigned(submitted_case, people["hr"], people["reviewer"], 2)
    client.force_login(people["reviewer"])

    listing = client.get("/api/v1/notifications/").json()
    assert [row["id"] for row in listing["results"]] == [second.pk, first.pk]
    assert listing["results"][0]["text"].endswith("is assigned to you for review")
    assert listing["results"][0]["url"] == f"/cases/{submitted_case.reference}/"
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}

    marked = client.post(f"/api/v1/notifications/{first.pk}/read/").json()
    assert marked["read"] is True
    assert client.get("/api/v1/notifications/?unread=1").json()["results"][0]["id"] == second.pk

    assert client.post("/api/v1/notifications/read-all/").json() == {"unread": 0}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_the_api_hides_other_users_notifications(client, people, submitted_case, stranger):
    (notification,) = assigned(submitted_case, people["hr"], people["reviewer"])
    client.force_login(stranger)

    assert client.get("/api/v1/notifications/").json()["results"] == []
    assert client.post(f"/api/v1/notifications/{notification.pk}/read/").status_code == 404


def test_the_inbox_runs_the_same_queries_for_3_and_30_notifications(client, people, submitted_case):
    from tests.query_counts import assert_pinned_queries

    client.force_login(people["reviewer"])
    for count in (3, 27):
        assigned(submitted_case, people["hr"], people["reviewer"], count)
        client.get(reverse("notifications:inbox"))
        with assert_pinned_queries("page.notifications"):
            assert client.get(reverse("notifications:inbox")).status_code == 200
        with assert_pinned_queries("page.notifications.bell"):
            assert client.get(reverse("notifications:bell")).status_code == 200


def test_signing_in_in_korean_makes_e_mails_korean_until_the_user_chooses(client, people):
    client.post(reverse("set_language"), {"language": "ko", "next": "/accounts/login/"})
    client.post(reverse("login"), {"username": "hana", "password": "pw-hana"})
    assert NotificationSettings.objects.get(user=people["hr"]).language == "ko"

    NotificationSettings.objects.filter(user=people["hr"]).update(language="en")
    client.post(reverse("logout"))
    client.post(reverse("set_language"), {"language": "ko", "next": "/accounts/login/"})
    client.post(reverse("login"), {"username": "hana", "password": "pw-hana"})
    assert NotificationSettings.objects.get(user=people["hr"]).language == "en"
