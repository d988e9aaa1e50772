from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("vetting.api_urls")),
    path("reports/", include("reports.urls")),
    path("", include("cases.urls")),
]

handler400 = "vetting.views.bad_request"
handler403 = "vetting.views.permission_denied"
handler404 = "vetting.views.page_not_found"
handler500 = "vetting.views.server_error"
