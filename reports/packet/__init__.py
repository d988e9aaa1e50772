"""The referral packet: a ZIP for the FBI's IC3 and Korea's NIS / KNPA.

It unpacks into one folder named after the case (`<reference>-referral/`) holding a cover PDF,
the case facts mapped to the sections of the IC3 complaint form (as text to paste and as JSON), a
Korean-language report for NIS (111) / KNPA (112), the evidence files, and a manifest with the
SHA-256 and size of every file. Account and identity document numbers are in clear only when the
requester may reveal numbers (`cases.permissions.packet_shows_clear_numbers`), and each inclusion
is then recorded as a reveal; otherwise they are masked, with a note saying who can generate them
in clear.

One module per document: cover, ic3, nis_knpa (with narrative, the account in sentences),
manifest; archive writes the ZIP.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as case_permissions
from cases.models import Decision

from ..documents import Built
from ..selectors import Dossier, mask_numbers
from . import manifest, narrative
from .archive import PacketArchive, folder_name, json_text
from .cover import cover_pdf
from .evidence import evidence_entries, evidence_numbers
from .ic3 import ic3_complaint, ic3_text
from .nis_knpa import nis_knpa_text

# The candidate's numbers the packet holds in clear.
CLEAR_FIELDS = ("account_number", "identity_document_number")


def refusal(case) -> str:
    """Why no packet may be made for the case now; "" once it is referred."""
    if case.decision == Decision.REFERRED:
        return ""
    return _(
        "A referral packet is only prepared for a case referred to the authorities; "
        "%(ref)s is %(status)s."
    ) % {"ref": case.reference, "status": case.get_status_display()}


def build(job, dossier: Dossier, output, progress) -> Built:
    """Write the packet ZIP to `output`; the numbers it holds in clear are reported as revealed."""
    clear = case_permissions.packet_shows_clear_numbers(job)
    if not clear:
        mask_numbers(dossier)
    generated_at = timezone.now()
    evidence = evidence_entries(dossier)
    facts = narrative.facts_from(
        dossier, settings.VETTING_ORGANISATION_NAME, evidence_numbers(evidence)
    )
    ic3 = ic3_complaint(job, dossier, generated_at, evidence, facts)
    folder = folder_name(dossier.case.reference)
    with PacketArchive(output, folder, generated_at) as packet:
        packet.add_bytes(
            "cover.pdf",
            cover_pdf(job, dossier, generated_at, evidence),
            "Cover page: what the packet holds and where to file it",
        )
        progress(40)
        packet.add_text(
            "ic3_complaint.txt",
            ic3_text(ic3),
            "IC3 complaint text, section by section, ready to paste into the form (English)",
        )
        packet.add_text(
            "ic3_complaint.json", json_text(ic3), "The IC3 complaint as structured data"
        )
        packet.add_text(
            "nis_knpa_ko.txt",
            nis_knpa_text(job, dossier, generated_at, evidence, facts),
            "Report for the National Intelligence Service (111) and the Police (112), in Korean",
        )
        for index, entry in enumerate(evidence, start=1):
            packet.add_evidence(entry)
            progress(50 + int(40 * index / len(evidence)))
        packet.add_text(
            "manifest.json",
            json_text(manifest.manifest(job, dossier, generated_at, packet.files)),
            "This manifest",
        )
        packet.add_unlisted_text("manifest.sha256", manifest.checksums(packet.files))
    c = dossier.candidate
    return Built(revealed=[f for f in CLEAR_FIELDS if clear and getattr(c, f)])
