"""Checks on uploaded evidence: type by content (not by name), size, and a safe display name.

The type comes from the content alone. Any UTF-8 text is stored as inert text (text/plain, or
text/csv and message/rfc822 by name): an HTML page, an SVG drawing, a script or an XML file a
candidate sent is kept as evidence, byte for byte, but is never served as anything a browser
renders or runs, and is handed back as `<name>.txt` (see common.files). Binary files of any
other type are refused.
"""

from django.utils.translation import gettext as _

from common import files

# Each allowed type is stored (and handed back) with the extension common.files gives it.
ALLOWED_TYPES = {
    content_type: files.EXTENSIONS[content_type][0]
    for content_type in (
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "message/rfc822",
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "audio/mpeg",
        "audio/wav",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
}
ALLOWED_DESCRIPTION = (
    "PDF, PNG, JPEG, GIF, WebP, text, CSV, e-mail (.eml), MP4, MOV, WebM, MP3, WAV, DOCX, XLSX"
)

_OFFICE_BY_EXTENSION = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff_content_type(head: bytes, name: str) -> str | None:
    """The content type from the file's first bytes, or None when it is not an allowed type."""
    lower = name.lower()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"PK\x03\x04"):
        extension = lower[lower.rfind(".") :] if "." in lower else ""
        return _OFFICE_BY_EXTENSION.get(extension)
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character may be cut at the end of the sample.
            if exc.start < len(head) - 4:
                return None
        if lower.endswith(".eml"):
            return "message/rfc822"
        if lower.endswith(".csv"):
            return "text/csv"
        return "text/plain"
    return None


def sanitize_filename(name: str) -> str:
    """A display name without directories, hidden characters or tricks (common.files)."""
    return files.clean_name(name, _("evidence"))


def download_name(name: str, content_type: str) -> str:
    """The name evidence is handed back under: clean, ending with its stored type's extension."""
    return files.download_name(name, content_type, _("evidence"))
