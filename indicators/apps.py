from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicator catalogue"

    def ready(self):
        from . import summaries

        summaries.register_describers()
