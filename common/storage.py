"""Where evidence, reports and integrity check results are kept: the local disk (the embedded
default) or an S3-compatible object store (`VETTING_STORAGE=s3`, see vetting/settings.py).

Whatever the storage, files are read in chunks and never whole into memory, and its failures
reach the code in two forms only: FileNotFoundError for an object that is not there, and
StorageUnavailable (a ConnectionError, so report jobs retry it) for a storage that cannot be
reached or refuses the request.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .errors import NotFound, Unavailable

CHUNK_SIZE = 1024 * 1024


class StorageUnavailable(ConnectionError):
    """The file storage could not be reached, or refused the request. Nothing was changed."""


@contextmanager
def translated_errors(name: str = ""):
    """Turn an S3 client's errors into FileNotFoundError or StorageUnavailable."""
    try:
        yield
    except (FileNotFoundError, StorageUnavailable):
        raise
    except Exception as exc:
        if not _is_client_error(exc):
            raise
        if _is_missing(exc):
            raise FileNotFoundError(f"No such stored file: {name}") from exc
        raise StorageUnavailable(_describe(exc)) from exc


def _is_client_error(exc: BaseException) -> bool:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
        from urllib3.exceptions import HTTPError
    except ImportError:  # pragma: no cover - boto3 is only needed with VETTING_STORAGE=s3
        return False
    return isinstance(exc, BotoCoreError | ClientError | HTTPError)


def _is_missing(exc: BaseException) -> bool:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in {"404", "NoSuchKey", "NotFound"} or status == 404


def _describe(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    if error:
        return f"the file storage refused the request ({error.get('Code')}: {error.get('Message')})"
    return f"the file storage could not be reached ({type(exc).__name__}: {exc})"[:300]


# ---------------------------------------------------------------- the S3 storage


try:
    from storages.backends.s3 import S3Storage as _S3Storage
except ImportError:  # pragma: no cover
    _S3Storage = None


class StreamedObject(File):
    """An object opened for reading: its body streamed from the server as it is read."""

    def __init__(self, body, name: str, size: int):
        super().__init__(body, name)
        self._size = size
        self.mode = "rb"

    @property
    def size(self):
        return self._size

    def read(self, size: int = -1) -> bytes:
        with translated_errors(self.name):
            return self.file.read(None if size is None or size < 0 else size)

    def __iter__(self):
        yield from self.chunks()

    def chunks(self, chunk_size=None):
        while chunk := self.read(chunk_size or CHUNK_SIZE):
            yield chunk

    def seek(self, offset, whence=0):
        if offset == 0 and whence == 0 and self.file.tell() == 0:
            return 0
        raise OSError("A streamed object cannot seek.")

    def seekable(self) -> bool:
        return False

    def open(self, mode=None):
        return self

    def close(self):
        self.file.close()

    @property
    def closed(self):
        return bool(getattr(self.file, "closed", False))


if _S3Storage is not None:

    class S3Storage(_S3Storage):
        """django-storages' S3 storage, kept private, streamed and with clear errors.

        Objects are private, names are never reused (a second file of the same name gets another
        one rather than replacing the first) and the storage hands out no links: files leave only
        through views that check permissions, verify the hash and record the download.
        """

        def get_default_settings(self):
            return {
                **super().get_default_settings(),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            }

        def _open(self, name, mode="rb"):
            if "w" in mode or "a" in mode or "+" in mode:
                with translated_errors(name):
                    return super()._open(name, mode)
            key = self._normalize_name(name)
            with translated_errors(name):
                answer = self.bucket.Object(key).get()
            return StreamedObject(answer["Body"], name, answer["ContentLength"])

        def _save(self, name, content):
            with translated_errors(name):
                return super()._save(name, content)

        def delete(self, name):
            with translated_errors(name):
                return super().delete(name)

        def exists(self, name):
            with translated_errors(name):
                return super().exists(name)

        def listdir(self, name):
            with translated_errors(name):
                return super().listdir(name)

        def size(self, name):
            with translated_errors(name):
                return super().size(name)

        def url(self, name, parameters=None, expire=None, http_method=None):
            """No direct links: a link would skip the permission check and the audit log."""
            return ""


# ---------------------------------------------------------------- reading back


def read_chunks(name: str, storage=None) -> Iterator[bytes]:
    """The stored file's bytes in chunks. Raises FileNotFoundError or StorageUnavailable."""
    storage = storage or default_storage
    with translated_errors(name), storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK_SIZE):
            yield chunk


def hash_stored(name: str, storage=None) -> tuple[str, int]:
    """SHA-256 and size of a stored file, read in chunks from the storage in use."""
    digest, size = hashlib.sha256(), 0
    for chunk in read_chunks(name, storage):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class HashMismatch(OSError):
    """The bytes read back do not have the SHA-256 recorded for them."""


def verified_chunks(name: str, sha256: str, storage=None) -> Iterator[bytes]:
    """The stored file in chunks, hashed as they pass. If the bytes do not match `sha256`, the
    last chunk is withheld and HashMismatch raised, so a download is cut short rather than
    completed with bytes that were changed since they were checked."""
    digest = hashlib.sha256()
    pending = None
    for chunk in read_chunks(name, storage):
        if pending is not None:
            yield pending
        digest.update(chunk)
        pending = chunk
    if sha256 and digest.hexdigest() != sha256:
        raise HashMismatch(f"{name} does not match its recorded SHA-256")
    if pending is not None:
        yield pending


# ---------------------------------------------------------------- for services and views


def unavailable_message(exc: BaseException) -> str:
    return _(
        "The file storage cannot be reached just now (%(detail)s). Nothing was lost or changed; "
        "try again in a few minutes, and tell your administrator if it persists."
    ) % {"detail": exc}


def stored_file_matches(name: str, sha256: str) -> bool:
    """Whether the stored file still has its recorded SHA-256, read from the storage in use.
    A missing file is NotFound; an unreachable storage is Unavailable."""
    try:
        digest, _size = hash_stored(name)
    except FileNotFoundError as exc:
        raise NotFound(_("The stored file is missing.")) from exc
    except StorageUnavailable as exc:
        raise Unavailable(unavailable_message(exc)) from exc
    return digest == sha256
