"""Builders for test state, shared by every test package (fixtures live in conftest.py)."""

import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp, roles
from accounts.services import sync_roles

# Django's own force_login: a password sign-in only, the second factor still to do.
# tests/conftest.py makes `client.force_login` also pass the second factor (see there).
password_only_login = Client.force_login


def make_user(username: str, *role_names: str) -> User:
    """An active user with the given roles and the password `pw-<username>`."""
    # `migrate` (and the flush after a transactional test) made the role groups already:
    # syncing them again for every user took a tenth of some test files' time.
    if Group.objects.filter(name__in=roles.ALL_ROLES).count() < len(roles.ALL_ROLES):
        sync_roles()
    user = User.objects.create_user(
        username=username, password="pw-" + username, first_name=username.title()
    )
    user.groups.set(Group.objects.filter(name__in=role_names))
    return user


def open_cases(open_case, count: int, **facts) -> list:
    """`count` cases through the `open_case` fixture, each with its own email and phone."""
    return [
        open_case(emails=[f"c{i}@example.com"], phones=[f"+1 555 010 {i:04d}"], **facts)
        for i in range(count)
    ]


def submit_all(cases, reviewer) -> None:
    """Put the cases straight into the review queue (the workflow itself is tested elsewhere)."""
    from django.utils import timezone

    from cases.models import Case

    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        status="submitted", submitted_at=timezone.now(), reviewer=reviewer, risk_level="low"
    )


def new_case_form(**facts) -> dict:
    """What the "Open a case" page posts: the required facts, no profile or history rows."""
    return {
        "legal_name": "Jane Roe",
        "role_applied_for": "Developer",
        "sourcing_channel": "direct",
        "profiles-TOTAL_FORMS": "0",
        "profiles-INITIAL_FORMS": "0",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
        **facts,
    }


# ---------------------------------------------------------------- second factor


def authenticator_for(user) -> TOTPDevice:
    """The user's confirmed authenticator app (created if none), ready to take a new code."""
    device = otp.authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    # Each code is taken once per 30 s: forget the last one so a test may sign in again.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return device


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app shows for `device` now (or at the Unix time `at`)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client, user) -> None:
    """Mark the client's session as verified by the user's authenticator app (made if needed)."""
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in_fully(client, user) -> None:
    """force_login, then the second factor when the user has or needs one."""
    password_only_login(client, user)
    if otp.is_required_for(user) or otp.has_authenticator(user):
        pass_second_factor(client, user)


REPO = Path(__file__).resolve().parent.parent


def run_with_django(code: str, env: dict, *, check: bool = False):
    """Run `code` in a fresh Python process after `django.setup()` with `env` as its whole
    environment: how settings read from the environment are tested."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            f"'vetting.settings'); django.setup(); {code}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=check,
    )
