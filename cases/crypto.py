"""Encryption at rest for account and identity document numbers, with key rotation."""

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from common.normalize import normalize_account_number

from .fields import BoundedTextField


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def key_fingerprint(key: str) -> str:
    """A short name for a field key that does not reveal it: the start of its SHA-256."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:16]


def key_of(token: str) -> int | None:
    """The position in VETTING_FIELD_KEYS of the key that encrypted `token` (0: the current
    one), or None when no configured key opens it."""
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS):
        try:
            Fernet(key.encode()).decrypt(token.encode())
        except InvalidToken:
            continue
        return position
    return None


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "Cannot decrypt a stored value: none of VETTING_FIELD_KEYS fits. Keep old keys "
            "after the new one until `manage.py rotate_field_keys` has run."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (current) key."""
    return _fernet().rotate(token.encode()).decode()


def normalize_number(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def blind_index(value: str, normalize=normalize_number) -> str:
    """Keyed hash of a normalised number, so equal numbers can be matched without decrypting."""
    normalized = normalize(value)
    if not normalized:
        return ""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


def account_number_index(value: str) -> str:
    """The blind index of a bank account number: of its valid IBAN, or of its digits alone."""
    return blind_index(value, normalize_account_number)


def mask(value: str, visible: int = 4) -> str:
    if not value:
        return ""
    tail = normalize_number(value)[-visible:]
    return "•" * max(4, len(normalize_number(value)) - visible) + tail


class EncryptedTextField(BoundedTextField):
    """Stores Fernet ciphertext; Python code sees plain text. Not searchable: use a blind index."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
