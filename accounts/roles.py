"""The four roles of DESIGN.md, kept as Django groups."""

from django.contrib.auth.models import AnonymousUser, User

HR = "hr"
REVIEWER = "reviewer"
COMPLIANCE = "compliance"
ADMIN = "admin"
ALL_ROLES = (HR, REVIEWER, COMPLIANCE, ADMIN)
# What each role may do is stated in cases/permissions.py.

ROLE_DESCRIPTIONS = {
    HR: "Opens cases, records candidate facts, answers the checklist, uploads evidence, submits.",
    REVIEWER: "Reads everything HR can; works the review queue; signs off cases it did not assess.",
    COMPLIANCE: "Reads everything; exports audit reports; verifies integrity; manages catalogues.",
    ADMIN: "Manages users and roles in the Django admin.",
}


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The user's roles, cached on the user object for the request."""
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_vetting_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(names)
        user._vetting_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
