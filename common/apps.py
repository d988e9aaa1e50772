from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The ground floor: errors, HTTP and DRF plumbing shared by every app; imports no app."""

    name = "common"
    verbose_name = "Common"
