"""HTTP helpers shared by the web pages and the API."""

from django.http import FileResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from . import files
from .errors import NotFound

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
    stored_file, *, filename: str, content_type: str, sha256: str = "", fallback_name: str = ""
):
    """A stored file as a download that browsers save rather than render, never cached, with
    its hash. Its name and type follow common.files (clean name, extension of the served type,
    active content as plain text). A file missing from storage is NotFound (404 on the web and
    in the API alike)."""
    name, served = files.safe_download(filename, content_type, fallback_name)
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound(_("The stored file is missing.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=served)
    return mark_as_download(response, filename=name, sha256=sha256)
