"""REST API for cases. Views are thin: they check the caller's role, parse input, call the
case services and selectors (the same ones the web pages use) and serialise the result."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_permissions import HasRequiredRole, RoleDocumentingSchema
from common.api import (
    IF_MATCH,
    FileDownloadMixin,
    JSONParser,
    VersionedMixin,
    cursor_pagination,
    error_responses,
    etag,
    if_match_version,
)
from common.http import attachment_response
from common.web import PAGE_SIZE

from . import permissions, selectors, services, timeline
from .models import Case
from .serializers import (
    ActionSerializer,
    AnswerBulkResultSerializer,
    AnswerBulkSerializer,
    AnswerSerializer,
    AnswerUpdateSerializer,
    AssignReviewerSerializer,
    CandidateFactsSerializer,
    CandidateFilterSerializer,
    CandidateSerializer,
    CaseCandidateSerializer,
    CaseCataloguesSerializer,
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseSummarySerializer,
    CommentSerializer,
    CommentWriteSerializer,
    EvidenceLinkSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    FindingDecisionSerializer,
    FindingSerializer,
    HistoryFilterSerializer,
    OpenCaseSerializer,
    PostedCommentSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
    TimelineEntrySerializer,
    UpgradeRequestSerializer,
    UpgradeResultSerializer,
    WithdrawSerializer,
)

CASE_READERS = permissions.CASE_READERS
HR_ONLY = permissions.CASE_EDITORS
NEWEST_FIRST = cursor_pagination("-created_at", "-id")
WORKFLOW_ACTIONS = tuple(services.TRANSITIONS)

OPEN_CASE_EXAMPLE = {
    "legal_name": "Jin Park",
    "role_applied_for": "Senior backend engineer",
    "aliases": ["Jimmy Park"],
    "claimed_country": "US",
    "claimed_city": "Seattle",
    "sourcing_channel": "freelance_platform",
    "sourcing_name": "Upwork",
    "emails": ["jin.park.dev@example.com"],
    "phones": ["+1 206 555 0100"],
    "ip_addresses": ["175.45.176.12"],
    "profiles": [{"kind": "github", "url_or_handle": "https://github.com/jinpark-dev"}],
    "history": [
        {
            "kind": "employment",
            "organisation": "Acme Software",
            "country": "SG",
            "start_year": 2019,
            "end_year": 2023,
            "detail": "Backend developer",
        }
    ],
    "bank_name": "Example Bank",
    "account_number": "000123456789",
}


class CaseAPIView(GenericAPIView):
    """Base of the case endpoints: role check first, then the case the caller may see."""

    permission_classes = [HasRequiredRole]
    schema = RoleDocumentingSchema()
    roles_by_method = {"GET": CASE_READERS}
    filter_backends = []
    pagination_class = None

    def get_case(self) -> Case:
        # A case the caller may not see is "not found", never "forbidden": no existence leak.
        cases = selectors.with_progress(selectors.visible_cases(self.request.user))
        return get_object_or_404(cases, reference=self.kwargs["reference"])

    def validated(self, serializer_class, data=None, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
            **kwargs,
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def case_detail_response(self, case: Case, status_code=status.HTTP_200_OK, **kwargs):
        """The case as it is now (after a change), as CaseDetailSerializer shows it."""
        case = selectors.with_progress(selectors.visible_cases(self.request.user)).get(pk=case.pk)
        data = CaseDetailSerializer(case, context=self.get_serializer_context()).data
        return Response(data, status=status_code, **kwargs)


# ---------------------------------------------------------------- cases


class CaseList(CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "POST": HR_ONLY}
    pagination_class = NEWEST_FIRST
    serializer_class = CaseSummarySerializer
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["cases"],
        summary="List cases",
        description=(
            "Cases the caller may see, newest first, with filters and a search by any "
            "identifier: reference, name or alias, e-mail, phone in any format, IP address, "
            "account or identity document number (by blind index), profile URL or handle, "
            "shipping address. Pages are cursor-based: follow "
            "`next` until it is null."
        ),
        parameters=[CaseFilterSerializer],
        responses={200: CaseSummarySerializer(many=True), **error_responses(400, 403)},
    )
    def get(self, request):
        filters = self.validated(CaseFilterSerializer, data=request.query_params)
        cases = selectors.case_list(request.user, **filters)
        cases = selectors.with_progress(selectors.list_rows(cases, selectors.SUMMARY_FIELDS))
        page = self.paginate_queryset(cases)
        data = CaseSummarySerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        tags=["cases"],
        summary="Open a case",
        description=(
            "Open a case for an applicant with the facts they claim. The case pins the default "
            "base catalogue version (or the active one named in `catalog_version`) and the "
            "default supplements (or the active versions named in `supplements`), and gets one "
            "unanswered checklist item per indicator of every pinned version (an item code "
            "asked once). "
            "Account and identity document numbers are stored encrypted and only shown masked."
        ),
        request=OpenCaseSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 403, 409)},
        examples=[OpenApiExample("A freelance applicant", value=OPEN_CASE_EXAMPLE)],
    )
    def post(self, request):
        facts = self.validated(OpenCaseSerializer)
        case = services.open_case(request.user, facts)
        url = reverse("api-case-detail", kwargs={"reference": case.reference})
        return self.case_detail_response(
            case, status.HTTP_201_CREATED, headers={"Location": request.build_absolute_uri(url)}
        )


class CaseDetail(CaseAPIView):
    @extend_schema(
        tags=["cases"],
        summary="Show a case",
        description=(
            "Everything about one case: the candidate (numbers masked), checklist answers with "
            "progress, evidence, sign-offs, other cases sharing an identifier with this one and "
            "what matched, the risk now and as snapshotted at submission with every "
            "contribution explained, and the workflow actions the caller could take now."
        ),
        responses={200: CaseDetailSerializer, **error_responses(403, 404)},
    )
    def get(self, request, reference):
        case = self.get_case()
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)


class CaseCandidate(VersionedMixin, CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "PATCH": HR_ONLY}
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]
    serializer_class = CandidateFactsSerializer

    def current_data(self):
        case = self.case
        candidate = (
            type(case.candidate)
            .objects.select_related("case")
            .prefetch_related("contacts", "profiles", "history_entries")
            .get(pk=case.candidate_id)
        )
        return CaseCandidateSerializer(candidate).data, candidate.version

    @extend_schema(
        tags=["candidates"],
        summary="Show the candidate of a case",
        description="The candidate's claimed facts (numbers masked) and the linked cases.",
        responses={200: CaseCandidateSerializer, **error_responses(403, 404)},
    )
    def get(self, request, reference):
        self.case = self.get_case()
        return self.versioned_response()

    @extend_schema(
        tags=["candidates"],
        summary="Change candidate facts",
        description=(
            "Change only the facts sent. A list sent (emails, phones, aliases, profiles, "
            "history) replaces the stored one; an empty list clears it. Possible while the case "
            "is draft or assessing. The answer shows the cases now linked through a shared "
            "identifier. Send the ETag of the facts you based the change on as If-Match: if "
            "someone saved them since, nothing is saved (409 with the current facts)."
        ),
        parameters=[IF_MATCH],
        request=CandidateFactsSerializer,
        responses={200: CaseCandidateSerializer, **error_responses(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Add a phone and a profile",
                value={
                    "phones": ["+1 206 555 0100", "+82 10 5555 0101"],
                    "profiles": [{"kind": "telegram", "url_or_handle": "@jinpark"}],
                },
            )
        ],
    )
    def patch(self, request, reference):
        case = self.case = self.get_case()
        facts = self.validated(CandidateFactsSerializer, partial=True)
        if not facts:
            raise ValidationError({"non_field_errors": ["Send at least one fact to change."]})
        services.update_candidate(
            request.user, case, facts, expected_version=if_match_version(request)
        )
        return self.versioned_response()


class CandidateReveal(CaseAPIView):
    roles_by_method = {"POST": permissions.NUMBER_REVEALERS}
    parser_classes = [JSONParser]
    serializer_class = RevealRequestSerializer

    @extend_schema(
        tags=["candidates"],
        summary="Reveal an account or identity document number",
        description=(
            "Return one encrypted number in clear. The reason is required and every reveal is "
            "recorded in the audit log with who asked and why."
        ),
        request=RevealRequestSerializer,
        responses={200: RevealResponseSerializer, **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Verify with the bank",
                value={"field": "account_number", "reason": "Verify the account with the bank"},
                request_only=True,
            )
        ],
    )
    def post(self, request, reference):
        case = self.get_case()
        data = self.validated(RevealRequestSerializer)
        value = services.reveal_sensitive(request.user, case, data["field"], data["reason"])
        response = Response({"field": data["field"], "value": value})
        response["Cache-Control"] = "private, no-store"
        return response


# ---------------------------------------------------------------- checklist


class AnswerList(CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "PATCH": HR_ONLY}
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]
    serializer_class = AnswerBulkSerializer

    @extend_schema(
        tags=["checklist"],
        summary="List the checklist answers of a case",
        description=(
            "One answer per item of the case's pinned catalogue version, in checklist order; "
            "an unanswered item has an empty value."
        ),
        responses={200: AnswerSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, reference):
        answers = selectors.answers_for(self.get_case())
        return Response(AnswerSerializer(answers, many=True).data)

    @extend_schema(
        tags=["checklist"],
        summary="Answer several checklist items at once",
        operation_id="v1_cases_answers_bulk_update",
        description=(
            "Record the answers to several items (a section of the checklist) in one request, "
            "each exactly as PATCH on that answer would: the same values, the note rules, a "
            "history record and an audit event per changed answer; an answer already stored "
            "as sent is left alone. Send each item's `version` to be protected from overwriting "
            "someone else's change. Items are saved independently: the valid ones are saved "
            "even when others are refused. 200 when every item was saved (or already stored as "
            "sent); 400 when at least one item was refused for its input (`errors`, per item "
            "code); 409 when the only refusals are conflicts (`conflicts`, per item code, with "
            "the stored answer). The body lists what was saved in every case. A role that may "
            "not answer, or a case no longer draft or assessing, refuses the whole request "
            "(403, 409) and nothing is saved."
        ),
        request=AnswerBulkSerializer,
        responses={
            200: AnswerBulkResultSerializer,
            400: OpenApiResponse(
                AnswerBulkResultSerializer,
                description="At least one item was refused (see `errors`); the others were saved.",
            ),
            409: OpenApiResponse(
                AnswerBulkResultSerializer,
                description="Items changed by someone else since their `version` (see "
                "`conflicts`); the others were saved. Also a case that cannot be changed now.",
            ),
            **error_responses(403, 404),
        },
        examples=[
            OpenApiExample(
                "Two red flags",
                value={
                    "answers": [
                        {
                            "item": "RF-2023-01",
                            "value": "observed",
                            "note": "Declined every video call.",
                            "version": 1,
                        },
                        {"item": "RF-2023-02", "value": "not_observed", "version": 1},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def patch(self, request, reference):
        case = self.get_case()
        data = self.validated(AnswerBulkSerializer)
        entries = [
            services.AnswerInput(e["item"], e["value"], e["note"], e["version"])
            for e in data["answers"]
        ]
        result = services.answer_section(request.user, case, entries)
        stored = {a.item.code: a for a in selectors.answers_for(case)}
        body = {
            "saved": AnswerSerializer([stored[a.item.code] for a in result.saved], many=True).data,
            "unchanged": AnswerSerializer(
                [stored[a.item.code] for a in result.unchanged], many=True
            ).data,
            "errors": result.errors,
            "conflicts": {
                code: {"detail": c.message, "current": AnswerSerializer(stored[code]).data}
                for code, c in result.conflicts.items()
            },
        }
        if result.errors:
            code = status.HTTP_400_BAD_REQUEST
        elif result.conflicts:
            code = status.HTTP_409_CONFLICT
        else:
            code = status.HTTP_200_OK
        return Response(body, status=code)


class AnswerDetail(VersionedMixin, CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "PATCH": HR_ONLY}
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]
    serializer_class = AnswerUpdateSerializer

    def get_answer(self, case):
        answer = selectors.answers_for(case).filter(item__code=self.kwargs["item_code"]).first()
        if answer is None:
            raise NotFound(f"No item {self.kwargs['item_code']} in this case's catalogue.")
        return answer

    def current_data(self):
        answer = self.get_answer(self.case)
        return AnswerSerializer(answer).data, answer.version

    @extend_schema(
        tags=["checklist"],
        summary="Show one checklist answer",
        responses={200: AnswerSerializer, **error_responses(403, 404)},
    )
    def get(self, request, reference, item_code):
        self.case = self.get_case()
        return self.versioned_response()

    @extend_schema(
        tags=["checklist"],
        summary="Answer a checklist item",
        description=(
            "Record the answer to one item. Red flags take observed, not_observed or unknown; "
            "due-diligence steps take completed, adverse, not_completed or not_applicable. "
            "A note is required for observed, adverse and not_applicable. Possible while the "
            "case is draft or assessing. Send the answer's ETag as If-Match: if someone changed "
            "the answer since, nothing is saved (409 with the current answer)."
        ),
        parameters=[IF_MATCH],
        request=AnswerUpdateSerializer,
        responses={200: AnswerSerializer, **error_responses(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Red flag observed",
                value={
                    "value": "observed",
                    "note": "Declined every video call; said the camera was broken.",
                },
                request_only=True,
            )
        ],
    )
    def patch(self, request, reference, item_code):
        case = self.case = self.get_case()
        self.get_answer(case)
        data = self.validated(AnswerUpdateSerializer)
        services.answer_item(
            request.user,
            case,
            item_code,
            data["value"],
            data["note"],
            expected_version=if_match_version(request),
        )
        return self.versioned_response()


# ---------------------------------------------------------------- catalogues of a case


class CaseCatalogueMixin:
    def catalogues_data(self, case) -> dict:
        data = {
            "catalog_revision": case.catalog_revision,
            "versions": selectors.pinned_versions(case),
            "earlier_answers": selectors.earlier_answers(case).prefetch_related("evidence"),
        }
        return CaseCataloguesSerializer(data).data


class CaseCatalogues(CaseCatalogueMixin, VersionedMixin, CaseAPIView):
    def current_data(self):
        case = self.get_case()
        return self.catalogues_data(case), case.catalog_revision

    @extend_schema(
        tags=["checklist"],
        summary="Catalogues a case asks",
        description=(
            "Every catalogue version the case pins, its base version first, the revision of "
            "the pinning (ETag) and the answers kept from an earlier version after an upgrade."
        ),
        responses={200: CaseCataloguesSerializer, **error_responses(403, 404)},
    )
    def get(self, request, reference):
        return self.versioned_response()


class CaseCatalogueUpgrade(CaseCatalogueMixin, VersionedMixin, CaseAPIView):
    roles_by_method = {"POST": permissions.CATALOGUE_UPGRADERS}
    parser_classes = [JSONParser]
    serializer_class = UpgradeRequestSerializer

    def current_data(self):
        case = self.get_case()
        return self.catalogues_data(case), case.catalog_revision

    @extend_schema(
        tags=["checklist"],
        summary="Move a case to newer catalogue versions",
        description=(
            "Pin a newer base version (`catalog_version`) and/or other versions besides it "
            "(`supplements` replaces them). Only while the case is draft or assessing, by hr. "
            "Answers carry over to the new items that supersede the old ones (their "
            "`supersedes` codes) or have the same code; an answered item with no successor is "
            "kept as an earlier answer (visible, not scored). With `dry_run` nothing changes and "
            "the plan is the preview. Send the ETag of GET …/catalogues/ as If-Match: if "
            "another upgrade came first, nothing is changed (409 with the current catalogues)."
        ),
        parameters=[IF_MATCH],
        request=UpgradeRequestSerializer,
        responses={200: UpgradeResultSerializer, **error_responses(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Preview adding the 2025 supplement",
                value={"supplements": ["vetting-supplement-2025"], "dry_run": True},
                request_only=True,
            )
        ],
    )
    def post(self, request, reference):
        case = self.get_case()
        data = self.validated(UpgradeRequestSerializer)
        plan = services.upgrade_catalogues(
            request.user,
            case,
            catalog_version=data.get("catalog_version") or None,
            supplements=data.get("supplements"),
            expected_version=if_match_version(request),
            dry_run=data["dry_run"],
        )
        case = self.get_case()
        body = UpgradeResultSerializer(
            {
                "dry_run": data["dry_run"],
                "catalog_revision": case.catalog_revision,
                "plan": plan.as_dict(),
            }
        ).data
        return Response(body, headers={"ETag": etag(case.catalog_revision)})


# ---------------------------------------------------------------- comments

COMMENT_ID = OpenApiParameter("comment_id", int, OpenApiParameter.PATH)
OLDEST_FIRST = cursor_pagination("created_at", "id")


class CommentMixin:
    def get_comment(self, case, comment_id=None):
        comment_id = comment_id or self.kwargs["comment_id"]
        comment = selectors.comments_for(case).filter(pk=comment_id).first()
        if comment is None:
            raise NotFound(f"No comment {comment_id} on this case.")
        return comment


class CommentList(CommentMixin, CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "POST": permissions.COMMENTERS}
    parser_classes = [JSONParser]
    pagination_class = OLDEST_FIRST
    serializer_class = CommentSerializer

    @extend_schema(
        tags=["comments"],
        summary="List the comments on a case",
        description="The case's discussion, oldest first. Pages are cursor-based.",
        responses={200: CommentSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, reference):
        page = self.paginate_queryset(selectors.comments_for(self.get_case()))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        tags=["comments"],
        summary="Post a comment on a case",
        description=(
            "Post a comment in Markdown (at most 10,000 characters). Raw HTML is shown as text. "
            "`@username` notifies that user when they may see the case; other names are listed "
            "in `ignored_mentions`. Comments are never deleted; their author may edit them for "
            "VETTING_COMMENT_EDIT_MINUTES minutes."
        ),
        request=CommentWriteSerializer,
        responses={201: PostedCommentSerializer, **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Asking a reviewer",
                value={"body": "@seoyeon the **bank** in the facts is a fintech; can you look?"},
                request_only=True,
            )
        ],
    )
    def post(self, request, reference):
        case = self.get_case()
        data = self.validated(CommentWriteSerializer)
        posted = services.post_comment(request.user, case, data["body"])
        comment = self.get_comment(case, posted.pk)
        comment.ignored_mentions = posted.ignored_mentions
        url = reverse("api-comment", kwargs={"reference": case.reference, "comment_id": comment.pk})
        return Response(
            PostedCommentSerializer(comment).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(url), "ETag": etag(comment.version)},
        )


class CommentDetail(CommentMixin, VersionedMixin, CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "PATCH": permissions.COMMENTERS}
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]
    serializer_class = CommentWriteSerializer
    ignored_mentions = None

    def current_data(self):
        comment = self.get_comment(self.case)
        if self.ignored_mentions is None:
            return CommentSerializer(comment).data, comment.version
        comment.ignored_mentions = self.ignored_mentions
        return PostedCommentSerializer(comment).data, comment.version

    @extend_schema(
        tags=["comments"],
        summary="Show one comment",
        parameters=[COMMENT_ID],
        responses={200: CommentSerializer, **error_responses(403, 404)},
    )
    def get(self, request, reference, comment_id):
        self.case = self.get_case()
        return self.versioned_response()

    @extend_schema(
        tags=["comments"],
        summary="Edit a comment",
        description=(
            "Replace the text of a comment: only its author, within VETTING_COMMENT_EDIT_MINUTES "
            "minutes of posting (403 for anyone else, 409 after that). The earlier text stays "
            "in the comment's history and the audit log. Send the comment's ETag as If-Match: "
            "if it was edited since, nothing is saved (409 with the current comment). People "
            "newly mentioned are notified."
        ),
        parameters=[COMMENT_ID, IF_MATCH],
        request=CommentWriteSerializer,
        responses={200: PostedCommentSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request, reference, comment_id):
        case = self.case = self.get_case()
        comment = self.get_comment(case)
        data = self.validated(CommentWriteSerializer)
        edited = services.edit_comment(
            request.user, comment, data["body"], expected_version=if_match_version(request)
        )
        self.ignored_mentions = edited.ignored_mentions
        return self.versioned_response()


# ---------------------------------------------------------------- evidence


class EvidenceMixin:
    def get_evidence(self, case, evidence_id=None):
        evidence_id = evidence_id or self.kwargs["evidence_id"]
        evidence = (
            selectors.evidence_for(case).select_related("case").filter(pk=evidence_id).first()
        )
        if evidence is None:
            raise NotFound(f"No evidence {evidence_id} in this case.")
        return evidence

    def evidence_data(self, evidence) -> dict:
        return EvidenceSerializer(evidence, context=self.get_serializer_context()).data


EVIDENCE_ID = OpenApiParameter("evidence_id", int, OpenApiParameter.PATH)


class EvidenceList(EvidenceMixin, CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "POST": HR_ONLY}
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = EvidenceUploadSerializer

    @extend_schema(
        tags=["evidence"],
        summary="List the evidence of a case",
        description="Every file uploaded to the case, withdrawn ones included, oldest first.",
        responses={200: EvidenceSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, reference):
        evidence = selectors.evidence_for(self.get_case()).select_related("case")
        return Response(
            EvidenceSerializer(evidence, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        tags=["evidence"],
        summary="Upload evidence",
        description=(
            "Upload one file as multipart/form-data, optionally linked to checklist items. The "
            "type is sniffed from the content, the size is limited, and the SHA-256 is recorded."
        ),
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, reference):
        case = self.get_case()
        data = self.validated(EvidenceUploadSerializer)
        evidence = services.upload_evidence(
            request.user, case, data["file"], data["description"], data["answers"]
        )
        evidence = self.get_evidence(case, evidence.pk)
        return Response(self.evidence_data(evidence), status=status.HTTP_201_CREATED)


class EvidenceDetail(EvidenceMixin, CaseAPIView):
    roles_by_method = {"GET": CASE_READERS, "PATCH": HR_ONLY}
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]
    serializer_class = EvidenceLinkSerializer

    @extend_schema(
        tags=["evidence"],
        summary="Show one piece of evidence",
        parameters=[EVIDENCE_ID],
        responses={200: EvidenceSerializer, **error_responses(403, 404)},
    )
    def get(self, request, reference, evidence_id):
        return Response(self.evidence_data(self.get_evidence(self.get_case())))

    @extend_schema(
        tags=["evidence"],
        summary="Link evidence to checklist items",
        description="Replace the items this evidence supports. Draft or assessing cases only.",
        parameters=[EVIDENCE_ID],
        request=EvidenceLinkSerializer,
        responses={200: EvidenceSerializer, **error_responses(400, 403, 404, 409)},
        examples=[OpenApiExample("Two items", value={"answers": ["RF-2023-01", "DD-2023-02"]})],
    )
    def patch(self, request, reference, evidence_id):
        case = self.get_case()
        evidence = self.get_evidence(case)
        data = self.validated(EvidenceLinkSerializer)
        services.link_evidence(request.user, evidence, data["answers"])
        return Response(self.evidence_data(self.get_evidence(case)))


class EvidenceDownload(FileDownloadMixin, EvidenceMixin, CaseAPIView):
    @extend_schema(
        tags=["evidence"],
        summary="Download an evidence file",
        description=(
            "The stored file as an attachment under its original name, cleaned and ending with "
            "the extension of its stored type (`resume.pdf.js` stored as text/plain is sent as "
            "`resume.pdf.js.txt`), streamed. It is read back and checked against the SHA-256 "
            "recorded at upload first (409 if it no longer matches, 404 if it is gone, 503 if "
            "the file storage cannot be reached). Each download is recorded in the audit log. "
            "`X-Content-SHA256` carries the hash."
        ),
        parameters=[EVIDENCE_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its sniffed content type."
            ),
            **error_responses(403, 404, 409, 503),
        },
    )
    def get(self, request, reference, evidence_id):
        evidence = self.get_evidence(self.get_case())
        services.record_evidence_download(request.user, evidence)
        return attachment_response(
            evidence.file,
            filename=evidence.download_name,
            content_type=evidence.content_type,
            sha256=evidence.sha256,
            size=evidence.size,
        )


class EvidenceWithdraw(EvidenceMixin, CaseAPIView):
    roles_by_method = {"POST": HR_ONLY}
    parser_classes = [JSONParser]
    serializer_class = WithdrawSerializer

    @extend_schema(
        tags=["evidence"],
        summary="Withdraw evidence",
        description=(
            "Mark evidence as withdrawn, with a reason. The file and its hash stay for the "
            "audit trail. Draft or assessing cases only."
        ),
        parameters=[EVIDENCE_ID],
        request=WithdrawSerializer,
        responses={200: EvidenceSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, reference, evidence_id):
        case = self.get_case()
        evidence = self.get_evidence(case)
        data = self.validated(WithdrawSerializer)
        services.withdraw_evidence(request.user, evidence, data["reason"])
        return Response(self.evidence_data(self.get_evidence(case)))


# ---------------------------------------------------------------- findings


class FindingMixin:
    def get_finding(self, case):
        finding = selectors.findings_for(case).filter(pk=self.kwargs["finding_id"]).first()
        if finding is None:
            raise NotFound(f"No finding {self.kwargs['finding_id']} in this case.")
        return finding

    def finding_response(self, case):
        """The finding as it is now (after a decision)."""
        finding = self.get_finding(case)
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data)


FINDING_ID = OpenApiParameter("finding_id", int, OpenApiParameter.PATH)


class FindingList(CaseAPIView):
    @extend_schema(
        tags=["signals"],
        summary="List the findings of a case",
        description=(
            "What the automated checks found in the candidate's facts, most severe first: open, "
            "accepted and dismissed. Findings are recomputed whenever the facts change and when "
            "reference data is updated; an open finding whose fact is gone disappears."
        ),
        responses={200: FindingSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, reference):
        findings = selectors.findings_for(self.get_case())
        return Response(
            FindingSerializer(findings, many=True, context=self.get_serializer_context()).data
        )


class FindingDecision(FindingMixin, CaseAPIView):
    """Base of accept and dismiss: parse the note, call `decide`, show the finding."""

    parser_classes = [JSONParser]
    serializer_class = FindingDecisionSerializer

    @staticmethod
    def decide(actor, finding, note):
        raise NotImplementedError

    def post(self, request, reference, finding_id):
        case = self.get_case()
        note = self.validated(FindingDecisionSerializer)["note"]
        self.decide(request.user, self.get_finding(case), note)
        return self.finding_response(case)


def finding_decision_schema(summary: str, description: str, **kwargs):
    return extend_schema_view(
        post=extend_schema(
            tags=["signals"],
            summary=summary,
            description=description,
            parameters=[FINDING_ID],
            request=FindingDecisionSerializer,
            responses={200: FindingSerializer, **error_responses(400, 403, 404, 409)},
            **kwargs,
        )
    )


@finding_decision_schema(
    "Accept a finding",
    "Accept an open finding. One that suggests an answer fills in that checklist answer, with a "
    "note citing the finding. Draft or assessing cases only.",
)
class FindingAccept(FindingDecision):
    roles_by_method = {"POST": permissions.FINDING_ACCEPTERS}
    decide = staticmethod(services.accept_finding)


@finding_decision_schema(
    "Dismiss a finding",
    "Dismiss an open finding, with the reason in `note`. A high or critical finding may only be "
    "dismissed by a reviewer who did not assess the case (four-eyes rule); a low or medium one "
    "by hr while the case is draft or assessing, or by a reviewer.",
    examples=[
        OpenApiExample(
            "With a reason",
            value={"note": "The candidate's employer routes staff through this VPN."},
            request_only=True,
        )
    ],
)
class FindingDismiss(FindingDecision):
    roles_by_method = {"POST": permissions.FINDING_DISMISSERS}
    decide = staticmethod(services.dismiss_finding)


# ---------------------------------------------------------------- workflow


class CaseAction(CaseAPIView):
    parser_classes = [JSONParser]
    serializer_class = ActionSerializer

    def get_required_roles(self, request):
        transition = services.TRANSITIONS.get(self.kwargs.get("action"))
        return transition.roles if transition else CASE_READERS

    def roles_for_schema(self, method):
        return sorted({r for t in services.TRANSITIONS.values() for r in t.roles})

    @extend_schema(
        tags=["workflow"],
        summary="Move a case through the workflow",
        description=(
            "Run one workflow action. `start_assessment`, `submit` and `close_cleared` are for "
            "hr; `start_review`, `approve`, `reject`, `refer` and `return` for a reviewer who "
            "did not assess the case (four-eyes rule); `reopen` for hr or a reviewer. A note "
            "is required to reject, refer, return and reopen. An action the current status "
            "does not allow gives 409. The case detail lists the caller's `allowed_actions`."
        ),
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(WORKFLOW_ACTIONS))
        ],
        request=ActionSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Refer with a reason",
                value={"note": "Identity documents forged; payment to a third-party account."},
                request_only=True,
            )
        ],
    )
    def post(self, request, reference, action):
        case = self.get_case()
        data = self.validated(ActionSerializer)
        services.perform_action(request.user, case, action, data["note"])
        return self.case_detail_response(case)


class AssignReviewer(CaseAPIView):
    roles_by_method = {"POST": permissions.REVIEW_ASSIGNERS}
    parser_classes = [JSONParser]
    serializer_class = AssignReviewerSerializer

    @extend_schema(
        tags=["workflow"],
        summary="Assign a reviewer",
        description=(
            "Assign a submitted case (or hand on a review) to a reviewer, by username; null "
            "unassigns. The reviewer must not have assessed the case (four-eyes rule)."
        ),
        request=AssignReviewerSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 403, 404, 409)},
        examples=[OpenApiExample("Assign", value={"reviewer": "reviewer2"}, request_only=True)],
    )
    def post(self, request, reference):
        case = self.get_case()
        username = self.validated(AssignReviewerSerializer)["reviewer"]
        case = services.assign_reviewer_named(request.user, case, username)
        return self.case_detail_response(case)


class CaseHistory(CaseAPIView):
    pagination_class = cursor_pagination("-at", "-id", page_size=PAGE_SIZE, max_page_size=200)

    @extend_schema(
        tags=["cases"],
        summary="History of a case",
        description="The case's history as its history page shows it, newest first: each "
        "recorded event (who, when, what) with the field changes recorded with it, grouped by "
        "the record they changed, plus any recorded change no event claims. Numbers are masked.",
        parameters=[HistoryFilterSerializer],
        responses={200: TimelineEntrySerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request, reference):
        case = self.get_case()
        who = self.validated(HistoryFilterSerializer, data=request.query_params).get("who", "")
        page = self.paginate_queryset(timeline.history_events(case, who))
        entries = timeline.build_timeline(case, page)
        return self.get_paginated_response(TimelineEntrySerializer(entries, many=True).data)


class ReviewQueue(CaseAPIView):
    pagination_class = cursor_pagination("submitted_at", "id")

    @extend_schema(
        tags=["workflow"],
        summary="Review queue",
        description="Submitted cases and cases in review, longest waiting first.",
        responses={200: CaseSummarySerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        cases = selectors.review_queue(request.user)
        cases = selectors.with_progress(selectors.list_rows(cases, selectors.SUMMARY_FIELDS))
        page = self.paginate_queryset(cases)
        data = CaseSummarySerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


# ---------------------------------------------------------------- candidates


class CandidateList(CaseAPIView):
    pagination_class = NEWEST_FIRST

    @extend_schema(
        tags=["candidates"],
        summary="List candidates",
        description="Candidates of the cases the caller may see (numbers masked), newest first.",
        parameters=[CandidateFilterSerializer],
        responses={200: CandidateSerializer(many=True), **error_responses(400, 403)},
    )
    def get(self, request):
        filters = self.validated(CandidateFilterSerializer, data=request.query_params)
        page = self.paginate_queryset(selectors.candidate_list(request.user, **filters))
        return self.get_paginated_response(CandidateSerializer(page, many=True).data)


class CandidateDetail(CaseAPIView):
    @extend_schema(
        tags=["candidates"],
        summary="Show a candidate",
        responses={200: CandidateSerializer, **error_responses(403, 404)},
    )
    def get(self, request, candidate_id):
        candidate = get_object_or_404(selectors.candidate_list(request.user), pk=candidate_id)
        return Response(CandidateSerializer(candidate).data)
