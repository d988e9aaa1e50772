"""API authentication: obtain or revoke a token, and see who the API thinks you are."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import error_responses

from . import roles, services
from .api_permissions import HasRequiredRole, RoleDocumentingSchema


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(roles.user_roles(user))


class AuthToken(ObtainAuthToken):
    schema = RoleDocumentingSchema()

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
            "Exchange a username and password for the user's API token. Send it on every call "
            "as `Authorization: Token <token>`. The same token is returned until revoked. "
            "Sign-ins, failed sign-ins and issuing and retrieving tokens are recorded in the "
            "audit log."
        ),
        auth=[],
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: error_responses(400)[400]},
        examples=[
            OpenApiExample(
                "Credentials", value={"username": "hr", "password": "…"}, request_only=True
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = services.sign_in_for_token(serializer.validated_data["user"], request)
        return Response({"token": token.key})

    @extend_schema(
        tags=["auth"],
        summary="Revoke your API token",
        description="Delete the caller's token; the next POST issues a new one.",
        responses={204: OpenApiResponse(description="Revoked."), **error_responses()},
    )
    def delete(self, request, *args, **kwargs):
        services.revoke_api_token(request.user)
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
