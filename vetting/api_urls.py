from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# The docs pages load only files served here (drf-spectacular-sidecar) and, for Swagger UI, its
# start-up script from a URL (the split view): no inline script. Their UI libraries set inline
# styles, draw icons from data: URLs and Redoc runs a worker from a blob: URL, so these two
# views, and only they, allow those.
docs_policy = csp_update(
    {"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": [SELF, "blob:"]}
)

urlpatterns = [
    path("v1/", include("indicators.api_urls")),
    path("v1/", include("cases.api_urls")),
    path("v1/", include("reports.api_urls")),
    path("v1/", include("accounts.api_urls")),
    path("v1/", include("notifications.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "redoc/",
        docs_policy(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
