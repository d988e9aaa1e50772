#!/usr/bin/env python3
"""Verify a vetting audit export (CSV or JSON) on its own, with the Python standard library.

    python3 verify_audit_export.py vetting-audit-2026-01-01_2026-03-31.csv

Every event in the file carries its place in the audit chain (`sequence`), the hash of the
event before it (`prev_hash`) and its own `hash`: the SHA-256 of `prev_hash`, a newline and the
event's canonical content (below). The script recomputes each hash from the row, and checks
that each event holds the hash of the one before it wherever the file has both. An event
redacted by a retention purge cannot be recomputed; it must be listed, with the hash it had,
by an `audit.redacted` event (which is itself verified) when that event is in the file.

Exit status: 0 when everything verifies, 1 when something does not (the first problems are
printed), 2 when the file cannot be read.

The canonical content repeats audit/chain.py in vetting; a test keeps the two in step.
"""

import csv
import datetime
import hashlib
import json
import sys

GENESIS_HASH = "0" * 64
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
# CSV exports put a quote before cells a spreadsheet would run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHOW_PROBLEMS = 20


def canonical_time(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical_content(content: dict) -> str:
    values = {field: content[field] for field in CONTENT_FIELDS}
    if isinstance(values["at"], datetime.datetime):
        values["at"] = canonical_time(values["at"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, content: dict) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_content(content)}".encode()).hexdigest()


def _unquoted(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def read_rows(path: str) -> list[dict]:
    """The exported events as dicts with typed values, whichever the format."""
    with open(path, encoding="utf-8-sig", newline="") as exported:
        if path.lower().endswith(".json"):
            rows = json.load(exported)
            return [{**row, "data": row.get("data") or {}} for row in rows]
        rows = []
        for row in csv.DictReader(exported):
            rows.append(
                {
                    **row,
                    "sequence": int(row["sequence"]) if row["sequence"] else None,
                    "actor_id": int(row["actor_id"]) if row["actor_id"] else None,
                    "actor_username": _unquoted(row["actor_username"]),
                    "object_id": _unquoted(row["object_id"]),
                    "data": json.loads(row["data"] or "{}"),
                    "redacted_at": row["redacted_at"] or None,
                }
            )
        return rows


def verify(rows: list[dict]) -> tuple[int, list[str], list[str]]:
    """(events verified, problems, notes)."""
    problems, notes = [], []
    sealed = sorted((row for row in rows if row.get("sequence")), key=lambda r: r["sequence"])
    unsealed = len(rows) - len(sealed)
    if unsealed:
        notes.append(f"{unsealed} events were not sealed yet when exported (not verifiable).")
    redaction_records = {}
    for row in sealed:
        if row["action"] == "audit.redacted" and not row.get("redacted_at"):
            redaction_records.update(dict(row["data"].get("events", [])))
    verified, previous = 0, None
    for row in sealed:
        sequence = row["sequence"]
        if previous is not None and sequence == previous["sequence"] + 1:
            if row["prev_hash"] != previous["hash"]:
                problems.append(f"event {sequence}: does not hold the hash of event {sequence - 1}")
        elif sequence == 1 and row["prev_hash"] != GENESIS_HASH:
            problems.append("event 1: does not start the chain")
        elif previous is not None and sequence != previous["sequence"]:
            notes.append(f"events {previous['sequence'] + 1}–{sequence - 1} are not in this file.")
        if row.get("redacted_at"):
            if sequence in redaction_records and redaction_records[sequence] != row["hash"]:
                problems.append(f"event {sequence}: redacted, but its recorded hash differs")
            elif sequence not in redaction_records:
                notes.append(
                    f"event {sequence}: redacted; its redaction record is not in this file."
                )
        else:
            content = {
                **{field: row[field] for field in CONTENT_FIELDS if field != "summary"},
                "at": datetime.datetime.fromisoformat(row["at"]),
                "summary": row["recorded_summary"],
            }
            if event_hash(row["prev_hash"], content) != row["hash"]:
                problems.append(f"event {sequence} (id {row['id']}): its content was changed")
            else:
                verified += 1
        previous = row
    return verified, problems, notes


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print(f"usage: {argv[0]} EXPORT.csv|EXPORT.json", file=sys.stderr)
        return 2
    try:
        rows = read_rows(argv[1])
    except (OSError, ValueError, KeyError) as exc:
        print(f"Cannot read {argv[1]} as a vetting audit export: {exc}", file=sys.stderr)
        return 2
    verified, problems, notes = verify(rows)
    for note in notes[:SHOW_PROBLEMS]:
        print(f"note: {note}")
    if problems:
        for problem in problems[:SHOW_PROBLEMS]:
            print(f"FAILED: {problem}")
        print(f"{len(problems)} problems; {verified} of {len(rows)} events verified.")
        return 1
    print(f"OK: {verified} of {len(rows)} events verified; the chain in this file is unbroken.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
