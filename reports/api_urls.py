from django.urls import re_path

from . import api

job = r"^reports/(?P<job_id>[0-9]{1,18})"

urlpatterns = [
    re_path(
        r"^cases/(?P<reference>[A-Za-z0-9-]{1,32})/reports/$",
        api.CaseReports.as_view(),
        name="api-case-reports",
    ),
    re_path(r"^reports/$", api.ReportList.as_view(), name="api-reports"),
    re_path(job + r"/$", api.ReportDetail.as_view(), name="api-report"),
    re_path(job + r"/download/$", api.ReportDownload.as_view(), name="api-report-download"),
    re_path(job + r"/retry/$", api.ReportRetry.as_view(), name="api-report-retry"),
    re_path(r"^audit-export/$", api.AuditExport.as_view(), name="api-audit-export"),
    re_path(r"^integrity-checks/$", api.IntegrityChecks.as_view(), name="api-integrity-checks"),
]
