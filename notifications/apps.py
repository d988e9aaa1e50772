from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import receivers, summaries

        summaries.register_describers()
        user_logged_in.connect(
            receivers.remember_language_at_sign_in, dispatch_uid="notifications.language"
        )
