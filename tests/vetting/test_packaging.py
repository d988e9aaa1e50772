"""The wheel is complete: an installed wheel runs without the checkout.

Built as a release is (sdist, then the wheel from it), offline: `build` and setuptools>=77 are
dev dependencies.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from django.apps import apps

REPO = Path(__file__).resolve().parents[2]
SITE_DIRS = ("templates", "static", "locale")  # beside the apps; vetting/site/ in the wheel
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "var", "media", "tests", "build", "dist", "*.egg-info", "__pycache__", "*.py[co]"
)


def local_apps() -> list:
    """The installed apps that are this checkout's packages (not a virtualenv's inside it)."""
    return [
        app
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(REPO / app.name.split(".")[0])
    ]


def files_under(directory: Path):
    """Its files that the site may read at run time: all but caches, hidden files and docs."""
    for path in sorted(directory.rglob("*")):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and not path.name.startswith(".")
            and path.suffix != ".md"
        ):
            yield path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp / "dist", source],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        "Building failed (are the dev dependencies installed? pip install -e '.[dev]')\n"
        + result.stdout[-3000:]
        + result.stderr[-3000:]
    )
    (built,) = (tmp / "dist").glob("*.whl")
    return built


def test_the_wheel_has_every_local_app_with_all_its_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"vetting", "audit"} <= {app.name for app in local_apps()}
    missing = [
        path.relative_to(REPO).as_posix()
        for app in local_apps()
        for path in files_under(Path(app.path))
        if path.relative_to(REPO).as_posix() not in names
    ]
    assert not missing, f"Add to pyproject.toml's package-data: {missing}"


def test_the_wheel_has_the_site_templates_static_files_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [
        path.relative_to(REPO).as_posix()
        for name in SITE_DIRS
        for path in files_under(REPO / name)
        if f"vetting/site/{path.relative_to(REPO).as_posix()}" not in names
    ]
    assert not missing


def test_the_wheel_holds_only_the_apps(wheel):
    top = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    dist_info = {name for name in top if name.endswith(".dist-info")}
    assert top - dist_info == {app.name.split(".")[0] for app in local_apps()}


RUN_FROM_THE_WHEEL = """
import importlib, sys
from pathlib import Path

import django

django.setup()
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import get_template
from django.utils import translation

installed = Path(sys.argv[1])
for name in sys.argv[2:]:
    assert Path(importlib.import_module(name).__file__).is_relative_to(installed), name
call_command("check", fail_level="WARNING")
get_template("base.html")
get_template("reports/pdf/risk_summary.html")
assert finders.find("css/app.css")
translation.activate("ko")
assert translation.gettext("English") != "English"
from indicators.services import CATALOG_DIR

assert sorted(CATALOG_DIR.glob("*.json"))
print("ran from the wheel")
"""


def test_an_installed_wheel_runs_without_the_checkout(wheel, tmp_path):
    installed = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(installed)  # a pure wheel installs by unpacking
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG"}
    }
    env |= {
        # -S below skips site-packages' .pth files, so the editable install of the checkout
        # is out of the way: only the unpacked wheel and the dependencies are importable.
        "PYTHONPATH": os.pathsep.join([str(installed), *sorted(dependencies)]),
        "DJANGO_SETTINGS_MODULE": "vetting.settings",
        "VETTING_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-S", "-c", RUN_FROM_THE_WHEEL, installed]
        + [app.name for app in local_apps()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ran from the wheel" in result.stdout
