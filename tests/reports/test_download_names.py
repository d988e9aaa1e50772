"""Report downloads follow the same file rule as evidence (common.files)."""

import pytest

from reports.models import JobStatus, ReportJob
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("door", ["web", "api"])
def test_a_report_is_handed_back_under_a_clean_name_with_its_real_extension(
    client, assessed_case, hr, generate, door
):
    job = generate(hr, assessed_case)
    assert job.status == JobStatus.DONE, job.error
    ReportJob.objects.filter(pk=job.pk).update(file_name="summary\u202efdp.exe")
    if door == "api":
        response = token_client(hr).get(f"/api/v1/reports/{job.pk}/download/")
    else:
        client.force_login(hr)
        response = client.get(f"/reports/jobs/{job.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="summaryfdp.exe.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
