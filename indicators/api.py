"""Read-only API for the published indicator catalogue."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import generics

from accounts.api_permissions import ANY_ROLE, HasRequiredRole, RoleDocumentingSchema

from . import selectors
from .models import CatalogItem, Kind
from .serializers import (
    CatalogItemFilterSerializer,
    CatalogItemSerializer,
    CatalogVersionSerializer,
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
        return selectors.catalog_versions().annotate(
            item_count=Count("items"),
            red_flag_count=Count("items", filter=Q(items__kind=Kind.RED_FLAG)),
            due_diligence_count=Count("items", filter=Q(items__kind=Kind.DUE_DILIGENCE)),
        )

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
