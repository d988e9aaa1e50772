from django.conf import settings
from django.core.checks import Error, register

from . import roles


@register()
def second_factor_roles(app_configs=None, **kwargs):
    """VETTING_SECOND_FACTOR_ROLES names only roles that exist (a typo would drop the rule)."""
    unknown = sorted(set(settings.VETTING_SECOND_FACTOR_ROLES) - set(roles.ALL_ROLES))
    if not unknown:
        return []
    return [
        Error(
            f"VETTING_SECOND_FACTOR_ROLES names unknown role(s): {', '.join(unknown)}.",
            hint=f"Use some of: {', '.join(roles.ALL_ROLES)}.",
            id="accounts.E001",
        )
    ]
