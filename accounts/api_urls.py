from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.AuthToken.as_view(), name="api-token"),
    path("auth/me/", api.Me.as_view(), name="api-me"),
]
