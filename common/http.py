"""HTTP helpers shared by the web pages and the API."""

from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import NotFound


def attachment_response(stored_file, *, filename: str, content_type: str, sha256: str = ""):
    """A stored file as a download that browsers save rather than render, never cached, with
    its hash. A file missing from storage is NotFound (404 on the web and in the API alike)."""
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound(_("The stored file is missing.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response
