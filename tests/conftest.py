import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation

from accounts import roles
from indicators.services import load_catalogs
from tests.helpers import make_user, sign_in_fully
from vetting.celery import app as celery_app

REPO = Path(__file__).resolve().parent.parent


def _parallel_worker_number() -> int | None:
    """0, 1, ... in a pytest-xdist worker process (`make test` runs the suite in several), None
    when the suite runs in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


@pytest.fixture(scope="session", autouse=True)
def _separate_parallel_workers():
    """Each pytest-xdist worker has its own test database (pytest-django); it also gets its own
    Redis cache database, since `cache.clear()` empties a whole Redis database, and its own
    Celery queue, so that a task sent by one worker's test never runs in another's."""
    number = _parallel_worker_number()
    if number is None:
        yield
        return
    from urllib.parse import urlsplit, urlunsplit

    from django.test import override_settings

    caches = {}
    for alias, conf in django_settings.CACHES.items():
        if conf["BACKEND"].endswith("RedisCache"):
            url = urlsplit(conf["LOCATION"])
            base = int(url.path.strip("/") or 0)
            # Redis has 16 databases: the broker keeps its own (base), workers take those below
            # it (database 0, which some tests use directly, comes last).
            conf = {
                **conf,
                "LOCATION": urlunsplit(url._replace(path=f"/{(base - 1 - number) % 16}")),
            }
        caches[alias] = conf
    queue = f"{django_settings.CELERY_TASK_DEFAULT_QUEUE}-gw{number}"
    default_queue = celery_app.conf.task_default_queue
    with override_settings(CACHES=caches, CELERY_TASK_DEFAULT_QUEUE=queue):
        celery_app.conf.task_default_queue = queue
        yield
    celery_app.conf.task_default_queue = default_queue


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    # Throttle counts live in the cache; failed sign-ins (django-axes) in the database, which
    # each test rolls back.
    cache.clear()
    # Tasks run in-process unless a test asks for the real worker; audit events are sealed as
    # in embedded mode, when their transaction commits.
    celery_app.conf.task_always_eager = True
    settings.AUDIT_SEAL_ON_COMMIT = True
    yield
    celery_app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER
    # A request in Korean leaves its language active in this thread: the next test starts in
    # the default language again.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` signs in fully: a user whose role needs a second factor (or
    who has one) gets an authenticator app and a verified session, so tests of pages are not
    about the second factor. Tests of the second factor use `tests.helpers.password_only_login`.
    """
    from django.test import Client

    monkeypatch.setattr(Client, "force_login", sign_in_fully)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each test database starts as `make run` leaves an installation: migrated, with the
    bundled catalogues loaded (and their audit events sealed). Loading them in each of the
    1,345 tests that ask for them cost tens of milliseconds each. A transactional test empties
    the database when it ends; the `catalog` fixture then loads them again."""
    from audit.services import seal_all_pending

    with django_db_blocker.unblock():
        load_catalogs()
        seal_all_pending()


@pytest.fixture
def catalog(db):
    """Every bundled catalogue, loaded. New cases ask the default base version alone (the
    26-item October 2023 checklist most tests measure): the bundled 2025 supplement is not a
    default here. Tests of several catalogues pass `supplements` or load their own supplement
    (a newly loaded supplement is a default, as in production)."""
    from indicators.models import CatalogVersion

    if not CatalogVersion.objects.exists():  # emptied by a transactional test before this one
        load_catalogs()
    from indicators.selectors import default_catalog_version

    CatalogVersion.objects.filter(code="vetting-supplement-2025").update(
        default_for_new_cases=False
    )
    return default_catalog_version()


@pytest.fixture
def hr(db):
    return make_user("hana", roles.HR)


@pytest.fixture
def hr2(db):
    return make_user("henry", roles.HR)


@pytest.fixture
def reviewer(db):
    return make_user("riley", roles.REVIEWER)


@pytest.fixture
def reviewer2(db):
    return make_user("seoyeon", roles.REVIEWER)


@pytest.fixture
def compliance(db):
    return make_user("chris", roles.COMPLIANCE)


@pytest.fixture
def admin_user_role(db):
    return make_user("alex", roles.ADMIN)


@pytest.fixture
def role_users(hr, reviewer, compliance, admin_user_role):
    return {"hr": hr, "reviewer": reviewer, "compliance": compliance, "admin": admin_user_role}


@pytest.fixture
def open_case(catalog, hr):
    from cases import services

    def _open(actor=None, **facts):
        data = {"legal_name": "Jane Doe", "role_applied_for": "Backend engineer", **facts}
        return services.open_case(actor or hr, data)

    return _open


@pytest.fixture
def answered_case(open_case, hr):
    """A case with every item answered: nothing observed, all due diligence completed."""
    from cases import selectors, services

    def _answered(actor=None, overrides=None, **facts):
        actor = actor or hr
        case = open_case(actor, **facts)
        overrides = overrides or {}
        for answer in selectors.answers_for(case):
            default = "not_observed" if answer.item.is_red_flag else "completed"
            value, note = overrides.get(answer.item.code, (default, ""))
            services.answer_item(actor, case, answer.item.code, value, note)
        case.refresh_from_db()
        return case

    return _answered


@pytest.fixture
def case_in_review(answered_case, open_case, hr, reviewer):
    """case_in_review(size) → a case in review whose every list grows with `size`: observed
    red flags, evidence files, cases linked by a shared email, sign-offs (it was returned
    `size - 1` times) and the history of all of these."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import services

    def _build(size: int):
        email = f"shared-{size}@example.com"
        codes = [f"RF-2023-{n:02d}" for n in range(1, size + 1)]
        case = answered_case(
            overrides={code: ("observed", f"Seen: {code}") for code in codes}, emails=[email]
        )
        for n in range(size):
            open_case(emails=[email])
            upload = SimpleUploadedFile(f"e{n}.txt", b"chat log %d" % n)
            services.upload_evidence(hr, case, upload, description=f"e{n}", answer_codes=codes)
        for n in range(size):
            services.perform_action(hr, case, "submit")
            services.perform_action(reviewer, case, "start_review")
            if n < size - 1:
                services.perform_action(reviewer, case, "return", note=f"Check again ({n})")
        case.refresh_from_db()
        return case

    return _build


# ------------------------------------------------------------------ real Celery worker


def _require_redis():
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("VETTING_REQUIRE_SERVICES"):
            pytest.fail("REDIS_URL must be set in CI: worker tests cannot be skipped there.")
        pytest.skip("REDIS_URL not set: the real-worker tests need Redis.")


class WorkerProcess:
    """A real `celery worker` process on its own queue, against the test database."""

    def __init__(self, queue: str, env: dict):
        self.queue = queue
        self.env = env
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vetting",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                self.queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Start a real worker; tasks sent by the test go to Redis and run in that process.

    Tests using it see committed data only (transactional_db), as production does.
    """
    _require_redis()
    from django.db import connection

    queue = django_settings.CELERY_TASK_DEFAULT_QUEUE
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        pytest.skip("The real-worker tests need PostgreSQL (DATABASE_URL).")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "VETTING_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "VETTING_FIELD_KEYS": ",".join(django_settings.FIELD_ENCRYPTION_KEYS),
        "VETTING_BLIND_INDEX_KEY": django_settings.BLIND_INDEX_KEY,
        "VETTING_CELERY_QUEUE": queue,
    }
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)  # nothing left over from an earlier run
    worker = WorkerProcess(queue, env).start()
    try:
        yield worker
    finally:
        worker.stop()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


# ---------------------------------------------------------------- a real S3-API server


class S3Server:
    """moto's S3 API served over HTTP on a free localhost port, in this process: the storage
    talks to it through boto3 exactly as to any S3-compatible object store."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self):
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        wait_for(self.is_up, timeout=30)

    def stop(self):
        if self.server is not None:
            self.server.stop()
            self.server = None

    def is_up(self) -> bool:
        import socket

        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings):
    """Evidence and reports in a fresh bucket of the S3 server; yields (server, bucket name)."""
    import uuid

    from botocore.config import Config

    bucket = f"vetting-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "common.storage.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server.endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "client_config": Config(
                    connect_timeout=2,
                    read_timeout=10,
                    retries={"max_attempts": 1, "mode": "standard"},
                    signature_version="s3v4",
                ),
            },
        },
    }
    yield s3_server, bucket
    if s3_server.server is None:  # a test stopped it
        s3_server.start()
