"""E-mail through a real Celery worker on Redis and PostgreSQL: the SMTP server is down when the
notification is written, the worker retries, and the message goes out once the server is back."""

import pytest
from django.db import transaction

from notifications import events
from notifications.models import EmailStatus, Notification
from notifications.services import notify
from tests.conftest import wait_for

from .conftest import SMTPServer, with_email

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def mail_worker(request, monkeypatch):
    """A worker whose SMTP server (VETTING_EMAIL_URL) is down until the test starts it; it
    retries after 1 s, 2 s, 4 s…"""
    server = SMTPServer()
    monkeypatch.setenv("VETTING_EMAIL_URL", f"smtp://127.0.0.1:{server.port}?timeout=3")
    monkeypatch.setenv("VETTING_EMAIL_RETRY_SECONDS", "1")
    monkeypatch.setenv("VETTING_BASE_URL", "https://vetting.example.org")
    request.getfixturevalue("celery_worker_process")
    try:
        yield server
    finally:
        server.stop()


def fresh(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


def test_the_worker_retries_while_smtp_is_down_and_sends_when_it_is_back(
    transactional_db, mail_worker, open_case, hr, reviewer
):
    case = open_case()
    with transaction.atomic():
        (notification,) = notify(events.CASE_ASSIGNED, with_email(reviewer), case=case, actor=hr)

    wait_for(lambda: fresh(notification).email_attempts >= 2, timeout=60)
    pending = fresh(notification)
    assert pending.email_status == EmailStatus.PENDING
    assert "Connection" in pending.email_error or "refused" in pending.email_error

    mail_worker.start()
    sent = wait_for(
        lambda: (n := fresh(notification)).email_status == EmailStatus.SENT and n, timeout=90
    )

    assert sent.emailed_at is not None
    (message,) = mail_worker.inbox.messages
    assert case.reference in message["Subject"]
    assert f"https://vetting.example.org/cases/{case.reference}/" in mail_worker.inbox.text(message)
