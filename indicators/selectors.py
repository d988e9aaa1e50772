from django.conf import settings

from .models import CatalogItem, CatalogVersion, VersionKind


class NoCatalogError(Exception):
    pass


def default_catalog_version() -> CatalogVersion:
    """The base version new cases pin: the one named in the environment, else the one compliance
    chose as the default, else the newest active base version."""
    versions = CatalogVersion.objects.filter(is_active=True)
    configured = settings.VETTING_DEFAULT_CATALOG_VERSION
    if configured:
        version = versions.filter(code=configured).first()
    else:
        bases = versions.filter(kind=VersionKind.BASE)
        version = bases.filter(default_for_new_cases=True).first() or bases.first()
    if version is None:
        raise NoCatalogError(
            "No indicator catalogue is loaded. Run `python manage.py load_catalogs` first."
        )
    return version


def default_supplements(base: CatalogVersion) -> list[CatalogVersion]:
    """What new cases pin besides their base version, oldest first: supplements, or an older
    base version (such as May 2022) so that its own items are asked too."""
    return list(
        CatalogVersion.objects.filter(is_active=True, default_for_new_cases=True)
        .exclude(pk=base.pk)
        .order_by("published_on", "code")
    )


def catalog_versions():
    return CatalogVersion.objects.all()


def version_items(version: CatalogVersion):
    return CatalogItem.objects.filter(version=version).order_by("position")
