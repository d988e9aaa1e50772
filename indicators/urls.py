from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("upload/", views.upload, name="upload"),
    path("uploads/<int:upload_id>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:upload_id>/publish/", views.upload_publish, name="upload_publish"),
    path("uploads/<int:upload_id>/discard/", views.upload_discard, name="upload_discard"),
    path("versions/<str:version_code>/active/", views.version_active, name="version_active"),
    path("defaults/", views.defaults, name="defaults"),
    path("coverage/", views.coverage, name="coverage"),
]
