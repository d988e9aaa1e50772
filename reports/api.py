"""REST API for report jobs and the audit export. Thin: roles, input, services, output."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.api_permissions import HasRequiredRole, RoleDocumentingSchema
from cases import permissions
from cases import selectors as case_selectors
from common.api import FileDownloadMixin, JSONParser, cursor_pagination, error_responses
from common.http import attachment_response

from . import export, selectors, services
from .models import ReportLanguage
from .serializers import (
    AuditExportQuerySerializer,
    ReportFilterSerializer,
    ReportJobSerializer,
    ReportRequestSerializer,
)

JOB_ID = OpenApiParameter("job_id", OpenApiTypes.INT, OpenApiParameter.PATH)


NewestJobsFirst = cursor_pagination("-requested_at", "-id")


class ReportAPIView(GenericAPIView):
    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()
    roles_by_method = {"*": permissions.CASE_READERS}
    serializer_class = ReportJobSerializer
    filter_backends = []
    pagination_class = None

    def get_job(self):
        # A job the caller may not see is "not found", never "forbidden".
        return get_object_or_404(
            selectors.visible_jobs(self.request.user), pk=self.kwargs["job_id"]
        )

    def job_response(self, job, code=status.HTTP_200_OK):
        return Response(
            ReportJobSerializer(job, context={"request": self.request}).data, status=code
        )


class CaseReports(ReportAPIView):
    pagination_class = NewestJobsFirst
    parser_classes = [JSONParser]

    def get_case(self):
        return get_object_or_404(
            case_selectors.visible_cases(self.request.user), reference=self.kwargs["reference"]
        )

    @extend_schema(
        tags=["reports"],
        summary="List the report jobs of a case",
        description="Newest first, with their status, progress and, once done, SHA-256.",
        responses={200: ReportJobSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, reference):
        case = self.get_case()
        page = self.paginate_queryset(selectors.jobs_for_case(case))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=["reports"],
        summary="Request a report for a case",
        description=(
            "Queue a risk summary PDF (English or Korean) or a referral packet ZIP for the "
            "authorities. Answers 202 at once with the job; follow `url` until `status` is "
            "`done`, then fetch `download_url`. A referral packet needs a case whose decision is "
            "`referred` (409 otherwise). Asking again for a report that is still queued or "
            "running returns that job instead of queuing the same work twice."
        ),
        request=ReportRequestSerializer,
        responses={202: ReportJobSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, reference):
        case = self.get_case()
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        language = serializer.validated_data.get("language") or ReportLanguage.default_for(
            request.LANGUAGE_CODE
        )
        job, _created = services.request_report(
            request.user, case, serializer.validated_data["kind"], language
        )
        return self.job_response(job, status.HTTP_202_ACCEPTED)


class ReportList(ReportAPIView):
    pagination_class = NewestJobsFirst

    @extend_schema(
        tags=["reports"],
        summary="List report jobs",
        description="Report jobs of all cases, newest first (cursor pagination).",
        parameters=[ReportFilterSerializer],
        responses={200: ReportJobSerializer(many=True), **error_responses(400, 403)},
    )
    def get(self, request):
        filters = ReportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        jobs = selectors.job_list(request.user, **filters.validated_data)
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class IntegrityChecks(ReportAPIView):
    roles_by_method = {"*": permissions.AUDITORS}
    pagination_class = NewestJobsFirst

    @extend_schema(
        tags=["audit"],
        summary="List integrity checks",
        description="Integrity check jobs, newest first, each with its `summary` once done.",
        responses={200: ReportJobSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.integrity_checks(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=["audit"],
        summary="Check every stored file against its recorded SHA-256",
        description=(
            "Queue a check that reads back every evidence file and every generated report and "
            "compares it with the SHA-256 recorded at upload or generation. Answers 202 with the "
            "job; once done, `summary` gives the counts (`ok`, `changed`, `missing`) and the "
            "first problems, and the CSV lists every file. The result is recorded in the audit "
            "log (`integrity.verified` or `integrity.problems_found`)."
        ),
        request=None,
        responses={202: ReportJobSerializer, **error_responses(403)},
    )
    def post(self, request):
        job, _created = services.request_integrity_check(request.user)
        return self.job_response(job, status.HTTP_202_ACCEPTED)


class ReportDetail(ReportAPIView):
    @extend_schema(
        tags=["reports"],
        summary="Show a report job",
        description="Status (`queued`, `running`, `done`, `failed`), progress 0–100, the error "
        "of a failed job, and once done the file's name, size and SHA-256.",
        parameters=[JOB_ID],
        responses={200: ReportJobSerializer, **error_responses(403, 404)},
    )
    def get(self, request, job_id):
        return self.job_response(self.get_job())


class ReportDownload(FileDownloadMixin, ReportAPIView):
    @extend_schema(
        tags=["reports"],
        summary="Download a finished report",
        description=(
            "The PDF, ZIP or CSV as an attachment. The stored file is checked against the SHA-256 "
            "recorded when it was generated (409 if it no longer matches, or if the job is not "
            "done; 404 if it is gone; 503 if the file storage cannot be reached), and each "
            "download is recorded in the audit log. `X-Content-SHA256` carries the hash."
        ),
        parameters=[JOB_ID],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="ZIP"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            **error_responses(403, 404, 409, 503),
        },
    )
    def get(self, request, job_id):
        job = services.record_download(request.user, self.get_job())
        return attachment_response(
            job.file,
            filename=job.file_name,
            content_type=job.content_type,
            sha256=job.sha256,
            size=job.size,
        )


class ReportRetry(ReportAPIView):
    @extend_schema(
        tags=["reports"],
        summary="Retry a failed report",
        description="Queue a failed job again (202). Only failed jobs can be retried (409 "
        "otherwise): a done report is never regenerated — request a new one.",
        request=None,
        parameters=[JOB_ID],
        responses={202: ReportJobSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request, job_id):
        job = services.retry_job(request.user, self.get_job())
        return self.job_response(job, status.HTTP_202_ACCEPTED)


class AuditExport(FileDownloadMixin, ReportAPIView):
    roles_by_method = {"*": permissions.AUDITORS}

    @extend_schema(
        tags=["audit"],
        summary="Export the audit trail of a period",
        description=(
            "Every recorded event from the start of `start` to the end of `end` (server time "
            "zone, at most 366 days), oldest first, streamed as CSV or as a JSON array. The "
            "export is itself recorded as an event and covers every event up to its own."
        ),
        parameters=[AuditExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="CSV with a header row: id, at, actor_id, actor_username, action, "
                "object_type, object_id, case_reference, summary, data (JSON).",
            ),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="A JSON array of event objects."
            ),
            **error_responses(400, 403),
        },
    )
    def get(self, request):
        query = AuditExportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        start, end = query.validated_data["start"], query.validated_data["end"]
        export_format = query.validated_data["format"]
        events = services.start_audit_export(request.user, start, end, export_format)
        return export.streaming_response(events, start, end, export_format)
