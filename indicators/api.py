"""API for the indicator catalogue: the published versions and items (every role), and
managing them (compliance): upload, check, compare, publish or discard, activate, choose the
defaults for new cases; the coverage report."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_permissions import ANY_ROLE, HasRequiredRole, RoleDocumentingSchema
from common.api import JSONParser, cursor_pagination, error_responses
from common.errors import ServiceValidationError

from . import permissions, selectors, services
from .models import CatalogItem
from .serializers import (
    CatalogItemFilterSerializer,
    CatalogItemSerializer,
    CatalogUploadRequestSerializer,
    CatalogUploadSerializer,
    CatalogVersionSerializer,
    DefaultsSerializer,
    DiscardRequestSerializer,
    VersionActiveSerializer,
    VersionCoverageSerializer,
)

CODE_PATTERN = r"[A-Za-z0-9._-]{1,32}"


class CatalogAPIView:
    permission_classes = [HasRequiredRole]
    roles_by_method = {"GET": ANY_ROLE}
    schema = RoleDocumentingSchema()
    pagination_class = None  # a catalogue is a few dozen rows: always returned whole


class CatalogVersionMixin(CatalogAPIView):
    serializer_class = CatalogVersionSerializer

    def get_queryset(self):
        return selectors.version_overview()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return context
        try:
            context["default_code"] = selectors.default_catalog_version().code
        except selectors.NoCatalogError:
            context["default_code"] = None
        return context


@extend_schema_view(
    get=extend_schema(
        tags=["catalogue"],
        summary="List catalogue versions",
        description=(
            "Every published version of the indicator catalogue (one per advisory), newest "
            "first. Cases pin the version that was the default when they were opened."
        ),
    )
)
class CatalogVersionList(CatalogVersionMixin, generics.ListAPIView):
    pass


@extend_schema_view(
    get=extend_schema(
        tags=["catalogue"],
        summary="Show a catalogue version",
        description="One published catalogue version with its source advisory and item counts.",
    )
)
class CatalogVersionDetail(CatalogVersionMixin, generics.RetrieveAPIView):
    lookup_field = "code"
    roles_by_method = {"GET": ANY_ROLE, "PATCH": permissions.CATALOG_MANAGERS}
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["catalogue"],
        summary="Offer a version to new cases, or stop",
        description=(
            "`is_active`: whether new cases may pin this version (old cases keep it either "
            "way). The last active base version cannot be deactivated (409). Recorded in the "
            "audit log (`catalog.activated` / `catalog.deactivated`)."
        ),
        request=VersionActiveSerializer,
        responses={200: CatalogVersionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request, code):
        version = self.get_object()
        form = VersionActiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.set_version_active(version, form.validated_data["is_active"], actor=request.user)
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema_view(
    get=extend_schema(
        tags=["catalogue"],
        summary="List the items of a catalogue version",
        description=(
            "Red flags and due-diligence steps of one version in checklist order, each with the "
            "advisory's exact wording (`source_text`), weight and whether it is critical."
        ),
        parameters=[CatalogItemFilterSerializer],
        examples=[
            OpenApiExample(
                "A red flag",
                response_only=True,
                value=[
                    {
                        "code": "RF-2023-01",
                        "version": "2023-10",
                        "position": 1,
                        "kind": "red_flag",
                        "category": "interview",
                        "audience": ["hiring_company", "staffing_firm"],
                        "title": "Avoids video or is inconsistent on camera",
                        "title_ko": "카메라·화상 면접 회피 또는 화면상 불일치",
                        "source_text": "Unwillingness or inability to appear on camera, …",
                        "source_section": "Additional Red Flag Indicators of Potential DPRK IT "
                        "Worker Activity",
                        "weight": 15,
                        "critical": False,
                        "evidence_expectation": "Interview notes or recording …",
                    }
                ],
            )
        ],
    )
)
class CatalogItemList(CatalogAPIView, generics.ListAPIView):
    serializer_class = CatalogItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return CatalogItem.objects.none()
        version = get_object_or_404(selectors.catalog_versions(), code=self.kwargs["code"])
        filters = CatalogItemFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        items = selectors.version_items(version).select_related("version")
        return items.filter(**filters.validated_data)


# ---------------------------------------------------------------- catalogue management

UPLOAD_ID = OpenApiParameter("upload_id", OpenApiTypes.INT, OpenApiParameter.PATH)
VERSION_CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)


class ManagementAPIView(GenericAPIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()
    roles_by_method = {"*": permissions.CATALOG_MANAGERS}
    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends = []
    serializer_class = CatalogUploadSerializer

    def get_upload(self):
        return get_object_or_404(selectors.uploads(), pk=self.kwargs["upload_id"])

    def upload_response(self, upload, code=status.HTTP_200_OK):
        return Response(CatalogUploadSerializer(upload).data, status=code)


class CatalogUploadList(ManagementAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = cursor_pagination("-uploaded_at", "-id")

    @extend_schema(
        tags=["catalogue"],
        summary="List uploaded catalogue files",
        description="Drafts, published and discarded uploads, newest first.",
        responses={200: CatalogUploadSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.uploads())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        summary="Upload a catalogue file as a draft",
        description=(
            "Send the file as multipart `file`, or a JSON body with `content` (the catalogue "
            "object) and `file_name`. At most 2 MB of UTF-8 JSON, named *.json; otherwise 400 "
            "and nothing is kept. A JSON file is kept as a draft (201) with every problem found "
            "(`problems`: item, code, field, message) or, when it has none, `diff`: the items "
            "added, removed, reworded, re-weighted or made (non-)critical against the previous "
            "published version of its kind. Recorded in the audit log (`catalog.uploaded`)."
        ),
        request={
            "multipart/form-data": CatalogUploadRequestSerializer,
            "application/json": CatalogUploadRequestSerializer,
        },
        responses={201: CatalogUploadSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        form = CatalogUploadRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        file_name, content = form.file_name_and_bytes()
        upload = services.upload_catalog(actor=request.user, file_name=file_name, content=content)
        return self.upload_response(upload, status.HTTP_201_CREATED)


class CatalogUploadDetail(ManagementAPIView):
    @extend_schema(
        tags=["catalogue"],
        summary="Show an uploaded catalogue file",
        description=(
            "While a draft, the file is checked again on every request: `problems` lists every "
            "problem, or `diff` the changes it would publish."
        ),
        parameters=[UPLOAD_ID],
        responses={200: CatalogUploadSerializer, **error_responses(403, 404)},
    )
    def get(self, request, upload_id):
        return self.upload_response(self.get_upload())


class CatalogUploadPublish(ManagementAPIView):
    @extend_schema(
        tags=["catalogue"],
        summary="Publish a draft",
        description=(
            "Load the draft through the same loader as `manage.py load_catalogs`. It is checked "
            "again first: any problem answers 400 with every message under `file`. A draft "
            "already published or discarded answers 409. Once published, the version is "
            "immutable. What new cases pin is chosen with PUT /api/v1/catalog/defaults/ (a new "
            "supplement is asked at once; while no base version is chosen, the newest active one "
            "is pinned). Recorded in the audit log (`catalog.published`)."
        ),
        parameters=[UPLOAD_ID],
        request=None,
        responses={200: CatalogVersionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, upload_id):
        version = services.publish_upload(actor=request.user, upload=self.get_upload())
        version = selectors.version_overview().get(pk=version.pk)
        return Response(CatalogVersionSerializer(version, context=_version_context()).data)


class CatalogUploadDiscard(ManagementAPIView):
    @extend_schema(
        tags=["catalogue"],
        summary="Discard a draft",
        description="The draft is kept, closed, with who discarded it and the optional reason.",
        parameters=[UPLOAD_ID],
        request=DiscardRequestSerializer,
        responses={200: CatalogUploadSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, upload_id):
        form = DiscardRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = services.discard_upload(
            actor=request.user,
            upload=self.get_upload(),
            reason=form.validated_data.get("reason", ""),
        )
        return self.upload_response(upload)


def _version_context() -> dict:
    try:
        return {"default_code": selectors.default_catalog_version().code}
    except selectors.NoCatalogError:
        return {"default_code": None}


def _defaults_body() -> dict:
    base, others = selectors.current_defaults()
    return {
        "base": base.code if base else None,
        "supplements": [version.code for version in others],
    }


class CatalogDefaults(ManagementAPIView):
    roles_by_method = {"GET": ANY_ROLE, "PUT": permissions.CATALOG_MANAGERS}
    serializer_class = DefaultsSerializer

    @extend_schema(
        tags=["catalogue"],
        summary="Show what new cases pin",
        description="The base version and the versions asked besides it on a case opened now.",
        responses={200: DefaultsSerializer, **error_responses()},
    )
    def get(self, request):
        return Response(_defaults_body())

    @extend_schema(
        tags=["catalogue"],
        summary="Choose what new cases pin",
        description=(
            "One active base version and any active versions asked besides it. Open cases keep "
            "what they pinned. Recorded in the audit log (`catalog.defaults_set`)."
        ),
        request=DefaultsSerializer,
        responses={200: DefaultsSerializer, **error_responses(400, 403)},
    )
    def put(self, request):
        form = DefaultsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.set_default_versions(
                request.user,
                form.validated_data["base"],
                list(form.validated_data.get("supplements", [])),
            )
        except services.CatalogError as exc:
            raise ServiceValidationError({"__all__": exc.messages}) from exc
        return Response(_defaults_body())


class CatalogCoverage(ManagementAPIView):
    roles_by_method = {"GET": ANY_ROLE}
    serializer_class = VersionCoverageSerializer

    @extend_schema(
        tags=["catalogue"],
        summary="Coverage report: where each item comes from",
        description=(
            "Per version: each item with the advisory section and wording it rests on (base "
            "versions) or its citations (issuer, title, date, URL, quotation; supplements), its "
            "see-also and supersedes links resolved to the versions holding those codes, and "
            "the number of items per checklist section and per source."
        ),
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.STR, description="Only this version (its code)."
            )
        ],
        responses={200: VersionCoverageSerializer(many=True), **error_responses()},
    )
    def get(self, request):
        versions = selectors.catalog_versions()
        code = request.query_params.get("version", "")
        if code:
            versions = versions.filter(code=code)
            if not versions.exists():
                raise NotFound(f"No catalogue version {code[:40]}.")
        coverage = selectors.catalog_coverage(versions)
        return Response(VersionCoverageSerializer(coverage, many=True).data)
