"""The packet's manifest: every file with its SHA-256 and size, as JSON and for `sha256sum -c`."""

from django.conf import settings

from ..selectors import Dossier


def manifest(job, dossier: Dossier, generated_at, files: list[dict]) -> dict:
    return {
        "packet": "vetting referral packet",
        "case_reference": dossier.case.reference,
        "organisation": settings.VETTING_ORGANISATION_NAME,
        "report_job": job.pk,
        "generated_at": generated_at.isoformat(),
        "catalogue_version": dossier.catalog.code,
        "hash_algorithm": "SHA-256",
        "files": files,
        "note": "manifest.sha256 lists every file including this one: run `sha256sum -c "
        "manifest.sha256` inside the packet's folder. Paths are relative to that folder.",
    }


def checksums(files: list[dict]) -> str:
    """`sha256sum` lines ("<hash>  <path>"), paths relative to the packet's folder."""
    return "".join(f"{f['sha256']}  {f['path']}\n" for f in files)
