"""The API is enough on its own: examples/api_walkthrough.py, a separate process speaking only
HTTP to a live server, takes a case from opening to a verified referral packet download."""

import hashlib
import subprocess
import sys
import zipfile

import pytest

from accounts import roles
from audit.models import AuditEvent
from cases.models import Case, Decision
from reports.models import JobStatus, ReportJob
from tests.conftest import REPO
from tests.helpers import authenticator_for, make_user, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCRIPT = REPO / "examples" / "api_walkthrough.py"


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


def test_a_script_using_only_the_api_gets_a_verified_referral_packet(live_server, tmp_path):
    from indicators.services import load_catalogs

    load_catalogs()
    make_user("hana", roles.HR)
    riley = make_user("riley", roles.REVIEWER)
    code = totp_code(authenticator_for(riley))  # a reviewer's token needs the second factor

    result = run_script(
        live_server.url, "--hr", "hana:pw-hana", "--reviewer", f"riley:pw-riley:{code}",
        "--out", str(tmp_path), "--timeout", "120",
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    case = Case.objects.get()
    assert case.decision == Decision.REFERRED
    assert case.owner.username == "hana" and case.reviewer.username == "riley"
    job = ReportJob.objects.get(case=case, kind="referral_packet")
    assert job.status == JobStatus.DONE
    saved = tmp_path / job.file_name
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == job.sha256
    folder = f"{case.reference}-referral"
    with zipfile.ZipFile(saved) as packet:
        ic3 = packet.read(f"{folder}/ic3_complaint.txt").decode()
        assert "IP addresses: 175.45.176.12" in ic3
        assert any(name.startswith(f"{folder}/evidence/") for name in packet.namelist())
    assert f"opened {case.reference}" in result.stdout
    assert "files match the manifest" in result.stdout
    assert AuditEvent.objects.filter(action="report.downloaded", actor__username="riley").exists()


def test_the_script_reports_a_refusal_plainly(live_server, tmp_path):
    make_user("hana", roles.HR)

    result = run_script(
        live_server.url, "--hr", "hana:wrong-password", "--reviewer", "riley:pw-riley",
        "--out", str(tmp_path),
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr.startswith("error: POST ")
    assert "/api/v1/auth/token/ → 400" in result.stderr
    assert "Traceback" not in result.stderr
