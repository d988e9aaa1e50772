import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import CatalogItem, CatalogUpload, CatalogVersion, Category, Kind, VersionKind
from .selectors import upload_review


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
            "kind",
            "is_active",
            "is_default",
            "default_for_new_cases",
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
            "section",
            "citations",
            "see_also",
            "supersedes",
        )
        read_only_fields = fields


class CatalogItemFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices, required=False, help_text="Only this kind.")
    category = serializers.ChoiceField(
        Category.choices, required=False, help_text="Only this category."
    )


# ---------------------------------------------------------------- catalogue management


class CatalogProblemSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What is wrong.")
    file_name = serializers.CharField()
    version = serializers.CharField(help_text="The version the file declares.")
    item = serializers.IntegerField(
        allow_null=True, help_text="The item's 1-based position, or null for the file."
    )
    code = serializers.CharField(help_text="The item's code, when it has one.")
    field = serializers.CharField(help_text="The field at fault.")
    rule = serializers.CharField(
        help_text="`already_published` when this very content is published already."
    )


class ItemRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(allow_null=True)


class ItemChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    previous_code = serializers.CharField(
        help_text="The matched item of the previous version: the same code, or one superseded."
    )
    title = serializers.CharField()
    before = serializers.JSONField(help_text="Title and source text, weight, or critical flag.")
    after = serializers.JSONField()


class CatalogDiffSerializer(serializers.Serializer):
    previous_version = serializers.CharField(allow_null=True)
    added = ItemRefSerializer(many=True)
    removed = ItemRefSerializer(many=True)
    reworded = ItemChangeSerializer(many=True)
    reweighted = ItemChangeSerializer(many=True)
    criticality_changed = ItemChangeSerializer(many=True)
    unchanged = serializers.IntegerField()


class CatalogUploadSerializer(serializers.ModelSerializer):
    """An uploaded catalogue file: its problems (checked now, while a draft) or, when it has
    none, its changes against the previous published version of its kind."""

    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    published_version = serializers.CharField(
        source="published_version.code", read_only=True, allow_null=True, default=None
    )
    valid = serializers.SerializerMethodField(help_text="True when it may be published.")
    already_published = serializers.SerializerMethodField()
    item_count = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    diff = serializers.SerializerMethodField()

    class Meta:
        model = CatalogUpload
        fields = (
            "id",
            "file_name",
            "sha256",
            "size",
            "version_code",
            "title",
            "kind",
            "status",
            "uploaded_by",
            "uploaded_at",
            "decided_by",
            "decided_at",
            "discard_reason",
            "published_version",
            "valid",
            "already_published",
            "item_count",
            "problems",
            "diff",
        )
        read_only_fields = fields

    def _review(self, upload):
        reviews = self.context.setdefault("reviews", {})
        if upload.pk not in reviews:
            reviews[upload.pk] = upload_review(upload)
        return reviews[upload.pk]

    def get_valid(self, upload) -> bool:
        return self._review(upload).is_valid

    def get_already_published(self, upload) -> bool:
        return self._review(upload).already_published

    def get_item_count(self, upload) -> int:
        return self._review(upload).item_count

    @extend_schema_field(CatalogProblemSerializer(many=True))
    def get_problems(self, upload):
        return self._review(upload).problems

    @extend_schema_field(CatalogDiffSerializer(allow_null=True))
    def get_diff(self, upload):
        diff = self._review(upload).diff
        return diff.as_dict() if diff else None


class CatalogUploadRequestSerializer(serializers.Serializer):
    """A catalogue file: as a multipart `file`, or in a JSON body as `content` (the catalogue
    object, or its JSON text) with a `file_name`."""

    file = serializers.FileField(required=False, help_text="Multipart: the .json file.")
    content = serializers.JSONField(
        required=False, help_text="JSON body: the catalogue object (or its text)."
    )
    file_name = serializers.CharField(
        required=False,
        max_length=CatalogUpload._meta.get_field("file_name").max_length,
        help_text="JSON body: the name to keep, ending in .json (default: <version>.json).",
    )

    def validate(self, data):
        if bool(data.get("file")) == ("content" in data):
            raise serializers.ValidationError(
                {"file": ["Send either a multipart `file` or a JSON `content`, not both."]}
            )
        return data

    def file_name_and_bytes(self) -> tuple[str, bytes]:
        data = self.validated_data
        if data.get("file"):
            upload = data["file"]
            return upload.name, upload.read(CatalogUpload.MAX_BYTES + 1)
        content = data["content"]
        if isinstance(content, str):
            text = content
        else:
            text = json.dumps(content, ensure_ascii=False, indent=2)
        version = content.get("version") if isinstance(content, dict) else None
        default = f"{version}.json" if isinstance(version, str) and version else "catalogue.json"
        return data.get("file_name") or default, text.encode("utf-8")


class DiscardRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CatalogUpload._meta.get_field("discard_reason").max_length,
    )


class DefaultsSerializer(serializers.Serializer):
    """What new cases pin: one active base version, and the active versions asked besides."""

    base = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CatalogVersion.objects.filter(is_active=True, kind=VersionKind.BASE),
        help_text="Code of an active base version.",
    )
    supplements = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=CatalogVersion.objects.filter(is_active=True),
        required=False,
        help_text="Codes of active versions asked besides it (supplements or an older base).",
    )

    def validate(self, data):
        if data["base"] in data.get("supplements", []):
            raise serializers.ValidationError(
                {"supplements": [f"{data['base'].code} is already the base version."]}
            )
        return data


class VersionActiveSerializer(serializers.Serializer):
    is_active = serializers.BooleanField(help_text="Offer this version to new cases.")


class CoverageSourceSerializer(serializers.Serializer):
    label = serializers.CharField()
    issuer = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    date = serializers.CharField()
    quote = serializers.CharField(help_text="A short quotation, when the wording matters.")
    section = serializers.CharField(help_text="The advisory's section (base versions).")


class CoverageRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    versions = serializers.ListField(
        child=serializers.CharField(), help_text="Versions holding an item of this code."
    )
    title = serializers.CharField()


class CoverageItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.code")
    title = serializers.CharField(source="item.title")
    kind = serializers.CharField(source="item.kind")
    category = serializers.CharField(source="item.category")
    section = serializers.CharField(source="item.checklist_section")
    weight = serializers.IntegerField(source="item.weight")
    critical = serializers.BooleanField(source="item.critical")
    source_section = serializers.CharField(source="item.source_section")
    source_text = serializers.CharField(source="item.source_text")
    sources = CoverageSourceSerializer(many=True)
    see_also = CoverageRefSerializer(many=True)
    supersedes = CoverageRefSerializer(many=True)


class CountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class VersionCoverageSerializer(serializers.Serializer):
    version = serializers.CharField(source="version.code")
    title = serializers.CharField(source="version.title")
    kind = serializers.CharField(source="version.kind")
    published_on = serializers.DateField(source="version.published_on")
    source = serializers.JSONField(source="version.source")
    by_section = serializers.SerializerMethodField()
    by_source = serializers.SerializerMethodField()
    items = CoverageItemSerializer(many=True)

    @extend_schema_field(CountSerializer(many=True))
    def get_by_section(self, entry):
        return [{"label": label, "count": n} for label, n in entry.by_section]

    @extend_schema_field(CountSerializer(many=True))
    def get_by_source(self, entry):
        return [{"label": label, "count": n} for label, n in entry.by_source]
