from rest_framework import serializers

from .models import CatalogItem, CatalogVersion, Category, Kind


class CatalogVersionSerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(read_only=True, help_text="Items in this version.")
    red_flag_count = serializers.IntegerField(read_only=True)
    due_diligence_count = serializers.IntegerField(read_only=True)
    is_default = serializers.SerializerMethodField(
        help_text="True for the version new cases are pinned to."
    )

    class Meta:
        model = CatalogVersion
        fields = (
            "code",
            "title",
            "published_on",
            "source",
            "is_active",
            "is_default",
            "content_sha256",
            "loaded_at",
            "item_count",
            "red_flag_count",
            "due_diligence_count",
        )
        read_only_fields = fields

    def get_is_default(self, version) -> bool:
        return version.code == self.context.get("default_code")


class CatalogItemSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.code", read_only=True)

    class Meta:
        model = CatalogItem
        fields = (
            "code",
            "version",
            "position",
            "kind",
            "category",
            "audience",
            "title",
            "title_ko",
            "source_text",
            "source_section",
            "weight",
            "critical",
            "evidence_expectation",
        )
        read_only_fields = fields


class CatalogItemFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices, required=False, help_text="Only this kind.")
    category = serializers.ChoiceField(
        Category.choices, required=False, help_text="Only this category."
    )
