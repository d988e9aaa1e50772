from rest_framework import serializers

from .models import FINAL_STATUS_CHOICES, REASON_MAX_LENGTH, LegalHold, PurgeRun, RetentionPolicy


class PolicyRowSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    months = serializers.IntegerField()
    default = serializers.IntegerField()
    updated_by = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


class PolicyChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FINAL_STATUS_CHOICES)
    months = serializers.IntegerField(min_value=1, max_value=RetentionPolicy.MAX_MONTHS)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class HoldRequestSerializer(ReasonSerializer):
    include_linked = serializers.BooleanField(required=False, default=False)


class SubjectAccessRequestSerializer(serializers.Serializer):
    include_files = serializers.BooleanField(required=False, default=False)


class HoldSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    set_by = serializers.CharField(source="set_by.username")
    lifted_by = serializers.CharField(source="lifted_by.username", allow_null=True)
    origin = serializers.CharField(source="origin.case.reference", allow_null=True)
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "case",
            "reason",
            "set_by",
            "set_at",
            "origin",
            "active",
            "lifted_at",
            "lifted_by",
            "lift_reason",
        ]


class DueSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    closed_at = serializers.DateTimeField(source="case.closed_at")
    held = serializers.BooleanField()

    class Meta:
        model = PurgeRun
        fields = ["case", "status", "closed_at", "state", "due_since", "purge_after", "held"]


class PurgeRunSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")

    class Meta:
        model = PurgeRun
        fields = ["case", "state", "due_since", "purge_after", "confirmed_at", "finished_at"]


class KeySerializer(serializers.Serializer):
    fingerprint = serializers.CharField()
    current = serializers.BooleanField(source="is_current")
    first_seen_at = serializers.DateTimeField(allow_null=True)


class ColumnSerializer(serializers.Serializer):
    model = serializers.CharField()
    field = serializers.CharField()
    rows = serializers.IntegerField()
    current = serializers.IntegerField()
    old = serializers.IntegerField()
    unreadable = serializers.IntegerField()
    by_key = serializers.DictField(child=serializers.IntegerField())


class KeyStatusSerializer(serializers.Serializer):
    keys = KeySerializer(many=True)
    columns = ColumnSerializer(many=True)
    rows_under_old_keys = serializers.IntegerField()
