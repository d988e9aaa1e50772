from django.conf import settings

from .models import CatalogItem, CatalogVersion


class NoCatalogError(Exception):
    pass


def default_catalog_version() -> CatalogVersion:
    """The version new cases pin: the configured one, else the newest active published one."""
    versions = CatalogVersion.objects.filter(is_active=True)
    configured = settings.VETTING_DEFAULT_CATALOG_VERSION
    version = versions.filter(code=configured).first() if configured else versions.first()
    if version is None:
        raise NoCatalogError(
            "No indicator catalogue is loaded. Run `python manage.py load_catalogs` first."
        )
    return version


def catalog_versions():
    return CatalogVersion.objects.all()


def version_items(version: CatalogVersion):
    return CatalogItem.objects.filter(version=version).order_by("position")
