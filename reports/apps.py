from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from common.metrics import register_collector

        from . import metrics, summaries

        summaries.register_describers()
        register_collector(metrics.collect)
