"""Embedded mode (SQLite without DATABASE_URL) under parallel requests.

A live server with its own database connection per request thread gets 20 simultaneous answer
saves and 20 simultaneous sign-offs: each waits for the database instead of failing with
"database is locked". With DATABASE_URL set to PostgreSQL the same test exercises PostgreSQL.
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection, connections

from accounts import otp
from cases import selectors
from cases.models import AnswerValue, SignOff, Status
from tests.cases.helpers import bring_to
from tests.helpers import authenticator_for, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


@pytest.fixture(autouse=True)
def _database_in_a_file(transactional_db, tmp_path):
    """Move an in-memory SQLite test database to a file for the test.

    A live server shares an in-memory database's single connection between its threads, so
    requests would never compete for the database as they do in production. In a file, each
    thread opens its own connection with the project's SQLite options. Autouse, so it comes
    before every fixture that writes (users, cases): they write to the file.
    """
    memory = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():
        yield
        return
    memory.ensure_connection()
    copy = sqlite3.connect(tmp_path / "db.sqlite3")
    memory.connection.backup(copy)
    copy.close()
    memory_settings = connections.settings["default"]
    connections.settings["default"] = {**memory_settings, "NAME": str(tmp_path / "db.sqlite3")}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = memory
        connections.settings["default"] = memory_settings


@pytest.fixture
def server(settings, start_live_server):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    return start_live_server()


def signed_in(base: str, user) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": user.username,
            "password": f"pw-{user.username}",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]  # rotated at sign-in
    if otp.is_required_for(user) or otp.has_authenticator(user):
        device = authenticator_for(user)  # each sign-in may take the current code again
        response = session.post(
            f"{base}/accounts/two-factor/verify/",
            data={"code": totp_code(device), "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=30,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text
    return session


def all_at_once(calls):
    """Run every call in its own thread, released together; return their results in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twenty_simultaneous_answer_saves_all_succeed(server, open_case, hr):
    case = open_case(hr)
    answers = list(selectors.answers_for(case))[:PARALLEL]
    assert len(answers) == PARALLEL
    sessions = [signed_in(server, hr) for _ in answers]

    def save(session, answer):
        value = AnswerValue.NOT_OBSERVED if answer.item.is_red_flag else AnswerValue.COMPLETED
        url = f"{server}/cases/{case.reference}/checklist/{answer.item.code}/"
        return lambda: session.post(
            url,
            data={
                "value": value,
                "note": "",
                "csrfmiddlewaretoken": session.headers["X-CSRFToken"],
            },
            headers={"HX-Request": "true"},
            timeout=60,
        )

    responses = all_at_once([save(s, a) for s, a in zip(sessions, answers, strict=True)])

    assert [r.status_code for r in responses] == [200] * PARALLEL
    saved = selectors.answers_for(case).filter(pk__in=[a.pk for a in answers])
    assert all(answer.value and answer.answered_by_id == hr.pk for answer in saved)


def test_twenty_simultaneous_sign_offs_give_one_decision_and_clear_refusals(
    server, answered_case, hr, reviewer
):
    case = bring_to(answered_case(hr), Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    sessions = [signed_in(server, reviewer) for _ in range(PARALLEL)]
    actions = ["approve", "reject", "refer"]

    def sign_off(session, action):
        url = f"{server}/api/v1/cases/{case.reference}/actions/{action}/"
        return lambda: session.post(url, json={"note": f"{action}: checked"}, timeout=60)

    responses = all_at_once(
        [sign_off(s, actions[i % len(actions)]) for i, s in enumerate(sessions)]
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (PARALLEL - 1), [r.text for r in responses]
    assert all(r.json().get("detail") for r in responses if r.status_code == 409)
    case.refresh_from_db()
    assert case.status in {Status.APPROVED, Status.REJECTED, Status.REFERRED}
    assert SignOff.objects.filter(case=case).count() == 1


def test_the_embedded_database_logs_ahead_and_takes_the_write_lock_at_begin():
    if connection.vendor != "sqlite":
        pytest.skip("DATABASE_URL points to another database.")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"
