"""Every write to a case goes through these functions: web pages, API and admin alike.

Each function checks the actor's role and the case's state, changes the data in one
transaction, attributes the django-simple-history record to the actor and appends an audit event.
The functions live in one module per area and are used from here.
"""

from .catalogues import choose_versions, upgrade_catalogues
from .checklist import SECTION_MAX_ANSWERS, AnswerInput, SectionResult, answer_item, answer_section
from .comments import edit_comment, post_comment
from .deadlines import send_deadline_reminders
from .evidence import link_evidence, record_evidence_download, upload_evidence, withdraw_evidence
from .facts import (
    CANDIDATE_FACT_FIELDS,
    CONTACT_LISTS,
    COUNTRY_INPUTS,
    REQUIRED_FACTS,
    CandidateFacts,
    ContactList,
    clean_candidate_facts,
    open_case,
    update_candidate,
)
from .findings import (
    accept_finding,
    dismiss_finding,
    rescreen_cases,
    rescreen_linked_cases,
    rescreen_open_cases,
    screen_case,
)
from .saved_views import change_view, delete_view, save_view
from .sensitive import (
    SENSITIVE_FIELDS,
    encrypted_columns,
    record_reveal,
    reveal_sensitive,
    rotate_field_keys,
)
from .workflow import (
    REVIEW_ACTIONS,
    SIGN_OFF_ACTIONS,
    TRANSITIONS,
    AssignmentResult,
    Transition,
    allowed_actions,
    assign_reviewer,
    assign_reviewer_named,
    assign_reviewer_to_cases,
    perform_action,
    recompute_snapshot,
    risk_snapshot,
    why_user_may_not_close,
)

__all__ = [
    "CANDIDATE_FACT_FIELDS",
    "CONTACT_LISTS",
    "COUNTRY_INPUTS",
    "REQUIRED_FACTS",
    "REVIEW_ACTIONS",
    "SECTION_MAX_ANSWERS",
    "SENSITIVE_FIELDS",
    "SIGN_OFF_ACTIONS",
    "TRANSITIONS",
    "AnswerInput",
    "CandidateFacts",
    "ContactList",
    "AssignmentResult",
    "SectionResult",
    "Transition",
    "allowed_actions",
    "accept_finding",
    "answer_item",
    "answer_section",
    "assign_reviewer",
    "assign_reviewer_named",
    "choose_versions",
    "assign_reviewer_to_cases",
    "change_view",
    "clean_candidate_facts",
    "delete_view",
    "dismiss_finding",
    "edit_comment",
    "encrypted_columns",
    "link_evidence",
    "open_case",
    "perform_action",
    "post_comment",
    "recompute_snapshot",
    "record_reveal",
    "record_evidence_download",
    "rescreen_cases",
    "rescreen_linked_cases",
    "rescreen_open_cases",
    "reveal_sensitive",
    "risk_snapshot",
    "rotate_field_keys",
    "save_view",
    "screen_case",
    "send_deadline_reminders",
    "update_candidate",
    "upgrade_catalogues",
    "upload_evidence",
    "why_user_may_not_close",
    "withdraw_evidence",
]
