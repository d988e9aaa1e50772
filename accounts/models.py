"""Recovery codes: the second factor's fallback, kept only as keyed hashes.

django-otp's own static-token plugin stores the codes in clear; these devices keep an HMAC of
each code (keyed with SECRET_KEY, so a copy of the database alone reveals none of them), and a
code is deleted when it is used.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

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
