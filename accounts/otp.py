"""The second factor: who needs one, and whether this session has passed it.

After the password, a user with a confirmed authenticator app must enter a code from it (or a
recovery code) before any page; a user of a role in `VETTING_SECOND_FACTOR_ROLES` who has none
must enrol first. `pending_step` says which, for the pages (accounts.middleware) and the
session-authenticated API (accounts.api_auth) alike. A single sign-on integration calls
`mark_verified_by_idp` when the identity provider says it checked a second factor itself.
"""

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles

VERIFY = "verify"
ENROL = "enrol"
# The identity provider's word that it checked a second factor, bound to the user it named.
IDP_SESSION_KEY = "vetting_second_factor_idp"


def required_roles() -> frozenset[str]:
    return frozenset(settings.VETTING_SECOND_FACTOR_ROLES)


def is_required_for(user) -> bool:
    """The user's role obliges them to use a second factor."""
    return roles.has_role(user, *required_roles())


def authenticator(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verified_by_idp(request) -> dict | None:
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    mark = session.get(IDP_SESSION_KEY) if session is not None else None
    if mark and user is not None and mark.get("user") == user.pk:
        return mark
    return None


def is_verified(request) -> bool:
    """This session passed the second factor: a code from a device, or the IdP's MFA."""
    user = request.user
    if not user.is_authenticated:
        return False
    device_verified = getattr(user, "is_verified", None)
    return bool(device_verified and device_verified()) or verified_by_idp(request) is not None


def pending_step(request) -> str | None:
    """What the signed-in user must do before anything else: VERIFY, ENROL, or nothing (None)."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    if has_authenticator(user):
        return VERIFY
    if is_required_for(user):
        return ENROL
    return None


def device_verified(request, device) -> None:
    """Remember in the session that `device` verified the signed-in user."""
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.user.otp_device = device


# ---------------------------------------------------------------- single sign-on


def _claim_values(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {item for item in value if isinstance(item, str)}
    return set()


def idp_checked_second_factor(claims: dict) -> bool:
    """The ID token's `amr` or `acr` claim shows a method the settings trust as a second factor."""
    trusted_amr = set(getattr(settings, "VETTING_OIDC_TRUSTED_AMR", []))
    trusted_acr = set(getattr(settings, "VETTING_OIDC_TRUSTED_ACR", []))
    claims = claims if isinstance(claims, dict) else {}
    amr = _claim_values(claims.get("amr"))
    acr = _claim_values(claims.get("acr"))
    return bool(trusted_amr & amr) or bool(trusted_acr & acr)


def mark_verified_by_idp(request, claims: dict) -> bool:
    """Call after an OIDC sign-in (after `django.contrib.auth.login`) with the ID token's claims.

    When they show a trusted second factor the session counts as verified (no local code is
    asked for, no enrolment forced) and True is returned; otherwise the session is left to
    vetting's own second factor and False is returned. Recorded in the audit log either way.
    """
    from . import audit

    user = request.user
    if not user.is_authenticated:
        return False
    claims = claims if isinstance(claims, dict) else {}
    trusted = idp_checked_second_factor(claims)
    amr = sorted(_claim_values(claims.get("amr")))
    acr = sorted(_claim_values(claims.get("acr")))
    if trusted:
        request.session[IDP_SESSION_KEY] = {"user": user.pk, "amr": amr, "acr": acr}
    else:
        request.session.pop(IDP_SESSION_KEY, None)
    audit.record_second_factor(
        user,
        request,
        "auth.second_factor_verified" if trusted else "auth.second_factor_not_shown_by_idp",
        method="idp",
        amr=amr,
        acr=acr,
    )
    return trusted
