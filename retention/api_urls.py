from django.urls import re_path

from . import api

case = r"^cases/(?P<reference>[A-Za-z0-9-]{1,32})"

urlpatterns = [
    re_path(r"^retention/policy/$", api.Policy.as_view(), name="api-retention-policy"),
    re_path(r"^retention/due/$", api.Due.as_view(), name="api-retention-due"),
    re_path(r"^retention/keys/$", api.KeyStatus.as_view(), name="api-retention-keys"),
    re_path(
        r"^retention/holds/(?P<hold_id>[0-9]{1,18})/lift/$",
        api.HoldLift.as_view(),
        name="api-retention-hold-lift",
    ),
    re_path(case + r"/holds/$", api.CaseHolds.as_view(), name="api-case-holds"),
    re_path(case + r"/purge/$", api.CasePurge.as_view(), name="api-case-purge"),
    re_path(
        case + r"/subject-access/$", api.SubjectAccess.as_view(), name="api-case-subject-access"
    ),
]
