from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import export
from .models import CASE_REPORT_KINDS, JobStatus, ReportJob, ReportKind, ReportLanguage


class ReportJobSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    requester = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who asked for it; null for the nightly integrity check.",
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    retry_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "kind_display",
            "case",
            "language",
            "status",
            "status_display",
            "progress",
            "error",
            "attempts",
            "requester",
            "requested_at",
            "started_at",
            "finished_at",
            "file_name",
            "content_type",
            "size",
            "sha256",
            "summary",
            "url",
            "download_url",
            "retry_url",
        ]
        read_only_fields = fields

    def _absolute(self, name: str, job: ReportJob) -> str:
        path = reverse(name, args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job) -> str:
        return self._absolute("api-report", job)

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, job) -> str | None:
        """Present once the job is done."""
        return self._absolute("api-report-download", job) if job.is_done else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_retry_url(self, job) -> str | None:
        """Present when the job failed."""
        return self._absolute("api-report-retry", job) if job.is_failed else None


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in CASE_REPORT_KINDS],
        help_text="`risk_summary` (PDF) or `referral_packet` (ZIP; the case must be referred).",
    )
    language = serializers.ChoiceField(
        choices=ReportLanguage.choices,
        required=False,
        help_text="Language of the PDF (for a packet: of its cover page). Default: the "
        "requesting user's language (Accept-Language), if reports are written in it; else `en`.",
    )


class ReportFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices, required=False)
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    case = serializers.CharField(required=False, max_length=32, help_text="Case reference.")
    mine = serializers.BooleanField(required=False, default=False)


class AuditExportQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the period, YYYY-MM-DD (inclusive).")
    end = serializers.DateField(help_text="Last day of the period, YYYY-MM-DD (inclusive).")
    format = serializers.ChoiceField(
        choices=sorted(export.FORMATS), default="csv", help_text="csv or json."
    )

    def validate(self, attrs):
        errors = export.range_errors(attrs.get("start"), attrs.get("end"))
        if errors:
            raise serializers.ValidationError({field: [text] for field, text in errors.items()})
        return attrs
