"""HTTP helpers shared by the web pages and the API."""

from itertools import chain

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from . import files
from .errors import InvalidTransition, NotFound, Unavailable
from .storage import HashMismatch, StorageUnavailable, unavailable_message, verified_chunks

# A downloaded file never runs anything, even if a browser were to show it.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def mark_as_download(response, *, filename: str, sha256: str = ""):
    """The headers every download carries: saved (never shown inline) under `filename`, not
    sniffed, not framed or run, never cached, with its hash when known."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response


def attachment_response(
    stored_file,
    *,
    filename: str,
    content_type: str,
    sha256: str = "",
    size: int | None = None,
    fallback_name: str = "",
):
    """A stored file as a download that browsers save rather than render, never cached, with
    its hash. Its name and type follow common.files (clean name, extension of the served type,
    active content as plain text).

    The file is streamed in chunks from the storage in use and hashed as it goes: bytes that do
    not match `sha256` are never handed out whole (a small file is refused before the answer
    starts, a large one is cut short before its last chunk). A file missing from storage is
    NotFound (404) and an unreachable storage Unavailable (503), on the web and in the API
    alike."""
    if not stored_file:
        raise NotFound(_("The stored file is missing."))
    name, served = files.safe_download(filename, content_type, fallback_name)
    chunks = verified_chunks(stored_file.name, sha256, storage=stored_file.storage)
    try:
        first = next(chunks, b"")
    except FileNotFoundError as exc:
        raise NotFound(_("The stored file is missing.")) from exc
    except StorageUnavailable as exc:
        raise Unavailable(unavailable_message(exc)) from exc
    except HashMismatch as exc:
        raise InvalidTransition(
            _(
                "The stored file no longer matches the SHA-256 recorded for it, so it is not "
                "handed out. Tell your administrator."
            )
        ) from exc
    response = StreamingHttpResponse(chain([first], chunks), content_type=served)
    if size is not None:
        # With the length announced, a download cut short is seen as incomplete.
        response["Content-Length"] = str(size)
    return mark_as_download(response, filename=name, sha256=sha256)
