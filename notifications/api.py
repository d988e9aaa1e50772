"""REST API of the inbox: list, unread count, mark read. Any signed-in user, their own only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.api_permissions import HasRequiredRole, RoleDocumentingSchema
from common.api import cursor_pagination, error_responses

from . import render, selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="What happened, in your language.")
    read = serializers.SerializerMethodField()
    comment_excerpt = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id", "event", "text", "case_reference", "actor_username", "url", "created_at",
            "read", "read_at", "comment_excerpt",
        ]  # fmt: skip

    def get_text(self, notification) -> str:
        return render.subject(notification)

    def get_read(self, notification) -> bool:
        return notification.read_at is not None

    def get_comment_excerpt(self, notification) -> str:
        return str((notification.context or {}).get("comment_excerpt", ""))


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class NotificationAPIView(GenericAPIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()
    serializer_class = NotificationSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return selectors.inbox(self.request.user)


class NotificationList(NotificationAPIView):
    pagination_class = cursor_pagination("-created_at", "-id")

    @extend_schema(
        tags=["notifications"],
        summary="Your notifications",
        description="Your inbox, newest first. `?unread=1` lists only unread ones.",
        responses={200: NotificationSerializer(many=True), **error_responses()},
    )
    def get(self, request):
        rows = selectors.inbox(request.user, unread_only=request.query_params.get("unread") == "1")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class UnreadCount(NotificationAPIView):
    serializer_class = UnreadSerializer

    @extend_schema(
        tags=["notifications"],
        summary="How many of your notifications are unread",
        responses={200: UnreadSerializer, **error_responses()},
    )
    def get(self, request):
        return Response({"unread": selectors.unread_count(request.user)})


class MarkRead(NotificationAPIView):
    @extend_schema(
        tags=["notifications"],
        summary="Mark one of your notifications read",
        description="Another user's notification is a 404.",
        request=None,
        responses={200: NotificationSerializer, **error_responses(404)},
    )
    def post(self, request, notification_id: int):
        notification = get_object_or_404(selectors.inbox(request.user), pk=notification_id)
        services.mark_read(request.user, notification)
        return Response(NotificationSerializer(notification).data)


class MarkAllRead(NotificationAPIView):
    serializer_class = UnreadSerializer

    @extend_schema(
        tags=["notifications"],
        summary="Mark all your notifications read",
        request=None,
        responses={200: UnreadSerializer, **error_responses()},
    )
    def post(self, request):
        services.mark_all_read(request.user)
        return Response({"unread": 0}, status=status.HTTP_200_OK)
