"""The packet's ZIP: every file under one folder named after the case, each one hashed."""

import datetime
import hashlib
import json
import zipfile
from itertools import chain

from common.storage import read_chunks

from ..documents import DocumentError

# Already compressed formats are stored as they are; deflating them only costs time.
_STORED_TYPES = ("image/", "video/", "audio/", "application/pdf", "application/vnd.openxml")


def folder_name(case_reference: str) -> str:
    """The one folder the packet unpacks into, e.g. VET-2026-000001-referral."""
    return f"{case_reference}-referral"


def with_lf(text: str) -> str:
    """Text with LF line endings only.

    Every text file of the packet uses LF: manifest.sha256 must, for `sha256sum -c` on the
    Linux and macOS machines where packets are checked, and the others follow it so the packet
    has one convention. Current Windows editors (Notepad since 2018) read LF files correctly;
    notes typed in a browser arrive with CRLF and are converted here.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _with_lf_values(data):
    if isinstance(data, str):
        return with_lf(data)
    if isinstance(data, dict):
        return {key: _with_lf_values(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_with_lf_values(value) for value in data]
    return data


def json_text(data) -> str:
    """Indented JSON, its strings with LF line endings too, ending with a newline."""
    return json.dumps(_with_lf_values(data), ensure_ascii=False, indent=2) + "\n"


class PacketArchive:
    """Writes entries under the packet's folder and remembers each one's SHA-256 and size.
    Paths given and recorded are relative to that folder."""

    def __init__(self, output, folder: str, generated_at: datetime.datetime):
        self.zip = zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED)
        self.folder = folder
        self.date_time = generated_at.utctimetuple()[:6]
        self.files: list[dict] = []

    def _info(self, path: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.folder}/{path}", date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, path: str, data: bytes, description: str) -> None:
        self.zip.writestr(self._info(path, compress=True), data)
        self.files.append(
            {
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "description": description,
            }
        )

    def add_text(self, path: str, text: str, description: str) -> None:
        """A text document of the packet, UTF-8 with LF line endings."""
        self.add_bytes(path, with_lf(text).encode(), description)

    def add_unlisted_text(self, path: str, text: str) -> None:
        """A text file not listed among the files (the checksums of the others)."""
        self.zip.writestr(self._info(path, compress=True), with_lf(text).encode())

    def add_evidence(self, entry: dict) -> None:
        """An evidence file, byte for byte, checked against the SHA-256 recorded at upload."""
        evidence = entry["evidence"]
        digest, size = hashlib.sha256(), 0
        compress = not evidence.content_type.startswith(_STORED_TYPES)
        # Read in chunks from the storage in use. An unreachable storage (StorageUnavailable)
        # is a temporary problem: it propagates, and the job is retried.
        chunks = read_chunks(evidence.file.name)
        try:
            first = next(chunks, b"")
        except FileNotFoundError as exc:
            raise DocumentError(
                f"Evidence {entry['number']} ({evidence.original_name}) is missing from storage."
            ) from exc
        with self.zip.open(self._info(entry["path"], compress), "w") as target:
            for chunk in chain([first], chunks):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        if digest.hexdigest() != evidence.sha256:
            raise DocumentError(
                f"Evidence {entry['number']} ({evidence.original_name}) no longer matches the "
                "SHA-256 recorded at upload; the packet was not produced. Tell your administrator."
            )
        self.files.append(
            {
                "path": entry["path"],
                "sha256": evidence.sha256,
                "size": size,
                "description": f"Evidence {entry['number']}: {evidence.original_name}"
                + (f" — {evidence.description}" if evidence.description else ""),
                "evidence": {k: v for k, v in entry.items() if k not in ("evidence", "path")},
            }
        )

    def __enter__(self) -> "PacketArchive":
        return self

    def __exit__(self, *exc_info) -> None:
        # Closed on failure too, so no half-written ZIP is left for the garbage collector.
        self.zip.close()
