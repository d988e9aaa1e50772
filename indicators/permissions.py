"""Who may do what with the catalogue: named once, used by the services, pages and the API."""

from django.utils.translation import gettext as _

from accounts.roles import ALL_ROLES, COMPLIANCE, has_role
from common.errors import NotAllowed

CATALOG_READERS = ALL_ROLES  # the catalogue list, the coverage report, the published items
CATALOG_MANAGERS = (COMPLIANCE,)  # upload, publish, discard, activate, set the defaults


def can_read_catalogs(user) -> bool:
    return has_role(user, *CATALOG_READERS)


def can_manage_catalogs(user) -> bool:
    return has_role(user, *CATALOG_MANAGERS)


def require_catalog_manager(user) -> None:
    """NotAllowed (403 on every door) unless `user` may manage catalogues."""
    if not can_manage_catalogs(user):
        raise NotAllowed(_("Only compliance users may manage catalogue versions."))
