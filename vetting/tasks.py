from celery import shared_task
from django.db import connection


@shared_task(ignore_result=False)
def worker_health() -> dict:
    """Answered by a worker: proves it runs and reaches the same database as the web app."""
    from indicators.models import CatalogVersion

    return {
        "database": connection.settings_dict["NAME"],
        "catalog_versions": sorted(CatalogVersion.objects.values_list("code", flat=True)),
    }
