"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from the environment.

The provider's endpoints come from its discovery document (or from explicit settings), fetched
once per process. On each sign-in the ID token's issuer, audience and expiry are checked, the
user is found by (issuer, subject), and the roles are set from the IdP's groups through the
mapping table `settings.VETTING_OIDC["role_map"]` — so a role changed at the IdP applies at the
next sign-in, and the change is audited like any other. Whoever has no mapped role, or whose
vetting account is deactivated, is refused with a reason.
"""

import logging
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from audit.services import record_event

from . import roles, services
from .audit import client_details
from .models import ExternalIdentity

logger = logging.getLogger(__name__)
DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_TIMEOUT_SECONDS = 10
# The session keys where the IdP's authentication methods wait for the second-factor check.
SESSION_AMR = "sso_amr"
SESSION_ACR = "sso_acr"
SESSION_ISSUER = "sso_issuer"


def config() -> dict:
    return settings.VETTING_OIDC


def is_configured() -> bool:
    c = config()
    return bool(c.get("issuer") and c.get("client_id"))


def local_passwords_enabled() -> bool:
    """Whether users may sign in with a vetting password (page, admin, API token endpoint)."""
    return settings.VETTING_LOCAL_PASSWORDS


@dataclass(frozen=True)
class ProviderEndpoints:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str = ""


_discovered: dict[str, dict] = {}


def _discovery(issuer: str) -> dict:
    if issuer not in _discovered:
        response = requests.get(
            issuer.rstrip("/") + DISCOVERY_PATH, timeout=DISCOVERY_TIMEOUT_SECONDS
        )
        response.raise_for_status()
        _discovered[issuer] = response.json()
    return _discovered[issuer]


def endpoints() -> ProviderEndpoints:
    """The provider's endpoints: explicit settings first, then its discovery document."""
    c = config()
    fields = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    explicit = {name: c.get(name) or "" for name in (*fields, "end_session_endpoint")}
    if all(explicit[name] for name in fields):
        return ProviderEndpoints(issuer=c["issuer"], **explicit)
    document = _discovery(c["issuer"])
    return ProviderEndpoints(
        issuer=c["issuer"],
        **{name: explicit[name] or document.get(name, "") for name in explicit},
    )


def mapped_roles(claims: dict) -> list[str]:
    """The vetting roles the IdP's groups (or roles) claim maps to, by the settings' table."""
    value = claims.get(config()["roles_claim"]) or []
    groups = [value] if isinstance(value, str) else list(value)
    role_map = config()["role_map"]
    return sorted({role_map[g] for g in groups if g in role_map and role_map[g] in roles.ALL_ROLES})


class SignInRefused(PermissionDenied):
    """An identity the provider vouched for that vetting will not let in; the message says why
    (shown to the user), `reason` says it for the audit log."""

    def __init__(self, message: str, *, subject: str = "", reason: str = ""):
        super().__init__(message)
        self.message, self.subject, self.reason = message, subject, reason


def _refuse(request, message: str, *, subject: str = "", reason: str = "") -> None:
    raise SignInRefused(message, subject=subject, reason=reason)


def record_refusal(request, refusal: SignInRefused) -> None:
    """Show the refusal on the sign-in page and record it (outside the refused transaction)."""
    request.sso_refusal = refusal.message
    record_event(
        actor=None,
        action="auth.sso_refused",
        object_type="auth.user",
        summary=(
            f"Single sign-on refused for {refusal.subject or '(unknown subject)'}: {refusal.reason}"
        ),
        data={"subject": refusal.subject, "reason": refusal.reason, **client_details(request)},
    )


class VettingOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the checks it leaves out (issuer, audience) and
    vetting's user matching and role mapping."""

    def __init__(self, *args, **kwargs):
        self.configured = is_configured()
        if not self.configured:
            return  # an install without SSO: this backend authenticates nobody
        from django.contrib.auth import get_user_model

        provider = endpoints()
        c = config()
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = c["client_id"]
        self.OIDC_RP_CLIENT_SECRET = c["client_secret"]
        self.OIDC_RP_SIGN_ALGO = c["sign_algo"]
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not self.configured or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            record_refusal(request, refusal)
            raise

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        c = config()
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss") != c["issuer"]:
            _refuse(
                self.request,
                _("The identity provider's answer came from an unexpected issuer."),
                subject=str(payload.get("sub", "")),
                reason=f"issuer {payload.get('iss')!r} is not {c['issuer']!r}",
            )
        if c["client_id"] not in audiences:
            _refuse(
                self.request,
                _("The identity provider's answer was meant for another application."),
                subject=str(payload.get("sub", "")),
                reason=f"audience {audiences!r} does not include {c['client_id']!r}",
            )
        self.id_token_claims = payload
        return payload

    def _verify_jws(self, payload, key):
        try:
            return super()._verify_jws(payload, key)
        except jwt.ExpiredSignatureError:
            _refuse(self.request, _("The identity provider's answer has expired."), reason="exp")

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(
            external_identities__issuer=config()["issuer"],
            external_identities__subject=claims["sub"],
        )

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            _refuse(
                self.request,
                _("The identity provider's answers did not agree."),
                reason="userinfo sub differs from the ID token's",
            )
        user = sign_in_from_claims(self.request, {**payload, **claims})
        # How the IdP authenticated the user: the ID token's claims, else the userinfo's.
        amr = payload.get("amr") or claims.get("amr") or []
        self.request.session[SESSION_AMR] = [amr] if isinstance(amr, str) else list(amr)
        self.request.session[SESSION_ACR] = str(payload.get("acr") or claims.get("acr") or "")
        self.request.session[SESSION_ISSUER] = config()["issuer"]
        return user


def _username_for(claims: dict) -> str:
    max_length = User._meta.get_field("username").max_length
    return str(claims.get("preferred_username") or claims["sub"])[:max_length]


@transaction.atomic
def sign_in_from_claims(request, claims: dict) -> User:
    """The vetting user for a verified identity: found by (issuer, subject) or created, with
    the roles the IdP's groups map to. Refuses (SignInRefused) with the reason otherwise."""
    issuer, subject = config()["issuer"], str(claims["sub"])
    granted = mapped_roles(claims)
    link = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if link is not None and not link.user.is_active:
        _refuse(
            request,
            _("Your vetting account is deactivated. Ask an administrator."),
            subject=subject,
            reason="account deactivated",
        )
    if not granted:
        _refuse(
            request,
            _(
                "Your identity provider gives you no vetting role. Ask your administrator to "
                "add you to one of the groups mapped to hr, reviewer, compliance or admin."
            ),
            subject=subject,
            reason="no mapped role",
        )
    if link is None:
        username = _username_for(claims)
        if User.objects.filter(username__iexact=username).exists():
            _refuse(
                request,
                _(
                    "A vetting account named %(username)s already exists and is not linked to "
                    "your identity. Ask an administrator to link or rename it."
                )
                % {"username": username},
                subject=subject,
                reason=f"username {username} taken by an unlinked account",
            )
        user = User(username=username)
        user.set_unusable_password()
        link = ExternalIdentity(user=user, issuer=issuer, subject=subject)
    user = link.user
    user.email = str(claims.get("email") or user.email)[:254]
    user.first_name = str(claims.get("given_name") or user.first_name)[:150]
    user.last_name = str(claims.get("family_name") or user.last_name)[:150]
    user.save()
    link.user = user
    link.last_sign_in = timezone.now()
    link.save()
    services.set_user_roles(user, granted)
    return user


def provider_logout_url(request) -> str:
    """Where signing out sends the browser: the IdP's end-session endpoint when it has one (so
    the IdP session ends too), with the ID token as a hint; else vetting's sign-in page."""
    from django.urls import reverse

    login = request.build_absolute_uri(reverse("login"))
    id_token = request.session.get("oidc_id_token")
    if not (is_configured() and id_token):
        return ""
    end_session = endpoints().end_session_endpoint
    if not end_session:
        return ""
    from urllib.parse import urlencode

    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": login})
    return f"{end_session}?{query}"
