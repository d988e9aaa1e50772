from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from . import checks, services, signals, summaries  # noqa: F401 - checks registers itself

        signals.connect()
        summaries.register_describers()
        post_migrate.connect(services.sync_roles_after_migrate, dispatch_uid="vetting-sync-roles")
