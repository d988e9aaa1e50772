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

urlpatterns += [
    re_path(r"^catalog/uploads/$", api.CatalogUploadList.as_view(), name="api-catalog-uploads"),
    re_path(
        r"^catalog/uploads/(?P<upload_id>[0-9]+)/$",
        api.CatalogUploadDetail.as_view(),
        name="api-catalog-upload",
    ),
    re_path(
        r"^catalog/uploads/(?P<upload_id>[0-9]+)/publish/$",
        api.CatalogUploadPublish.as_view(),
        name="api-catalog-upload-publish",
    ),
    re_path(
        r"^catalog/uploads/(?P<upload_id>[0-9]+)/discard/$",
        api.CatalogUploadDiscard.as_view(),
        name="api-catalog-upload-discard",
    ),
    re_path(r"^catalog/defaults/$", api.CatalogDefaults.as_view(), name="api-catalog-defaults"),
    re_path(r"^catalog/coverage/$", api.CatalogCoverage.as_view(), name="api-catalog-coverage"),
]
