"""HTTP helpers shared by the web pages and the API."""

from itertools import chain

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .errors import InvalidTransition, NotFound, Unavailable
from .storage import HashMismatch, StorageUnavailable, unavailable_message, verified_chunks


def attachment_response(
    stored_file, *, filename: str, content_type: str, sha256: str = "", size: int | None = None
):
    """A stored file as a download that browsers save rather than render, never cached, with
    its hash. The file is streamed in chunks from the storage in use and hashed as it goes:
    bytes that do not match `sha256` are never handed out whole (a small file is refused before
    the answer starts, a large one is cut short before its last chunk). A file missing from
    storage is NotFound (404) and an unreachable storage Unavailable (503), on the web and in
    the API alike."""
    if not stored_file:
        raise NotFound(_("The stored file is missing."))
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
    response = StreamingHttpResponse(chain([first], chunks), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if size is not None:
        # With the length announced, a download cut short is seen as incomplete.
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response
