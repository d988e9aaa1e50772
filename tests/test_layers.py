"""Apps import only the apps below them (README, Development): the ground floor stays reusable."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# From the ground floor up; `vetting` is the project shell above them all.
LAYERS = [
    "common",
    "audit",
    "accounts",
    "indicators",
    "signals",
    "notifications",
    "cases",
    "reports",
    "vetting",
]


def imported_apps(app: str) -> set[str]:
    found = set()
    for path in (REPO / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
    return (found & set(LAYERS)) - {app}


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    below = set(LAYERS[: LAYERS.index(app)])
    assert imported_apps(app) <= below, sorted(imported_apps(app) - below)
