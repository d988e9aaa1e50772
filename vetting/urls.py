from django.contrib import admin
from django.urls import include, path

from common.views import health, health_ready

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("vetting.api_urls")),
    path("reports/", include("reports.urls")),
    path("catalogues/", include("indicators.urls")),
    path("notifications/", include("notifications.urls")),
    path("healthz", health, name="health"),
    path("healthz/ready", health_ready, name="health_ready"),
    path("", include("cases.urls")),
]

handler400 = "common.views.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"
