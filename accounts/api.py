"""API authentication: obtain, list and revoke tokens, and see who the API thinks you are."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from common.api import ErrorSerializer, error_responses
from common.errors import ServiceValidationError

from . import lockout, roles, selectors, services
from .api_permissions import HasRequiredRole, RoleDocumentingSchema
from .models import ApiToken


class CredentialsSerializer(serializers.Serializer):
    """A username and password, checked by Django's authentication backends (so a failed
    sign-in is recorded like one on the sign-in page), and an optional name for the token."""

    username = serializers.CharField(write_only=True)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ApiToken.NAME_MAX,
        write_only=True,
        help_text=f"A label for the new token (default “{services.DEFAULT_API_TOKEN_NAME}”).",
    )
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        write_only=True,
        help_text="The current code of your authenticator app (or a recovery code): required "
        "when your account has a second factor. A role that must have one (reviewer, "
        "compliance, admin by default) gets no token until it is set up on the web.",
    )

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:  # a wrong password, an unknown or a deactivated user
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        try:
            services.check_second_factor_for_token(
                self.context.get("request"), user, attrs.get("code", "")
            )
        except ServiceValidationError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown only this once."
    )
    id = serializers.IntegerField(help_text="Revoke it with DELETE /api/v1/auth/tokens/{id}/.")
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at",
            "active",
        ]  # fmt: skip

    def get_active(self, token) -> bool:
        return token.is_active()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(roles.user_roles(user))


TOO_MANY = OpenApiResponse(
    ErrorSerializer,
    description="Too many failed sign-ins for this username or from this address (locked for "
    "VETTING_LOCKOUT_MINUTES), or too many token requests from this address "
    "(VETTING_TOKEN_RATE). `detail` says how long to wait, and so does the Retry-After "
    "header (in seconds).",
)


class AuthToken(APIView):
    schema = RoleDocumentingSchema()
    serializer_class = CredentialsSerializer
    # Password guesses are throttled per address; axes locks the username and the address.
    throttle_scope = "auth-token"

    def get_throttles(self):
        if self.request is not None and self.request.method == "POST":
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def get_permissions(self):
        if self.request and self.request.method == "POST":
            return [AllowAny()]
        return [HasRequiredRole()]

    def get_authenticators(self):
        # Obtaining a token takes a username and password only, so no CSRF token is needed.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        tags=["auth"],
        summary="Obtain an API token",
        description=(
            "Exchange a username and password for a new API token. Send it on every call as "
            "`Authorization: Token <token>`. The key is shown only in this answer: only a hash "
            "of it is stored. It expires after VETTING_TOKEN_DAYS days (30 by default) and is "
            "revoked when the password changes. Sign-ins, failed sign-ins and issuing tokens "
            "are recorded in the audit log. Repeated failed sign-ins lock the username and the "
            "client address for a while (429), even with the right password; so do too many "
            "requests."
        ),
        auth=[],
        request=CredentialsSerializer,
        responses={200: TokenSerializer, 400: error_responses(400)[400], 429: TOO_MANY},
        examples=[
            OpenApiExample(
                "Credentials",
                value={"username": "hr", "password": "…", "name": "nightly export"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={
                    "token": "Hq3x0c1vS7kD2p9Jm4nB8wQe6rTy5uIo1aZs3dFg7hK",
                    "id": 12,
                    "expires_at": "2026-12-28T09:00:00Z",
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        serializer = CredentialsSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if lockout.is_locked_out(request):  # authenticate() was refused, or this failure locked
            return lockout.api_lockout_response()
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        data = serializer.validated_data
        token, key = services.sign_in_for_token(data["user"], request, data.get("name", ""))
        return Response({"token": key, "id": token.pk, "expires_at": token.expires_at})

    @extend_schema(
        tags=["auth"],
        summary="Revoke the token of this call",
        description=(
            "Revoke the token this request is sent with (with a browser session: all your "
            "tokens). Other tokens: DELETE /api/v1/auth/tokens/{id}/."
        ),
        responses={204: OpenApiResponse(description="Revoked."), **error_responses()},
    )
    def delete(self, request, *args, **kwargs):
        if isinstance(request.auth, ApiToken):
            services.revoke_api_token(request.user, request.auth.pk, reason="signed out")
        else:
            services.revoke_all_tokens(request.user, "revoked by their owner", actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenList(APIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()

    @extend_schema(
        tags=["auth"],
        summary="Your API tokens",
        description=(
            "Every token you obtained, newest first, with when it was last used and when it "
            "expires; revoked and expired ones too. Keys are never shown again (only a hash is "
            "kept): `prefix` is the start of the key, to tell them apart."
        ),
        responses={200: ApiTokenSerializer(many=True), **error_responses()},
    )
    def get(self, request):
        return Response(ApiTokenSerializer(selectors.tokens_of(request.user), many=True).data)


class ApiTokenDetail(APIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()

    @extend_schema(
        tags=["auth"],
        summary="Revoke one of your API tokens",
        description="It stops working at once. Another user's token is a 404.",
        responses={204: OpenApiResponse(description="Revoked."), **error_responses(404)},
    )
    def delete(self, request, token_id: int):
        services.revoke_api_token(request.user, token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class Me(APIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()

    @extend_schema(
        tags=["auth"],
        summary="Who am I",
        description="The signed-in user and their roles, which decide what each endpoint allows.",
        responses={200: MeSerializer, **error_responses()},
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)
