from django.urls import path

from . import views

case = "cases/<str:reference>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    # Before the case pages: "views" and "assign" are not references.
    path("cases/views/", views.saved_views, name="saved_views"),
    path("cases/views/<int:view_id>/", views.saved_view_change, name="saved_view_change"),
    path("cases/views/<int:view_id>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("cases/assign/", views.case_bulk_assign, name="case_bulk_assign"),
    path("review/", views.review_queue, name="review_queue"),
    path(case, views.case_detail, name="case_detail"),
    path(case + "action/", views.case_action, name="case_action"),
    path(case + "candidate/", views.case_candidate, name="case_candidate"),
    path(case + "candidate/reveal/", views.case_reveal, name="case_reveal"),
    path(case + "checklist/", views.case_checklist, name="case_checklist"),
    path(case + "catalogues/", views.case_catalogues, name="case_catalogues"),
    path(case + "checklist/<str:code>/", views.case_answer, name="case_answer"),
    path(case + "answers/", views.case_answer_section, name="case_answer_section"),
    path(
        case + "checklist/<str:code>/evidence/",
        views.case_item_evidence,
        name="case_item_evidence",
    ),
    path(case + "evidence/", views.case_evidence, name="case_evidence"),
    path(
        case + "evidence/<int:evidence_id>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        case + "evidence/<int:evidence_id>/withdraw/",
        views.evidence_withdraw,
        name="evidence_withdraw",
    ),
    path(
        case + "signals/<int:finding_id>/accept/",
        views.case_finding_accept,
        name="case_finding_accept",
    ),
    path(
        case + "signals/<int:finding_id>/dismiss/",
        views.case_finding_dismiss,
        name="case_finding_dismiss",
    ),
    path(case + "review/", views.case_review, name="case_review"),
    path(case + "review/assign/", views.case_assign, name="case_assign"),
    path(case + "history/", views.case_history, name="case_history"),
    path(case + "comments/", views.case_comments, name="case_comments"),
    path(
        case + "comments/<int:comment_id>/edit/",
        views.case_comment_edit,
        name="case_comment_edit",
    ),
]
