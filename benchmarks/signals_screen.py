"""How fast one candidate is screened by every signals check (issue 10 target: < 50 ms median).

    python -m benchmarks.signals_screen

Measures, against a throwaway SQLite database: the one-off cost of loading the reference data
(per process), the median time of `screen_facts` on ready facts, and the median time of
`cases.screening.screen_candidate(candidate)`, which also reads the candidate's rows.
The lead folds this into `make bench` (benchmarks/run.py) when signals are wired in.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import prepare_database, setup_django

TARGET_MS = 50
RUNS = 300


def busy_candidate():
    from django.contrib.auth.models import Group, User

    from accounts import roles
    from accounts.services import sync_roles
    from cases import services

    sync_roles()
    hr = User.objects.create(username="bench-hr")
    hr.groups.set(Group.objects.filter(name=roles.HR))
    case = services.open_case(
        hr,
        {
            "legal_name": "Bench Candidate",
            "role_applied_for": "Engineer",
            "claimed_country": "US",
            "routing_number": "026073150",
            "shipping_address": "4283 Express Lane\nSuite 1\nSarasota, FL 34238\nUSA",
            "phones": ["+1 646 555 0142", "+82 10 1234 5678", "+850 2 381 2222"],
            "emails": ["a@gmail.com", "b@mailinator.com", "c@belgradeuniversity.edu"],
            "ip_addresses": ["73.0.0.1", "52.1.1.1", "211.234.10.1", "175.45.176.9"],
            "profiles": [{"kind": "github", "url_or_handle": "https://github.com/bench"}],
            "history": [
                {"kind": "education", "organisation": "Uni", "country": "CN"},
                {"kind": "employment", "organisation": "A", "country": "US"},
                {"kind": "employment", "organisation": "B", "country": "KR"},
            ],
        },
    )
    return case.candidate


def median_ms(function, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(Path(var_dir))
        prepare_database()
        from cases.models import Candidate
        from cases.screening import facts_for_candidate, screen_candidate
        from signals.reference import reference_data
        from signals.services import screen_facts

        start = time.perf_counter()
        reference_data()
        load_s = time.perf_counter() - start
        candidate_id = busy_candidate().pk
        facts = facts_for_candidate(Candidate.objects.get(pk=candidate_id))
        count = len(screen_facts(facts))
        facts_ms = median_ms(lambda: screen_facts(facts))
        full_ms = median_ms(lambda: screen_candidate(Candidate.objects.get(pk=candidate_id)))
    print(f"reference data load (once per process): {load_s:.2f} s")
    print(f"screen_facts, {count} findings: median {facts_ms:.2f} ms over {RUNS} runs")
    print(f"screen_candidate incl. its rows: median {full_ms:.2f} ms (target < {TARGET_MS})")
    return 0 if full_ms < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
