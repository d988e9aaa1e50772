from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("sso/start/", views.SSOStartView.as_view(), name="sso_start"),
    path("sso/callback/", views.SSOCallbackView.as_view(), name="sso_callback"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("", views.account, name="account"),
    path("two-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("two-factor/verify/", views.second_factor_verify, name="second_factor_verify"),
    path(
        "two-factor/recovery-codes/",
        views.second_factor_recovery_codes,
        name="second_factor_recovery_codes",
    ),
]
