"""Building retention test state through the services."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import Case
from tests.api.conftest import PDF_BYTES
from tests.cases.helpers import bring_to


def closed_case(answered_case, hr, reviewer, status, *, months_ago=0, evidence=True, **facts):
    """A case taken to the final `status` through the workflow, its final state dated
    `months_ago` months back (as if it had ended then)."""
    case = answered_case(hr, **facts)
    if evidence:
        services.upload_evidence(
            hr, case, SimpleUploadedFile("passport.pdf", PDF_BYTES), "passport scan", []
        )
    case = bring_to(case, status, hr=hr, reviewer=reviewer)
    if months_ago:
        ended = timezone.now() - datetime.timedelta(days=31 * months_ago)
        Case.objects.filter(pk=case.pk).update(closed_at=ended)
        case.refresh_from_db()
    return case
