from django.urls import re_path

from . import api

code = rf"(?P<code>{api.CODE_PATTERN})"

urlpatterns = [
    re_path(r"^catalog/versions/$", api.CatalogVersionList.as_view(), name="api-catalog-versions"),
    re_path(
        rf"^catalog/versions/{code}/$",
        api.CatalogVersionDetail.as_view(),
        name="api-catalog-version",
    ),
    re_path(
        rf"^catalog/versions/{code}/items/$",
        api.CatalogItemList.as_view(),
        name="api-catalog-items",
    ),
]
