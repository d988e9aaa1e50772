from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("due/", views.due, name="due"),
    path("cases/<str:reference>/purge/", views.purge, name="purge"),
    path("cases/<str:reference>/hold/", views.hold, name="hold"),
    path("holds/<int:hold_id>/lift/", views.lift_hold, name="lift_hold"),
    path("cases/<str:reference>/subject-access/", views.subject_access, name="subject_access"),
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path("keys/", views.keys, name="keys"),
]
