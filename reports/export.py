"""Compliance audit export: every audit event of a period, streamed as CSV or JSON.

Rows are read from a server-side cursor in chunks and written out in blocks of about 64 KB, so
memory stays flat however long the period is. The event's `data` is passed through as the JSON
text the database holds rather than encoded again. The summary is the event described in the
language of the request (`audit.summaries.describe_event`), and the note or reason the person
gave has a column of its own.

Each row also carries the event's place in the audit chain, the hashes and the summary as it was
recorded, so that an exported file can be verified on its own, without vetting:
`python examples/verify_audit_export.py FILE`.
"""

import csv
import datetime
import io
import json
from collections import namedtuple

from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.summaries import describe_event
from common.http import mark_as_download

COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "case_reference",
    "summary",
    "note",
    "data",
)
# The hash chain (audit/chain.py): what a verifier needs besides the columns above.
CHAIN_COLUMNS = ("sequence", "prev_hash", "hash", "recorded_summary", "redacted_at")
# The event data that holds what the person wrote, shown in the note column.
NOTE_KEYS = ("note", "reason")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
MAX_RANGE_DAYS = 366
CHUNK_ROWS = 2000
BLOCK_BYTES = 64 * 1024
# Cells starting with these run as formulas in spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def range_errors(start: datetime.date | None, end: datetime.date | None) -> dict[str, str]:
    """Problems with an export period, by field; empty when it is fine."""
    errors = {}
    today = timezone.localdate()
    if start and end and start > end:
        errors["end"] = _("The end date must be on or after the start date.")
    elif start and end and (end - start).days >= MAX_RANGE_DAYS:
        errors["end"] = _(
            "Export at most %(n)d days at a time; split longer periods into several exports."
        ) % {"n": MAX_RANGE_DAYS}
    if start and start > today:
        errors["start"] = _("The start date is in the future.")
    return errors


# What describe_event reads of an event, without building a model instance per row.
StoredEvent = namedtuple("StoredEvent", COLUMNS[1:-2] + ("data",))
DESCRIBE_BATCH = 500


def _described(batch: list, language: str) -> list[tuple]:
    chain_size = len(CHAIN_COLUMNS) - 1  # the recorded summary is among the fields
    with translation.override(language):
        rows = []
        for pk, *fields, data_text in batch:
            fields, chain = fields[:-chain_size], fields[-chain_size:]
            data = json.loads(data_text or "{}")
            note = next((data[key] for key in NOTE_KEYS if data.get(key)), "")
            summary = describe_event(StoredEvent(*fields, data))
            sequence, prev_hash, digest, redacted_at = chain
            rows.append(
                (pk, *fields[:-1], summary, str(note), data_text)
                + (sequence, prev_hash, digest, fields[-1], redacted_at)
            )
        return rows


def export_rows(events, language: str):
    """(id, at, actor_id, username, action, type, object id, case, summary, note, data JSON text,
    sequence, prev_hash, hash, recorded summary, redacted_at), the summary described in
    `language`."""
    stored = (
        events.annotate(data_text=Cast(F("data"), TextField()))
        .values_list(*COLUMNS[:-2], "sequence", "prev_hash", "hash", "redacted_at", "data_text")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    batch = []
    for row in stored:
        batch.append(row)
        if len(batch) == DESCRIBE_BATCH:
            yield from _described(batch, language)
            batch = []
    yield from _described(batch, language)


def neutralise_formula(value: str) -> str:
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def csv_blocks(rows):
    """UTF-8 CSV (with a byte-order mark so spreadsheet programs read Korean correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS + CHAIN_COLUMNS)
    for row in rows:
        pk, at, actor_id, username, action, otype, oid, case, summary, note, data = row[:11]
        sequence, prev_hash, digest, recorded_summary, redacted_at = row[11:]
        writer.writerow(
            (
                pk,
                at.isoformat(),
                actor_id if actor_id is not None else "",
                neutralise_formula(username),
                action,
                otype,
                neutralise_formula(oid),
                case,
                neutralise_formula(summary),
                neutralise_formula(note),
                data or "{}",
                "" if sequence is None else sequence,
                prev_hash,
                digest,
                # Verbatim: the verifier hashes it. A spreadsheet user reads `summary` instead.
                recorded_summary,
                redacted_at.isoformat() if redacted_at else "",
            )
        )
        if buffer.tell() >= BLOCK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def json_blocks(rows):
    """A JSON array of event objects, written as it is read."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    parts = ["["]
    size = 1
    separator = "\n"
    for row in rows:
        pk, at, actor_id, username, action, otype, oid, case, summary, note, data = row[:11]
        sequence, prev_hash, digest, recorded_summary, redacted_at = row[11:]
        head = dumps(
            {
                "id": pk,
                "at": at.isoformat(),
                "actor_id": actor_id,
                "actor_username": username,
                "action": action,
                "object_type": otype,
                "object_id": oid,
                "case_reference": case,
                "summary": summary,
                "note": note,
                "sequence": sequence,
                "prev_hash": prev_hash,
                "hash": digest,
                "recorded_summary": recorded_summary,
                "redacted_at": redacted_at.isoformat() if redacted_at else None,
            }
        )
        part = f'{separator}{head[:-1]},"data":{data or "{}"}}}'
        parts.append(part)
        size += len(part)
        separator = ",\n"
        if size >= BLOCK_BYTES:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts).encode()


def blocks(events, export_format: str):
    # The language active now, when the export starts, however late the response is streamed.
    rows = export_rows(events, translation.get_language())
    return csv_blocks(rows) if export_format == "csv" else json_blocks(rows)


def file_name(start: datetime.date, end: datetime.date, export_format: str) -> str:
    return f"vetting-audit-{start.isoformat()}_{end.isoformat()}.{export_format}"


def streaming_response(events, start: datetime.date, end: datetime.date, export_format: str):
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(
        blocks(events, export_format), content_type=FORMATS[export_format]
    )
    return mark_as_download(response, filename=file_name(start, end, export_format))
