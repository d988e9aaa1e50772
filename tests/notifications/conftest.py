"""A real SMTP server on localhost (aiosmtpd) that the e-mail task talks to over TCP."""

import email
import email.policy
import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import make_user

logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received, as parsed messages; `refuse` makes it answer the next
    deliveries with a temporary error (421), as a server in trouble does."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "421 Service not available, try again later"
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; Django sends to it through its SMTP backend, as configured by
    VETTING_EMAIL_URL=smtp://127.0.0.1:<port>."""
    from vetting.email_url import parse_email_url

    server = SMTPServer().start()
    for name, value in parse_email_url(f"smtp://127.0.0.1:{server.port}?timeout=5").items():
        setattr(settings, name, value)
    settings.DEFAULT_FROM_EMAIL = "vetting <vetting@example.org>"
    settings.VETTING_BASE_URL = "https://vetting.example.org"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_down(settings):
    """Nothing listens on the configured SMTP port (until the test starts a server there)."""
    from vetting.email_url import parse_email_url

    server = SMTPServer()
    for name, value in parse_email_url(f"smtp://127.0.0.1:{server.port}?timeout=5").items():
        setattr(settings, name, value)
    settings.VETTING_BASE_URL = "https://vetting.example.org"
    try:
        yield server
    finally:
        server.stop()


def with_email(user, address=None):
    user.email = f"{user.username}@example.org" if address is None else address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people(hr, reviewer, reviewer2):
    """HR owner and two reviewers, each with an e-mail address."""
    return {
        "hr": with_email(hr),
        "reviewer": with_email(reviewer),
        "reviewer2": with_email(reviewer2),
    }


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a call as in production: its on-commit work (the e-mail task) runs when it ends."""

    def _run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return _run


@pytest.fixture
def submitted_case(answered_case, hr, commit):
    from cases import services

    case = answered_case()
    commit(services.perform_action, hr, case, "submit")
    case.refresh_from_db()
    return case


@pytest.fixture
def in_review(submitted_case, reviewer, commit):
    from cases import services

    commit(services.perform_action, reviewer, submitted_case, "start_review")
    submitted_case.refresh_from_db()
    return submitted_case


@pytest.fixture
def stranger(db):
    from accounts import roles

    return make_user("stella", roles.HR)
