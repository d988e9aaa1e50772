"""The audit log's hash chain: how an event's hash is computed from its content.

Each sealed event has a place in the chain (`sequence`), the hash of the event before it
(`prev_hash`) and its own `hash`: the SHA-256 of the previous hash and the event's canonical
content. Changing, removing or reordering any sealed event changes a hash that a later event, an
anchor or an exported file still holds, so the change shows.

This module is pure and uses the standard library only, so that it states the rule once;
`examples/verify_audit_export.py` repeats these few lines for auditors who verify an exported
file without vetting installed, and a test keeps the two in step.
"""

import datetime
import hashlib
import json

GENESIS_HASH = "0" * 64
# Where anchors of the chain head are written, in the report storage.
ANCHOR_FOLDER = "audit-anchors"
# What the hash covers, in the order exports list them.
CONTENT_FIELDS = (
    "sequence",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "case_reference",
    "summary",
    "data",
)


def canonical_time(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical_content(content: dict) -> str:
    """The event as one line of JSON: keys sorted, no spaces, times in UTC to the microsecond."""
    values = {field: content[field] for field in CONTENT_FIELDS}
    if isinstance(values["at"], datetime.datetime):
        values["at"] = canonical_time(values["at"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, content: dict) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_content(content)}".encode()).hexdigest()
