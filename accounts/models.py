"""Accounts' own rows: API tokens (only a hash of each key is stored, and every token
expires), the link between a vetting user and an identity at the OpenID Provider, and recovery
codes.

Recovery codes are the second factor's fallback, kept only as keyed hashes: django-otp's own
static-token plugin stores the codes in clear; these devices keep an HMAC of each code (keyed
with SECRET_KEY, so a copy of the database alone reveals none of them), and a code is deleted
when it is used.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from simple_history.models import HistoricalRecords


def hash_key(key: str) -> str:
    """The stored form of a token key: its SHA-256. A key has 256 bits of entropy, so no salt
    or slow hash is needed; the database never holds a key that works."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_urlsafe(32)  # 32 random bytes, 43 characters


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """One API token of a user. The key is shown once, when the token is created."""

    NAME_MAX = 100
    PREFIX_LENGTH = 8  # the first characters of the key, shown so its owner can tell keys apart
    # How long a used token's last-used time may lag behind, to spare a write on every call.
    LAST_USED_PRECISION_SECONDS = 60

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    prefix = models.CharField(_("key starts with"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_active(self, now=None) -> bool:
        return not self.is_revoked and not self.is_expired(now)


class ExternalIdentity(models.Model):
    """A user known to the identity provider `issuer` by the subject `subject` (its `sub`).

    Single sign-on finds users by this pair only, never by username or e-mail, which an IdP may
    let its users choose or change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.URLField(_("identity provider"), max_length=500)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


HASH_SALT = "vetting.accounts.recovery-code"
# Letters and digits that cannot be mistaken for one another when copied by hand.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10  # ~49 bits each; online guesses are throttled, offline ones need the key


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def code_digest(code: str, secret: str | None = None) -> str:
    key = secret if secret is not None else settings.SECRET_KEY
    return salted_hmac(HASH_SALT, normalise_code(code), secret=key, algorithm="sha256").hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A set of single-use recovery codes, one set per user."""

    class Meta:
        verbose_name = "recovery code set"

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def codes_left(self) -> int:
        return self.codes.count()

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        digests = {code_digest(token, key) for key in keys}
        match = None
        for code in self.codes.all():
            if any(constant_time_compare(code.digest, digest) for digest in digests):
                match = code
                break
        if match is None:
            self.throttle_increment()
            return False
        with transaction.atomic():
            match.delete()
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, related_name="codes", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64)

    def __str__(self):
        return f"recovery code {self.pk}"
