from django.urls import path

from vetting.views import health

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", health, name="health"),
]
