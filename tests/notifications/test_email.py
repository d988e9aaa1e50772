"""The e-mail: in the recipient's language, without protected numbers, with a link; sent by a
task that retries while the SMTP server is in trouble and records a failure it cannot fix."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cases import services as case_services
from notifications import events, tasks
from notifications.models import EmailStatus, Notification, NotificationSettings
from notifications.services import notify
from vetting.email_url import parse_email_url

from .conftest import with_email

pytestmark = pytest.mark.django_db

SECRET_FACTS = {
    "legal_name": "Kim Chol-su",
    "aliases": ["Charles Kim"],
    "account_number": "9876543210123",
    "routing_number": "021000021",
    "identity_document_type": "Passport",
    "identity_document_number": "XK1234567",
    "emails": ["chol.su@example.net"],
    "phones": ["+1 416 555 0100"],
    "shipping_address": "Unit 4, 77 Forwarder Road, Laredo TX",
}


def test_an_e_mail_names_only_the_reference_what_happened_and_a_link(
    smtp_server, people, answered_case, commit
):
    case = answered_case(**SECRET_FACTS)
    commit(case_services.perform_action, people["hr"], case, "submit")

    commit(case_services.assign_reviewer, people["hr"], case, people["reviewer"])

    (message,) = smtp_server.inbox.messages
    whole = message.as_string() + smtp_server.inbox.text(message)
    for value in (
        "9876543210123",
        "3210123",
        "021000021",
        "XK1234567",
        "chol.su@example.net",
        "555 0100",
        "Kim Chol-su",
        "Charles Kim",
        "Forwarder",
    ):
        assert value not in whole, value
    text = smtp_server.inbox.text(message)
    assert case.reference in text
    assert f"https://vetting.example.org/cases/{case.reference}/" in text
    assert "https://vetting.example.org/notifications/settings/" in text
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"


def test_a_korean_speaking_recipient_gets_the_e_mail_in_korean(
    smtp_server, people, submitted_case, commit
):
    NotificationSettings.objects.create(user=people["reviewer"], language="ko")

    commit(case_services.assign_reviewer, people["hr"], submitted_case, people["reviewer"])

    (message,) = smtp_server.inbox.messages
    assert message["Content-Language"] == "ko"
    assert "검토" in message["Subject"]  # "review"
    assert submitted_case.reference in message["Subject"]
    text = smtp_server.inbox.text(message)
    assert "vetting에서 열기" in text
    assert "assigned" not in text


def test_an_english_and_a_korean_recipient_each_get_their_own_language(
    smtp_server, people, in_review, commit
):
    NotificationSettings.objects.create(user=people["hr"], language="ko")
    NotificationSettings.objects.create(user=people["reviewer"], language="en")
    due = in_review.submitted_at  # long past
    from cases.models import Case

    Case.objects.filter(pk=in_review.pk).update(review_due_at=due)

    commit(case_services.send_deadline_reminders)

    korean = smtp_server.inbox.to(people["hr"].email)[0]
    english = smtp_server.inbox.to(people["reviewer"].email)[0]
    assert "기한" in korean["Subject"]
    assert "overdue" in english["Subject"]


def test_the_task_retries_while_the_server_refuses_and_sends_when_it_is_back(
    smtp_server, people, submitted_case, commit
):
    smtp_server.inbox.refuse = 2  # "421 try again later", twice

    commit(case_services.assign_reviewer, people["hr"], submitted_case, people["reviewer"])

    notification = Notification.objects.get(recipient=people["reviewer"])
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 3
    assert notification.email_error == ""
    assert len(smtp_server.inbox.messages) == 1


def test_a_server_that_stays_down_leaves_a_clear_recorded_failure_and_the_inbox_row(
    smtp_down, people, submitted_case, commit
):
    commit(case_services.assign_reviewer, people["hr"], submitted_case, people["reviewer"])

    notification = Notification.objects.get(recipient=people["reviewer"])
    assert notification.in_inbox  # the user still learns of it in the app
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == tasks.MAX_RETRIES + 1
    assert "Connection" in notification.email_error or "refused" in notification.email_error
    assert f"after {tasks.MAX_RETRIES + 1} attempts" in notification.email_error


def test_a_pending_e_mail_is_sent_once_the_server_is_up_and_never_twice(
    smtp_down, people, submitted_case
):
    (notification,) = notify(
        events.CASE_ASSIGNED, people["reviewer"], case=submitted_case, actor=people["hr"]
    )
    with pytest.raises(OSError):
        from notifications import services

        services.send_email(notification.pk)  # what one attempt of the task does
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING

    smtp_down.start()  # the server comes back; the task's next attempt
    tasks.send_notification_email.apply(args=[notification.pk])
    tasks.send_notification_email.apply(args=[notification.pk])  # a second delivery

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert len(smtp_down.inbox.messages) == 1


def test_a_user_without_an_e_mail_address_gets_a_recorded_failure(
    smtp_server, people, submitted_case, commit
):
    reviewer = with_email(people["reviewer"], "")

    commit(case_services.assign_reviewer, people["hr"], submitted_case, reviewer)

    notification = Notification.objects.get(recipient=reviewer)
    assert notification.email_status == EmailStatus.FAILED
    assert "no e-mail address" in notification.email_error
    assert smtp_server.inbox.messages == []


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "smtp://mailer:s%40cret@mail.example.org:2525",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "s@cret",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtp+tls://u:p@mail.example.org",
            {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            "smtps://u:p@mail.example.org?timeout=3&from=vetting%40example.org",
            {
                "EMAIL_PORT": 465,
                "EMAIL_USE_SSL": True,
                "EMAIL_TIMEOUT": 3.0,
                "DEFAULT_FROM_EMAIL": "vetting@example.org",
            },
        ),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
    ],
)
def test_vetting_email_url_gives_djangos_email_settings(url, expected):
    parsed = parse_email_url(url)
    for name, value in expected.items():
        assert parsed[name] == value, name


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://mail.example.org", "must start with smtp://"),
        ("smtp://", "names no host"),
        ("smtp://mail:notaport", "bad port"),
    ],
)
def test_a_bad_vetting_email_url_says_what_is_wrong(url, words):
    with pytest.raises(ImproperlyConfigured, match=words):
        parse_email_url(url)


def _settings_in_subprocess(env: dict) -> dict:
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', "
        "'EMAIL_PORT', 'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL', 'VETTING_BASE_URL')}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "VETTING_EMAIL"))}
    base.pop("DATABASE_URL", None)
    base.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "vetting.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_read_the_email_url_the_sender_and_the_base_url_from_the_environment():
    configured = _settings_in_subprocess(
        {
            "VETTING_EMAIL_URL": "smtp+tls://u:p@mail.example.org:587",
            "VETTING_EMAIL_FROM": "Vetting <vetting@example.org>",
            "VETTING_BASE_URL": "https://vetting.example.org/",
        }
    )
    assert configured["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert configured["EMAIL_HOST"] == "mail.example.org"
    assert configured["EMAIL_USE_TLS"] is True
    assert configured["DEFAULT_FROM_EMAIL"] == "Vetting <vetting@example.org>"
    assert configured["VETTING_BASE_URL"] == "https://vetting.example.org"

    embedded = _settings_in_subprocess({})
    assert embedded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
