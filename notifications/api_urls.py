from django.urls import re_path

from . import api

urlpatterns = [
    re_path(r"^notifications/$", api.NotificationList.as_view(), name="api-notifications"),
    re_path(
        r"^notifications/unread-count/$", api.UnreadCount.as_view(), name="api-notifications-unread"
    ),
    re_path(
        r"^notifications/read-all/$", api.MarkAllRead.as_view(), name="api-notifications-read-all"
    ),
    re_path(
        r"^notifications/(?P<notification_id>[0-9]{1,18})/read/$",
        api.MarkRead.as_view(),
        name="api-notification-read",
    ),
]
