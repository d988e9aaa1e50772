"""`make bench` keeps working: the screening and re-screening measurements, at a tiny size."""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_benchmark_screens_one_case_and_re_screens_a_populated_database(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "VETTING_BENCH_DATABASE_URL"}
    }
    env.update(PYTHONPATH=str(REPO), VETTING_BENCH_DIR=str(tmp_path / "bench"))
    command = [sys.executable, "-m", "benchmarks.run", "--only", "screen,rescreen"]
    command += ["--screen-runs", "5", "--rescreen-cases", "20"]

    first = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    again = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)

    # Exit status 1 is a missed target, which depends on the machine and its load, not a failure.
    assert first.returncode in (0, 1), first.stdout + first.stderr
    assert re.search(r"\| screening one case .*: median of 5 \| [\d.]+ ms", first.stdout)
    # 20 benchmark cases plus the one screened above; the closed ones are skipped.
    row = re.search(r"\| re-screening 21 open cases .* \| ([\d.]+) min, .* cases/s", first.stdout)
    assert row, first.stdout
    assert "20 of 20 open cases written" in first.stdout
    # The second run reuses the populated database and re-screens after another update.
    assert again.returncode in (0, 1), again.stdout + again.stderr
    assert "open cases written" not in again.stdout
    assert re.search(r"\| re-screening 22 open cases", again.stdout)
