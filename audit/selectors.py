import datetime
import json
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from .chain import ANCHOR_FOLDER, CONTENT_FIELDS, GENESIS_HASH, event_hash
from .models import AuditEvent


def events_between(start: datetime.date, end: datetime.date):
    """Events from the start of `start` to the end of `end` (inclusive), oldest first."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return AuditEvent.objects.filter(at__gte=since, at__lt=until).order_by("at", "id")


def case_events(case_reference: str):
    return AuditEvent.objects.filter(case_reference=case_reference).order_by("at", "id")


@dataclass
class ChainVerdict:
    """What verifying the audit chain found. `first_broken` names the first bad link."""

    checked: int = 0
    unsealed: int = 0
    redacted: int = 0
    anchors_checked: int = 0
    head_sequence: int = 0
    first_broken: dict | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken is None

    def as_dict(self) -> dict:
        return {
            "intact": self.intact,
            "checked": self.checked,
            "unsealed": self.unsealed,
            "redacted": self.redacted,
            "anchors_checked": self.anchors_checked,
            "head_sequence": self.head_sequence,
            "first_broken": self.first_broken,
        }


_CHAIN_COLUMNS = ("id", "prev_hash", "hash", "redacted_at", *CONTENT_FIELDS)


def _broken(verdict: ChainVerdict, sequence: int, event_id, reason: str) -> ChainVerdict:
    verdict.first_broken = {"sequence": sequence, "event_id": event_id, "reason": reason}
    return verdict


def verify_chain(chunk_size: int = 5000) -> ChainVerdict:
    """Walk the chain in order, recomputing every hash; stop at the first broken link. Then
    check the anchors in the report storage, which show events cut off the end."""
    verdict = ChainVerdict(unsealed=AuditEvent.objects.filter(sequence__isnull=True).count())
    previous, expected = GENESIS_HASH, 1
    redacted, covered = {}, {}
    rows = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("sequence")
        .values(*_CHAIN_COLUMNS)
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        sequence = row["sequence"]
        if sequence != expected:
            return _broken(verdict, expected, None, f"event {expected} of the chain is missing")
        if row["prev_hash"] != previous:
            return _broken(
                verdict, sequence, row["id"], "it does not hold the hash of the event before it"
            )
        if row["redacted_at"] is not None:
            redacted[sequence] = row["hash"]
        elif event_hash(previous, row) != row["hash"]:
            return _broken(verdict, sequence, row["id"], "its content was changed")
        if row["action"] == "audit.redacted" and row["redacted_at"] is None:
            covered.update(dict(row["data"].get("events", [])))
        previous, expected = row["hash"], expected + 1
        verdict.checked += 1
    verdict.head_sequence = expected - 1
    verdict.redacted = len(redacted)
    for sequence, digest in redacted.items():
        if covered.get(sequence) != digest:
            return _broken(verdict, sequence, None, "it was redacted without a redaction record")
    return _check_anchors(verdict, previous)


def anchors():
    """The anchors written to the report storage, oldest first: dicts of sequence and hash."""
    try:
        _folders, names = default_storage.listdir(ANCHOR_FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in sorted(names):
        with default_storage.open(f"{ANCHOR_FOLDER}/{name}", "rb") as stored:
            found.append({**json.loads(stored.read()), "file": name})
    return found


def _check_anchors(verdict: ChainVerdict, head_hash: str) -> ChainVerdict:
    wanted = {anchor["sequence"]: anchor for anchor in anchors()}
    if not wanted:
        return verdict
    hashes = dict(
        AuditEvent.objects.filter(sequence__in=list(wanted)).values_list("sequence", "hash")
    )
    for sequence, anchor in sorted(wanted.items()):
        verdict.anchors_checked += 1
        if sequence not in hashes:
            return _broken(
                verdict,
                sequence,
                None,
                f"the anchor {anchor['file']} of {anchor['anchored_at']} names event {sequence}, "
                f"but the chain ends at {verdict.head_sequence}: events were cut off the end",
            )
        if hashes[sequence] != anchor["hash"]:
            return _broken(
                verdict, sequence, None, f"it does not have the hash anchored in {anchor['file']}"
            )
    return verdict
