from signals.findings import Severity

from .helpers import only, screen


def test_a_disposable_mail_domain_is_medium():
    finding = only(screen(emails=("dev@mailinator.com",)), "email.disposable")
    assert finding.severity == Severity.MEDIUM


def test_a_subdomain_of_a_disposable_domain_counts():
    assert only(screen(emails=("dev@eu.mailinator.com",)), "email.disposable")


def test_an_ordinary_mailbox_gives_nothing():
    assert screen(emails=("jane.doe@gmail.com", "kim@naver.com")) == []
