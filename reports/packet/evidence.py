"""The evidence files that go into the packet, numbered as in the risk summary."""

from ..selectors import Dossier


def _evidence_path(number: int, evidence) -> str:
    return f"evidence/E{number:02d}-{evidence.download_name}"


def evidence_entries(dossier: Dossier) -> list[dict]:
    """The evidence that goes into the packet (not withdrawn), numbered as in the risk summary."""
    entries = []
    for number, evidence in enumerate(dossier.evidence, start=1):
        if evidence.is_withdrawn:
            continue
        entries.append(
            {
                "number": f"E{number}",
                "path": _evidence_path(number, evidence),
                "original_name": evidence.original_name,
                "description": evidence.description,
                "content_type": evidence.content_type,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "uploaded_by": evidence.uploaded_by.get_username(),
                "uploaded_at": evidence.uploaded_at.isoformat(),
                "checklist_items": [a.item.code for a in evidence.answers.all()],
                "evidence": evidence,
            }
        )
    return entries


def evidence_numbers(entries: list[dict]) -> dict:
    """Evidence id -> its number in the packet (E1, E2…)."""
    return {e["evidence"].pk: e["number"] for e in entries}
