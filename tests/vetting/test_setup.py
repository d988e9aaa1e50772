"""What an operator relies on: the compose file, production settings, health check."""

import os
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from tests.helpers import run_with_django
from vetting import healthcheck

REPO = Path(__file__).resolve().parents[2]


def compose_config(file_name: str) -> dict:
    if not shutil.which("docker-compose"):
        if os.environ.get("VETTING_REQUIRE_SERVICES"):
            pytest.fail("docker-compose (Debian package) is needed in CI")
        pytest.skip("docker-compose not installed")
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "k",
        "VETTING_FIELD_KEYS": "k",
        "VETTING_BLIND_INDEX_KEY": "k",
    }
    result = subprocess.run(
        ["docker-compose", "-f", str(REPO / file_name), "config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


WEB_CHECK = ["CMD", "python", "-m", "vetting.healthcheck"]
WORKER_CHECK = ["CMD", "python", "manage.py", "healthcheck", "worker"]
BEAT_CHECK = ["CMD", "python", "manage.py", "healthcheck", "beat"]


def test_docker_compose_file_is_valid_and_every_service_reports_its_health():
    services = compose_config("docker-compose.yml")
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert services["web"]["healthcheck"]["test"] == WEB_CHECK
    # Workers serve no HTTP: each checks its own heartbeat, not the web's check.
    assert services["worker"]["healthcheck"]["test"] == WORKER_CHECK
    assert services["beat"]["healthcheck"]["test"] == BEAT_CHECK
    assert "VETTING_METRICS" in services["web"]["environment"]


def test_the_scale_out_compose_file_has_two_web_containers_and_two_workers_behind_a_proxy():
    services = compose_config("docker-compose.scale.yml")
    webs = sorted(name for name, s in services.items() if "gunicorn" in str(s.get("command")))
    workers = sorted(
        name for name, s in services.items() if "worker" in str(s.get("command")).split()
    )
    beats = [name for name, s in services.items() if "beat" in str(s.get("command")).split()]
    assert webs == ["web1", "web2"] and workers == ["worker1", "worker2"] and beats == ["beat"]
    for name in webs:
        assert services[name]["healthcheck"]["test"] == WEB_CHECK
        assert "ports" not in services[name]  # reached only through the proxy
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    for name in workers:
        assert services[name]["healthcheck"]["test"] == WORKER_CHECK
    assert services["beat"]["healthcheck"]["test"] == BEAT_CHECK
    # One database, one broker, one shared store for every web and worker container.
    for name in webs + workers + beats:
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].endswith("@postgres:5432/vetting")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "vetting-data:/data:rw" in services[name]["volumes"]

    proxy = services["proxy"]
    assert {"80:80", "443:443"} <= {f"{p['published']}:{p['target']}" for p in proxy["ports"]}
    (caddyfile,) = [v for v in proxy["volumes"] if ":/etc/caddy/Caddyfile:" in v]
    config = Path(caddyfile.split(":")[0]).read_text()
    assert "reverse_proxy web1:8000 web2:8000" in config
    assert "health_uri /healthz/ready" in config
    assert "respond /metrics 404" in config  # scraped inside the network, never through here


def docker_ignores(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (Docker's rules, simplified:
    a pattern matches the path or a directory above it; the last matching pattern wins)."""
    prefixes = ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 2)]
    ignored = False
    for line in (REPO / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        patterns = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch(prefix, p) for prefix in prefixes for p in patterns):
            ignored = not keep
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        "var/secret_key",
        "var/field_key",
        "var/db.sqlite3",
        "var/db.sqlite3-wal",
        "var/media/evidence/scan.pdf",
        ".env",
        ".venv/bin/python",
        ".venv-3.13/bin/python",
        ".git/config",
        ".coverage",
        "cases/__pycache__/models.cpython-311.pyc",
        "tests/artifacts/dashboard.png",
    ],
)
def test_the_docker_image_gets_no_secrets_data_or_virtualenv(path):
    assert docker_ignores(path)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "setup.py",
        "MANIFEST.in",
        "README.md",
        "manage.py",
        "vetting/settings.py",
        "templates/base.html",
        "static/css/app.css",
        "locale/ko/LC_MESSAGES/django.mo",
        "indicators/catalogs/us-rok-2023-10.json",
    ],
)
def test_the_docker_image_gets_what_it_builds_and_runs_from(path):
    assert (REPO / path).exists()
    assert not docker_ignores(path)


def test_production_settings_pass_the_deploy_check(tmp_path):
    # The test run itself needs DJANGO_ALLOW_ASYNC_UNSAFE (Playwright); production never has it.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "0",
        "VETTING_HTTPS": "1",
        "DJANGO_SECRET_KEY": "a-real-looking-secret-" + "x9Z" * 20,
        "VETTING_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_is_generated_and_kept_private(tmp_path):
    # Embedded mode: no DATABASE_URL.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DATABASE_URL")}
    env["VETTING_VAR_DIR"] = str(tmp_path)
    code = "from django.conf import settings; print(len(settings.SECRET_KEY))"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault("
            f"'DJANGO_SETTINGS_MODULE', 'vetting.settings'); django.setup(); {code}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert int(result.stdout) >= 50
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0


SECRETS = ("DJANGO_SECRET_KEY", "VETTING_FIELD_KEYS", "VETTING_BLIND_INDEX_KEY")


def start_with(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    # Embedded unless the test says otherwise: not the database the suite itself runs on.
    own = (*SECRETS, "DJANGO_DEBUG", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in own}
    env.update(VETTING_VAR_DIR=str(tmp_path), **env_vars)
    code = "from django.conf import settings; print(len(settings.FIELD_ENCRYPTION_KEYS))"
    return run_with_django(code, env, check=False)


def test_with_a_shared_database_secrets_must_come_from_the_environment(tmp_path):
    shared = {"DATABASE_URL": "postgres://vetting@127.0.0.1:5432/vetting"}
    result = start_with(tmp_path, **shared, DJANGO_SECRET_KEY="s" * 60)

    assert result.returncode != 0
    assert (
        "vetting will not start: set VETTING_BLIND_INDEX_KEY, VETTING_FIELD_KEYS in the "
        "environment" in result.stderr
    )
    assert "never generated into per-machine files under var/" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no per-node files

    keys = {
        "DJANGO_SECRET_KEY": "s" * 60,
        "VETTING_FIELD_KEYS": "A" * 43 + "=",
        "VETTING_BLIND_INDEX_KEY": "b" * 40,
    }
    result = start_with(tmp_path, **shared, **keys)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", ["embedded", "debug"])
def test_embedded_mode_and_development_still_generate_their_secrets(tmp_path, mode):
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.db")}
    result = start_with(tmp_path, **(env if mode == "debug" else {}))
    assert result.returncode == 0, result.stderr
    assert {"secret_key", "field_key", "blind_index_key"} <= {p.name for p in tmp_path.iterdir()}


def storage_settings(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VETTING_S3"))}
    env.update(VETTING_VAR_DIR=str(tmp_path), **env_vars)
    code = (
        "from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND']); "
        "from django.core.files.storage import default_storage as s; "
        "print(s.bucket_name, s.endpoint_url, s.region_name, s.default_acl, s.file_overwrite, "
        "s.object_parameters, s.client_config.connect_timeout, s.access_key) "
        "if hasattr(s, 'bucket_name') else print(s.location)"
    )
    return run_with_django(code, env, check=False)


def test_files_stay_on_the_local_disk_unless_s3_is_configured(tmp_path):
    local = storage_settings(tmp_path, VETTING_MEDIA_ROOT=str(tmp_path / "media"))
    assert local.stdout.split() == [
        "django.core.files.storage.FileSystemStorage",
        str(tmp_path / "media"),
    ]

    s3 = storage_settings(
        tmp_path,
        VETTING_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="vetting-files",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_S3_REGION_NAME="eu-central-1",
        VETTING_S3_ENCRYPTION="aws:kms",
        VETTING_S3_KMS_KEY_ID="key-1",
        AWS_ACCESS_KEY_ID="",  # as compose passes an unset one: boto3's own chain then
    )
    assert s3.returncode == 0, s3.stderr
    backend, details = s3.stdout.split("\n", 1)
    assert backend == "common.storage.S3Storage"
    assert details.strip() == (
        "vetting-files https://s3.example.org eu-central-1 private False "
        "{'ServerSideEncryption': 'aws:kms', 'SSEKMSKeyId': 'key-1'} 5.0 None"
    )

    no_bucket = storage_settings(tmp_path, VETTING_STORAGE="s3")
    assert no_bucket.returncode != 0
    assert "VETTING_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in no_bucket.stderr
    wrong = storage_settings(tmp_path, VETTING_STORAGE="ftp")
    assert "VETTING_STORAGE must be 'local' or 's3'." in wrong.stderr


@pytest.mark.django_db
def test_health_endpoint(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("vetting.example.org,localhost", "vetting.example.org"),
        (" .example.org", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_container_health_check_asks_with_a_host_the_site_accepts(allowed, host):
    assert healthcheck.host_name(allowed) == host


@pytest.mark.django_db
def test_the_container_health_check_passes_the_https_redirect_and_the_host_check(
    start_live_server, settings, monkeypatch
):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = [".example.org"]
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", ".example.org")
    url = start_live_server() + "/healthz"

    assert healthcheck.main(url) == 0
    settings.ALLOWED_HOSTS = ["elsewhere.example.com"]
    assert healthcheck.main(url) == 1


def nightly_check_schedule(tmp_path, hour: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "VETTING_VAR_DIR": str(tmp_path)}
    env.pop("VETTING_INTEGRITY_CHECK_HOUR", None)
    if hour is not None:
        env["VETTING_INTEGRITY_CHECK_HOUR"] = hour
    code = (
        "from django.conf import settings; "
        "entry = settings.CELERY_BEAT_SCHEDULE.get('nightly-integrity-check'); "
        "print(entry and (entry['task'], sorted(entry['schedule'].hour), "
        "sorted(entry['schedule'].minute)))"
    )
    return run_with_django(code, env, check=False)


def test_beat_checks_integrity_every_night_at_a_configurable_hour(tmp_path):
    task = "reports.tasks.scheduled_integrity_check"
    default = nightly_check_schedule(tmp_path, None)
    assert default.stdout.strip() == repr((task, [2], [30]))
    assert nightly_check_schedule(tmp_path, "23").stdout.strip() == repr((task, [23], [30]))
    assert nightly_check_schedule(tmp_path, "off").stdout.strip() == "None"
    wrong = nightly_check_schedule(tmp_path, "25")
    assert wrong.returncode != 0
    assert "VETTING_INTEGRITY_CHECK_HOUR must be an hour from 0 to 23, or 'off'" in wrong.stderr
