from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("cases/<str:reference>/", views.case_reports, name="case_reports"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
    path("jobs/<int:pk>/retry/", views.retry, name="retry"),
    path("audit-export/", views.audit_export, name="audit_export"),
    path("integrity/", views.integrity, name="integrity"),
]
