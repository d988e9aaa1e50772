from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.AuthToken.as_view(), name="api-token"),
    path("auth/tokens/", api.ApiTokenList.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api.ApiTokenDetail.as_view(), name="api-token-detail"),
    path("auth/me/", api.Me.as_view(), name="api-me"),
]
