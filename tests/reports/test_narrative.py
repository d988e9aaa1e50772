"""The referral packet's account of the case reads as proper sentences, in English and Korean,
whatever facts are there and however the free-text ones are written."""

import re

import pytest

from reports.packet.narrative import Facts, Indicator, Referral, narrative

CAMERA = Indicator(
    code="RF-2023-01",
    title="Unwillingness or inability to appear on camera",
    title_ko="카메라·화상 면접 회피 또는 화면상 불일치",
    advisory_wording="Unwillingness or inability to appear on camera during video interviews.",
    note="Camera 'broken' in all three interviews.",
    evidence=("E1",),
)
PAYMENT = Indicator(
    code="RF-2023-07",
    title="Requests for advance or unusual payment",
    title_ko="선불 또는 이례적 지급 요청",
    advisory_wording="Requests for payment in virtual currency",
    note="Asked twice for an advance payment",
)
ROUTING = Indicator(
    code="DD-2023-05",
    title="Bank account verified",
    title_ko="계좌 확인",
    advisory_wording="Verify the bank account",
    note="",
    evidence=("E2", "E3"),
)
BASE = Facts(
    organisation="Example Employer Ltd.",
    name="Jin Park",
    role="Senior backend engineer",
    case_reference="VET-2026-000001",
    opened="2026-03-02 10:00 UTC",
    advisory="Guidance on the DPRK IT workers",
    advisory_details="FBI, U.S. Department of State, 2023-10",
    score="42.00",
    level="high",
    policy_version="2026.1",
)


def facts(**changes) -> Facts:
    return Facts(**{**BASE.__dict__, **changes})


CASES = {
    "nothing optional is known": (
        "en",
        facts(score="", referral=None),
        [
            "Example Employer Ltd. screened an applicant for the position of Senior backend "
            "engineer. The applicant presented as Jin Park. The screening",
        ],
        ["nationality", "live in", "applied", "also using", "None", " ,", "()"],
    ),
    "no role applied for": (
        "en",
        facts(role=""),
        ["Example Employer Ltd. screened a job applicant. The applicant presented as Jin Park."],
        ["position of ."],
    ),
    "a demonym kept as typed as nationality": (
        "en",
        facts(nationality="American"),
        ["The applicant gave American as their nationality."],
        ["a national of"],
    ),
    "a country as nationality": (
        "en",
        facts(nationality="US", country="CA"),
        [
            "The applicant claimed to live in Canada. "
            "The applicant gave United States of America as their nationality."
        ],
        [],
    ),
    "city and country": (
        "en",
        facts(city="Toronto", country="CA"),
        ["The applicant claimed to live in Toronto, Canada."],
        [],
    ),
    "one alias": (
        "en",
        facts(aliases=("Jimmy Park",)),
        ["The applicant presented as Jin Park, also using the name Jimmy Park."],
        [],
    ),
    "several aliases": (
        "en",
        facts(aliases=("Jimmy Park", "J. Parker")),
        ["The applicant presented as Jin Park, also using the names Jimmy Park, J. Parker."],
        [],
    ),
    "applied directly": (
        "en",
        facts(sourcing_channel="direct"),
        ["The applicant applied directly."],
        [],
    ),
    "a staffing firm, named": (
        "en",
        facts(sourcing_channel="staffing_firm", sourcing_name="TalentBridge"),
        ["The applicant was put forward by a staffing firm (TalentBridge)."],
        [],
    ),
    "an outsourcing company": (
        "en",
        facts(sourcing_channel="outsourcing_company"),
        ["The applicant was put forward by an outsourcing company."],
        ["a outsourcing"],
    ),
    "a freelance platform, named": (
        "en",
        facts(sourcing_channel="freelance_platform", sourcing_name="GigBoard"),
        ["The applicant applied through a freelance platform (GigBoard)."],
        ["through freelance platform"],
    ),
    "an IT competition": (
        "en",
        facts(sourcing_channel="it_competition"),
        ["The applicant was found through an IT competition."],
        [],
    ),
    "an unknown sourcing channel is left out": (
        "en",
        facts(sourcing_channel="carrier_pigeon"),
        [],
        ["carrier_pigeon"],
    ),
    "a referral note ending with a full stop": (
        "en",
        facts(referral=Referral("2026-03-05 09:00 UTC", "Riley Reviewer (riley)", "Do not hire.")),
        [
            "On 2026-03-05 09:00 UTC, reviewer Riley Reviewer (riley) referred the case to the "
            'authorities with this note: "Do not hire." Example Employer Ltd. suspects'
        ],
        ['hire.".'],
    ),
    "a referral note without a full stop": (
        "en",
        facts(referral=Referral("2026-03-05", "riley", "Refer to IC3 and NIS")),
        ['with this note: "Refer to IC3 and NIS". Example Employer Ltd. suspects'],
        [],
    ),
    "a referral without a note": (
        "en",
        facts(referral=Referral("2026-03-05", "riley", "")),
        ["On 2026-03-05, reviewer riley referred the case to the authorities. Example"],
        ['""'],
    ),
    "the score and the advisory": (
        "en",
        facts(),
        [
            "The screening (case VET-2026-000001, opened 2026-03-02 10:00 UTC) followed the "
            'advisory "Guidance on the DPRK IT workers" (FBI, U.S. Department of State, '
            "2023-10).",
            "The risk assessment scored 42.00 (High) under scoring policy 2026.1.",
        ],
        [],
    ),
    "one observed indicator": (
        "en",
        facts(observed=(CAMERA,)),
        [
            "Red flags of DPRK IT worker activity that were observed:\n"
            "- [RF-2023-01] Unwillingness or inability to appear on camera\n"
            '  Advisory wording: "Unwillingness or inability to appear on camera during video '
            'interviews."\n'
            "  What was observed: Camera 'broken' in all three interviews. (evidence E1)",
        ],
        ["Due-diligence checks"],
    ),
    "many indicators, observed and adverse": (
        "en",
        facts(observed=(CAMERA, PAYMENT), adverse=(ROUTING,)),
        [
            "- [RF-2023-01]",
            "- [RF-2023-07] Requests for advance or unusual payment\n",
            "  What was observed: Asked twice for an advance payment\n",
            "\n\nDue-diligence checks with adverse results:\n- [DD-2023-05] Bank account verified",
            "  What was found: (evidence E2, E3)",
        ],
        [],
    ),
    "Korean, with every fact": (
        "ko",
        facts(
            aliases=("Jimmy Park", "J. Parker"),
            city="Toronto",
            country="CA",
            nationality="US",
            sourcing_channel="freelance_platform",
            sourcing_name="GigBoard",
            referral=Referral("2026-03-05", "riley", "Do not hire."),
            observed=(CAMERA,),
            adverse=(ROUTING,),
        ),
        [
            "Example Employer Ltd.은(는) ‘Senior backend engineer’ 직무 지원자를 "
            "검증하였습니다. 지원자는 ‘Jin Park’(이)라는 이름을 사용하였으며, 다른 이름(Jimmy "
            "Park, J. Parker)도 사용하였습니다. 지원자가 밝힌 거주지는 Toronto, 캐나다입니다. "
            "지원자가 밝힌 국적은 미국입니다. 지원자는 프리랜서 플랫폼 (GigBoard)을 통해 "
            "지원하였습니다.",
            "위험 평가 점수는 42.00점(높음, 점수 산정 정책 2026.1)입니다.",
            '다음과 같이 기록하였습니다: "Do not hire." Example Employer Ltd.은(는)',
            "확인된 북한 IT 인력 위험 신호:\n"
            "- [RF-2023-01] 카메라·화상 면접 회피 또는 화면상 불일치",
            "  확인 내용: Camera 'broken' in all three interviews. (증거 E1)",
            "부정적 결과가 나온 실사:\n- [DD-2023-05] 계좌 확인",
            "  실사 결과: (증거 E2, E3)",
        ],
        ["The applicant", "What was", "evidence", "High"],
    ),
    "Korean, nothing optional": (
        "ko",
        facts(role="", score=""),
        ["Example Employer Ltd.은(는) 채용 지원자를 검증하였습니다."],
        ["국적", "거주지", "None"],
    ),
}


@pytest.mark.parametrize(
    ("language", "given", "expected", "unexpected"), CASES.values(), ids=CASES.keys()
)
def test_the_narrative_reads_as_sentences(language, given, expected, unexpected):
    text = narrative(given, language)

    for part in expected:
        assert part in text
    for part in unexpected:
        assert part not in text
    # No doubled or stray punctuation, nor empty slots, whatever was missing.
    assert not re.search(r"\.\s*\.|\.\"\.|\s[,.]|\(\s*\)|  \S", text.replace("\n  ", "\n"))
    assert "None" not in text
