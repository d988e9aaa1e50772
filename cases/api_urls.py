from django.urls import re_path

from . import api

case = r"^cases/(?P<reference>[A-Za-z0-9-]{1,32})"
evidence = case + r"/evidence/(?P<evidence_id>[0-9]{1,18})"
finding = case + r"/signals/(?P<finding_id>[0-9]{1,18})"
comment = case + r"/comments/(?P<comment_id>[0-9]{1,18})"
actions = "|".join(api.WORKFLOW_ACTIONS)

urlpatterns = [
    re_path(r"^cases/$", api.CaseList.as_view(), name="api-cases"),
    re_path(case + r"/$", api.CaseDetail.as_view(), name="api-case-detail"),
    re_path(case + r"/candidate/$", api.CaseCandidate.as_view(), name="api-case-candidate"),
    re_path(
        case + r"/candidate/reveal/$", api.CandidateReveal.as_view(), name="api-candidate-reveal"
    ),
    re_path(case + r"/answers/$", api.AnswerList.as_view(), name="api-answers"),
    re_path(
        case + r"/answers/(?P<item_code>[A-Za-z0-9._-]{1,32})/$",
        api.AnswerDetail.as_view(),
        name="api-answer",
    ),
    re_path(case + r"/catalogues/$", api.CaseCatalogues.as_view(), name="api-case-catalogues"),
    re_path(
        case + r"/catalogues/upgrade/$",
        api.CaseCatalogueUpgrade.as_view(),
        name="api-case-catalogue-upgrade",
    ),
    re_path(case + r"/evidence/$", api.EvidenceList.as_view(), name="api-evidence"),
    re_path(evidence + r"/$", api.EvidenceDetail.as_view(), name="api-evidence-detail"),
    re_path(
        evidence + r"/download/$", api.EvidenceDownload.as_view(), name="api-evidence-download"
    ),
    re_path(
        evidence + r"/withdraw/$", api.EvidenceWithdraw.as_view(), name="api-evidence-withdraw"
    ),
    re_path(case + r"/comments/$", api.CommentList.as_view(), name="api-comments"),
    re_path(comment + r"/$", api.CommentDetail.as_view(), name="api-comment"),
    re_path(case + r"/signals/$", api.FindingList.as_view(), name="api-findings"),
    re_path(finding + r"/accept/$", api.FindingAccept.as_view(), name="api-finding-accept"),
    re_path(finding + r"/dismiss/$", api.FindingDismiss.as_view(), name="api-finding-dismiss"),
    re_path(
        case + rf"/actions/(?P<action>{actions})/$", api.CaseAction.as_view(), name="api-action"
    ),
    re_path(case + r"/assign-reviewer/$", api.AssignReviewer.as_view(), name="api-assign-reviewer"),
    re_path(case + r"/history/$", api.CaseHistory.as_view(), name="api-case-history"),
    re_path(r"^review-queue/$", api.ReviewQueue.as_view(), name="api-review-queue"),
    re_path(r"^candidates/$", api.CandidateList.as_view(), name="api-candidates"),
    re_path(
        r"^candidates/(?P<candidate_id>[0-9]{1,18})/$",
        api.CandidateDetail.as_view(),
        name="api-candidate",
    ),
]
