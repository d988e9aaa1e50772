import hashlib
import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from cases import scoring
from cases.models import AnswerValue
from indicators.models import CatalogItem
from reports.labels import LABELS, labels

from .conftest import OBSERVED, Packet, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db

HANGUL = re.compile("[\uac00-\ud7a3]")


def pdf(job):
    data = stored_bytes(job)
    assert hashlib.sha256(data).hexdigest() == job.sha256
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return reader, pages, " ".join(" ".join(pages).split())


def test_english_risk_summary_says_everything_an_auditor_needs(referred_case, reviewer, generate):
    job = generate(reviewer, referred_case, language="en")
    reader, pages, text = pdf(job)
    case = referred_case
    snapshot = case.risk_snapshot

    assert reader.metadata.title.startswith("Risk summary")
    for expected in (
        case.reference,
        "Referred to authorities",  # status and decision
        "Several advisory indicators; referring to IC3 and NIS.",  # decision note
        "Jin Park",
        "jin.park@example.net",
        "+1 416 555 0100",
        "https://github.com/jinpark-dev",
        "Unit 4, 77 Forwarder Road, Laredo TX",
        # Policy 2026.2: the North Korean IP address among the facts forces critical.
        f"{snapshot['score']} · Critical",
        "Levels forced by",
        "Open finding ip.dprk_address (critical)",
        f"Scoring policy {snapshot['policy_version']}",
        "How the score was reached",
        "Red flag observed",
        "Due diligence found an adverse result",
        "Camera 'broken' in all three interviews.",
        "Routing number belongs to a money service business.",
        "interview notes.png",
        "Sign-offs",
        "Refer to authorities",
        "riley",
        "History summary",
        "answer.recorded",
        "Catalogue version 2023-10",
        "U.S. Department of State",
        f"report job #{job.pk}",
    ):
        assert expected in text, expected
    # Page numbers and the generation time on every page.
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert "Generated" in page
    # Long tokens (hashes, URLs) may wrap across lines.
    unwrapped = text.replace(" ", "")
    assert snapshot["inputs_hash"] in unwrapped
    assert case.catalog_version.source["url"] in unwrapped
    for evidence in case.evidence.all():
        assert evidence.sha256 in unwrapped
    # Every item, with the advisory's own wording.
    for item in CatalogItem.objects.filter(version=case.catalog_version):
        assert item.code in text
        assert " ".join(item.source_text.split())[:60] in text, item.code
    for code in OBSERVED:
        assert code in text


def test_numbers_are_masked_in_the_summary(referred_case, hr, generate):
    _reader, _pages, text = pdf(generate(hr, referred_case))

    assert "9876543210123" not in text
    assert "XK1234567" not in text
    assert "0123" in text and "567" in text  # the masked tails


def test_korean_risk_summary_uses_korean_labels_and_titles(referred_case, hr, generate):
    job = generate(hr, referred_case, language="ko")
    reader, pages, text = pdf(job)

    assert job.file_name.endswith("-risk-summary-ko.pdf")
    assert reader.metadata.title.startswith("위험 요약")
    for expected in (
        "위험 요약",
        "점수 산정 근거",
        "체크리스트 답변",
        "수사기관에 회부",  # the decision, as the web interface names it
    ):
        assert expected in text, expected
    item = CatalogItem.objects.get(version=referred_case.catalog_version, code="RF-2023-01")
    assert item.title_ko in text
    assert "\u2060" not in text  # the invisible joiners that keep Korean words whole
    for number, page in enumerate(pages, start=1):
        assert f"페이지 {number} / {len(pages)}" in page
        assert HANGUL.search(page)


def test_korean_documents_name_answers_with_the_words_of_the_web_interface(
    referred_case, hr, reviewer, generate
):
    with translation.override("ko"):
        observed = str(AnswerValue.OBSERVED.label)
        reason = scoring.reason_label("observed")
    assert observed == "확인됨"  # the catalogue's word, which the web pages show

    _reader, _pages, summary = pdf(generate(hr, referred_case, language="ko"))
    packet = Packet(stored_bytes(generate(reviewer, referred_case, "referral_packet", "ko")))
    nis = packet.read("nis_knpa_ko.txt").decode()

    assert f"[{observed}]" in summary  # each observed answer in the checklist
    assert reason in summary  # and why it scored
    assert "관찰됨" not in summary + nis  # the word documents used to have of their own
    assert "확인된 위험 신호" in pdf_text(packet.read("cover.pdf")) and "확인된" in nis


def test_the_korean_font_is_embedded(referred_case, hr, generate):
    reader, _pages, _text = pdf(generate(hr, referred_case, language="ko"))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]))
    assert any("NanumGothic" in name for name in fonts), fonts


def test_an_unsubmitted_case_shows_its_current_risk(answered_case, hr, generate):
    case = answered_case(hr)
    _reader, _pages, text = pdf(generate(hr, case))

    assert "Not submitted yet" in text
    assert "No answer raised the score." in text
    assert "No sign-off yet." in text
    assert "No evidence was uploaded." in text


def test_every_document_label_has_a_korean_translation_in_the_catalogue():
    english, korean = labels("en"), labels("ko")

    assert set(english) == set(korean) == set(LABELS)
    untranslated = [key for key in LABELS if korean[key] == english[key]]
    assert not untranslated


def test_no_table_row_of_the_korean_summary_is_split_across_pages(answered_case, hr, generate):
    # Every red flag unknown and every check not completed: every item adds to the score, so
    # the table of how it was reached and the checklist run over several pages. Long claimed
    # facts make rows many lines high, which WeasyPrint would otherwise break across pages.
    overrides = {
        item.code: ("unknown", "") if item.is_red_flag else ("not_completed", "")
        for item in CatalogItem.objects.filter(version__is_active=True)
    }
    detail = "학위 논문 지도 교수 추천서 제출 " * 7
    case = answered_case(
        hr,
        overrides=overrides,
        aliases=[f"Alias Number {n} also known as Alias {n}" for n in range(50)],
        history=[
            {"kind": "employment", "organisation": f"Org{n}", "detail": f"{detail}END{n}"}
            for n in range(8)
        ],
    )
    _reader, pages, _text = pdf(generate(hr, case, language="ko"))
    compact = ["".join(page.split()) for page in pages]

    def first_page(text: str) -> int:
        return next(n for n, page in enumerate(compact) if text in page)

    rows = [("다른이름", "AliasNumber49"), ("학력및경력", "END7")]  # label, end of value
    for item in CatalogItem.objects.filter(version=case.catalog_version):
        # The score table comes before the checklist: a code's first page is its row's page.
        rows.append((item.code, "".join(item.title_ko.split())))
    for start, end in rows:
        page = first_page(start)
        assert end in compact[page], (start, page)
    assert len(pages) > 3  # the checklist spans several pages


def test_the_korean_summary_tells_the_case_history_in_korean(referred_case, hr, generate):
    _reader, _pages, summary = pdf(generate(hr, referred_case, language="ko"))
    compact = "".join(summary.split())

    assert "제출됨→검토중" in compact  # the submission and the review, as the web history says
    assert "submitted" not in summary.lower() and "→ in_review" not in summary


def test_the_risk_summary_names_countries_from_their_codes_in_the_document_language(
    referred_case, hr, generate
):
    _reader, _pages, english = pdf(generate(hr, referred_case, language="en"))
    _reader, _pages, korean = pdf(generate(hr, referred_case, language="ko"))
    assert "Toronto, Canada" in english and "(China)" in english  # residence, history
    assert "Toronto, 캐나다" in korean and "(중국)" in korean
    assert "CA" not in korean.split()
