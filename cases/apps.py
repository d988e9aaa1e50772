from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from signals.reference import reference_data_updated

        from . import summaries, tasks

        summaries.register_describers()
        reference_data_updated.connect(tasks.queue_rescreen, dispatch_uid="cases.queue_rescreen")
