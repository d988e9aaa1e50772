"""The one rule for the names and types of files that leave the server (evidence downloads on
the web and the API, report downloads, the files inside a referral packet).

- A name never hides anything: no directories, no control characters, no invisible or
  bidirectional formatting characters (Unicode category C, e.g. U+202E RIGHT-TO-LEFT OVERRIDE,
  zero-width spaces, Hangul fillers), nothing a shell or a file system treats specially.
- A name always ends with the extension of the type the file is served as, so what the
  operating system opens it with follows from its real content: `resume.pdf.js` stored as
  text/plain is handed back as `resume.pdf.js.txt`.
- Content a browser could run (HTML, SVG, JavaScript, XML and other text/* types) is served as
  inert `text/plain`; a type this table does not know as `application/octet-stream`.

`common.http.attachment_response` applies it; nothing else builds a download name.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

# The extension a served type gets; the first is added when a name ends with none of them.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
    "message/rfc822": (".eml",),
    "video/mp4": (".mp4", ".m4v"),
    "video/quicktime": (".mov",),
    "video/webm": (".webm",),
    "audio/mpeg": (".mp3",),
    "audio/wav": (".wav",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/zip": (".zip",),
    "application/json": (".json",),
    "application/octet-stream": (".bin",),
}

# Types a browser renders or runs as a document or a script.
ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/xml",
        "text/xml",
        "text/xsl",
        "application/xslt+xml",
        "application/x-shockwave-flash",
    }
)
# Text types that are served as what they are; every other text/* is served as text/plain.
PLAIN_TEXT_TYPES = frozenset({"text/plain", "text/csv"})
INERT_TEXT = "text/plain; charset=utf-8"
UNKNOWN = "application/octet-stream"

NAME_MAX_LENGTH = 200

# Letters Unicode counts as letters but that show as nothing.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def base_type(content_type: str) -> str:
    """`text/csv; charset=utf-8` → `text/csv`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_active_type(content_type: str) -> bool:
    """Whether a browser could render or run content of this type."""
    kind = base_type(content_type)
    return (
        kind in ACTIVE_TYPES
        or kind.endswith(("+xml", "/xml"))
        or (kind.startswith("text/") and kind not in PLAIN_TEXT_TYPES)
    )


def served_type(content_type: str) -> str:
    """The Content-Type a file of this stored type is served with: never one a browser runs."""
    if is_active_type(content_type):
        return INERT_TEXT
    if base_type(content_type) not in EXTENSIONS:
        return UNKNOWN
    return content_type


def is_hidden_character(ch: str) -> bool:
    """Control, format (bidirectional overrides, zero-width), private-use, surrogate and
    unassigned characters, and letters that display as blank."""
    return unicodedata.category(ch)[0] == "C" or ch in _INVISIBLE_LETTERS


def clean_name(name: str, fallback: str = "") -> str:
    """A file name without directories, hidden characters or tricks; Korean is kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(ch for ch in name if not is_hidden_character(ch))
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[^\w .()\-]", "_", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) < 16:
            name = stem[: NAME_MAX_LENGTH - len(extension) - 1] + dot + extension
        else:
            name = name[:NAME_MAX_LENGTH]
    return name or fallback or _("file")


def download_name(name: str, content_type: str, fallback: str = "") -> str:
    """The name a file is handed back under: clean, and ending with the extension of the type
    it is served as (`resume.pdf.js` served as text/plain → `resume.pdf.js.txt`)."""
    name = clean_name(name, fallback)
    extensions = EXTENSIONS[base_type(served_type(content_type))]
    if not name.lower().endswith(extensions):
        name += extensions[0]
    return name


def safe_download(name: str, content_type: str, fallback: str = "") -> tuple[str, str]:
    """(download name, served content type) for a stored file."""
    return download_name(name, content_type, fallback), served_type(content_type)
