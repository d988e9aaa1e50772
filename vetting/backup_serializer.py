"""The serialisation format of a backup's database dump: Django's JSON Lines, except that
encrypted numbers stay encrypted.

Django's serialisers write the value Python code sees, which for an EncryptedTextField is the
number in clear. Here the dump holds it as ciphertext under the current field key, and loading
decrypts it before the field encrypts it again on save: a backup never holds the numbers in
clear, and restoring needs the field keys (vetting/backup.py). Times keep their microseconds,
which Django's JSON encoder would cut to milliseconds.
"""

import datetime

from django.core.serializers import jsonl
from django.db import models

from cases.crypto import EncryptedTextField, decrypt, encrypt

FORMAT = "vetting-jsonl"


class Serializer(jsonl.Serializer):
    def handle_field(self, obj, field):
        if isinstance(field, EncryptedTextField):
            value = field.value_from_object(obj)
            self._current[field.name] = encrypt(value) if value else value
            return
        if isinstance(field, models.DateTimeField | models.TimeField):
            # Django's JSON encoder cuts times to milliseconds; a backup keeps them whole.
            value = field.value_from_object(obj)
            if isinstance(value, datetime.datetime | datetime.time):
                self._current[field.name] = value.isoformat()
                return
        super().handle_field(obj, field)


class Deserializer(jsonl.Deserializer):
    def _handle_object(self, obj):
        for deserialized in super()._handle_object(obj):
            instance = deserialized.object
            for field in instance._meta.concrete_fields:
                if isinstance(field, EncryptedTextField):
                    value = getattr(instance, field.attname)
                    if value:
                        setattr(instance, field.attname, decrypt(value))
            yield deserialized
