"""REST API for retention. Thin: roles, input, one service, output. Compliance only."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.api_permissions import HasRequiredRole, RoleDocumentingSchema
from cases import permissions
from cases import selectors as case_selectors
from common.api import FileDownloadMixin, JSONParser, cursor_pagination, error_responses
from common.http import mark_as_download

from . import selectors, services
from .models import LegalHold
from .serializers import (
    DueSerializer,
    HoldRequestSerializer,
    HoldSerializer,
    KeyStatusSerializer,
    PolicyChangeSerializer,
    PolicyRowSerializer,
    PurgeRunSerializer,
    ReasonSerializer,
    SubjectAccessRequestSerializer,
)


class RetentionAPIView(GenericAPIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()
    roles_by_method = {"*": permissions.RETENTION_MANAGERS}
    parser_classes = [JSONParser]
    filter_backends = []
    pagination_class = None

    def parsed(self, serializer_class):
        body = serializer_class(data=self.request.data)
        if not body.is_valid():
            raise ValidationError(body.errors)
        return body.validated_data

    def get_case(self):
        return get_object_or_404(
            case_selectors.visible_cases(self.request.user), reference=self.kwargs["reference"]
        )


class Policy(RetentionAPIView):
    serializer_class = PolicyRowSerializer

    @extend_schema(
        tags=["retention"],
        summary="Retention periods",
        description="Months a case is kept after its final state, per final state, with the "
        "default of each.",
        responses={200: PolicyRowSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        return Response(PolicyRowSerializer(selectors.policy_rows(), many=True).data)

    @extend_schema(
        tags=["retention"],
        summary="Set the retention period of a final state",
        description="Recorded in the audit log (`retention.period_set`) and the history.",
        request=PolicyChangeSerializer,
        responses={200: PolicyRowSerializer(many=True), **error_responses(400, 403)},
    )
    def post(self, request):
        services.set_retention_period(actor=request.user, **self.parsed(PolicyChangeSerializer))
        return Response(PolicyRowSerializer(selectors.policy_rows(), many=True).data)


class Due(RetentionAPIView):
    serializer_class = DueSerializer
    pagination_class = cursor_pagination("purge_after", "id")

    @extend_schema(
        tags=["retention"],
        summary="Cases due for purging",
        description="Cases past their retention period, soonest purge first; `held` ones are "
        "not purged until their legal hold is lifted.",
        responses={200: DueSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.due_runs())
        return self.get_paginated_response(DueSerializer(page, many=True).data)


class CasePurge(RetentionAPIView):
    serializer_class = PurgeRunSerializer

    @extend_schema(
        tags=["retention"],
        summary="Purge a due case now",
        description="Confirms the purge of a case on the due list, with a reason: its personal "
        "data, evidence files and reports are deleted at once, a tombstone stays, its audit "
        "events are redacted. 409 when the case is not due or is under a legal hold.",
        request=ReasonSerializer,
        responses={200: PurgeRunSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, reference):
        case = self.get_case()
        reason = self.parsed(ReasonSerializer)["reason"]
        run = services.purge_now(actor=request.user, case=case, reason=reason)
        return Response(PurgeRunSerializer(run).data)


class CaseHolds(RetentionAPIView):
    serializer_class = HoldSerializer

    @extend_schema(
        tags=["retention"],
        summary="Legal holds of a case",
        responses={200: HoldSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, reference):
        return Response(HoldSerializer(selectors.holds_for(self.get_case()), many=True).data)

    @extend_schema(
        tags=["retention"],
        summary="Set a legal hold",
        description="Keeps the case (with `include_linked`, every case linked to it too) "
        "from being purged until the hold is lifted. Recorded (`retention.hold_set`).",
        request=HoldRequestSerializer,
        responses={201: HoldSerializer(many=True), **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, reference):
        holds = services.set_legal_hold(
            actor=request.user, case=self.get_case(), **self.parsed(HoldRequestSerializer)
        )
        return Response(HoldSerializer(holds, many=True).data, status=status.HTTP_201_CREATED)


class HoldLift(RetentionAPIView):
    serializer_class = HoldSerializer

    @extend_schema(
        tags=["retention"],
        summary="Lift a legal hold",
        description="Lifts the hold and the holds it put on linked cases, with a reason. "
        "Recorded (`retention.hold_lifted`).",
        request=ReasonSerializer,
        responses={200: HoldSerializer(many=True), **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, hold_id):
        hold = get_object_or_404(LegalHold, pk=hold_id)
        lifted = services.lift_legal_hold(
            actor=request.user, hold=hold, reason=self.parsed(ReasonSerializer)["reason"]
        )
        return Response(HoldSerializer(lifted, many=True).data)


class SubjectAccess(FileDownloadMixin, RetentionAPIView):
    serializer_class = SubjectAccessRequestSerializer

    @extend_schema(
        tags=["retention"],
        summary="Export everything held about a case's candidate (ZIP)",
        description="Facts, contacts, answers with notes, evidence list (with "
        "`include_files`, the files), decisions, findings and audit events, with a manifest of "
        "SHA-256 hashes. Numbers are in clear (compliance may reveal them), each recorded as a "
        "reveal; the export is recorded (`retention.subject_access_exported`).",
        request=SubjectAccessRequestSerializer,
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(403, 404),
        },
    )
    def post(self, request, reference):
        options = self.parsed(SubjectAccessRequestSerializer)
        content, name, digest = services.export_subject_data(
            actor=request.user, case=self.get_case(), **options
        )
        return mark_as_download(
            HttpResponse(content, content_type="application/zip"), filename=name, sha256=digest
        )


class KeyStatus(RetentionAPIView):
    serializer_class = KeyStatusSerializer

    @extend_schema(
        tags=["retention"],
        summary="Field encryption keys and the values still under an old one",
        responses={200: KeyStatusSerializer, **error_responses(403)},
    )
    def get(self, request):
        services.record_key_sightings()
        return Response(KeyStatusSerializer(selectors.key_status()).data)
