import pytest

from indicators.services import load_catalogs
from vetting.tasks import worker_health


@pytest.mark.celery_worker
def test_real_worker_answers_from_the_same_database(celery_worker_process):
    load_catalogs()

    answer = worker_health.apply_async().get(timeout=60)

    assert answer["catalog_versions"] == ["2022-05", "2023-10", "vetting-supplement-2025"]
