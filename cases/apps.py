from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _keep_tallies(sender, using="default", **kwargs):
    """After every migrate: the case tallies' triggers are there (SQLite drops them when a
    migration rebuilds the cases table), recounted if they had to be put back."""
    from . import tallies

    connection = connections[using]
    tables = connection.introspection.table_names()
    if tallies.TALLY in tables and "cases_case" in tables:
        tallies.ensure_triggers(connection)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from signals.reference import reference_data_updated

        from . import summaries, tasks

        summaries.register_describers()
        reference_data_updated.connect(tasks.queue_rescreen, dispatch_uid="cases.queue_rescreen")
        post_migrate.connect(_keep_tallies, sender=self, dispatch_uid="cases.keep_tallies")
