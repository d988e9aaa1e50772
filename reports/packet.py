"""The referral packet: a ZIP for the FBI's IC3 and Korea's NIS / KNPA.

It holds a cover PDF, the case facts mapped to the sections of the IC3 complaint form (as text to
paste and as JSON), a Korean-language report for NIS (111) / KNPA (112), the evidence files, and a
manifest with the SHA-256 and size of every file. Account and identity document numbers are in
clear: the packet is for law enforcement, and each inclusion is recorded as a reveal.
"""

import datetime
import hashlib
import json
import zipfile

from django.conf import settings
from django.core.files.storage import default_storage

from cases.uploads import sanitize_filename
from indicators.models import Category

from . import documents
from .documents import DocumentError, fmt_dt, user_name
from .labels import choice_label, labels
from .selectors import Dossier

IC3_URL = "https://www.ic3.gov"
NIS_KNPA = "National Intelligence Service (www.nis.go.kr, 111) / National Police Agency " + (
    "(ecrm.police.go.kr, 112)"
)
# Already compressed formats are stored as they are; deflating them only costs time.
_STORED_TYPES = ("image/", "video/", "audio/", "application/pdf", "application/vnd.openxml")


def _evidence_path(number: int, original_name: str) -> str:
    return f"evidence/E{number:02d}-{sanitize_filename(original_name)}"


def evidence_entries(dossier: Dossier) -> list[dict]:
    """The evidence that goes into the packet (not withdrawn), numbered as in the risk summary."""
    entries = []
    for number, evidence in enumerate(dossier.evidence, start=1):
        if evidence.is_withdrawn:
            continue
        entries.append(
            {
                "number": f"E{number}",
                "path": _evidence_path(number, evidence.original_name),
                "original_name": evidence.original_name,
                "description": evidence.description,
                "content_type": evidence.content_type,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "uploaded_by": evidence.uploaded_by.get_username(),
                "uploaded_at": evidence.uploaded_at.isoformat(),
                "checklist_items": [a.item.code for a in evidence.answers.all()],
                "evidence": evidence,
            }
        )
    return entries


def _indicator(answer, evidence_numbers: dict, language: str = "en") -> dict:
    item = answer.item
    return {
        "code": item.code,
        "title": item.localized_title(language),
        "category": choice_label(language, "category", item.category),
        "advisory_wording": item.source_text,
        "advisory_section": item.source_section,
        "observation": answer.note,
        "recorded_by": answer.answered_by.get_username() if answer.answered_by else "",
        "recorded_at": answer.answered_at.isoformat() if answer.answered_at else "",
        "evidence": [
            evidence_numbers[e.pk] for e in answer.evidence.all() if e.pk in evidence_numbers
        ],
    }


def ic3_complaint(job, dossier: Dossier, generated_at: datetime.datetime, evidence: list) -> dict:
    """The case's facts, arranged by the sections of the IC3 complaint form."""
    case, c = dossier.case, dossier.candidate
    evidence_numbers = {e["evidence"].pk: e["number"] for e in evidence}
    catalog = documents.catalog_context(dossier)
    risk = dossier.risk
    referral = dossier.referral_signoff
    addresses = [a for a in (c.shipping_address,) if a]
    residence = ", ".join(v for v in (c.claimed_city, c.claimed_country) if v)
    payment_indicators = [
        _indicator(a, evidence_numbers)
        for a in dossier.observed + dossier.adverse
        if a.item.category == Category.PAYMENT
    ]
    return {
        "form": f"FBI Internet Crime Complaint Center (IC3) complaint — {IC3_URL}",
        "case_reference": case.reference,
        "report_job": job.pk,
        "generated_at": generated_at.isoformat(),
        "victim_information": {
            "organisation": settings.VETTING_ORGANISATION_NAME,
            "role": "Employer screening a job applicant (prospective employer)",
            "to_complete": "Contact person's name, business address, phone and e-mail.",
        },
        "financial_transactions": {
            "transactions": [],
            "summary": (
                "No payment to the applicant is recorded in vetting: the applicant was screened "
                "before or while being hired. If money was paid or lost, add each transaction "
                "(date, amount, method, receiving bank and account) in the form."
            ),
            "payment_details_supplied_by_subject": {
                "bank_name": c.bank_name,
                "routing_number": c.routing_number,
                "account_number": c.account_number,
            },
            "payment_related_indicators": payment_indicators,
        },
        "subjects": [
            {
                "name": c.legal_name,
                "aliases": list(c.aliases),
                "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else "",
                "claimed_nationality": c.claimed_nationality,
                "claimed_residence": residence,
                "addresses": addresses,
                "phones": dossier.phones,
                "emails": dossier.emails,
                "websites_and_profiles": [
                    {"kind": p.get_kind_display(), "value": p.url_or_handle}
                    for p in dossier.profiles
                ],
                "ip_addresses": dossier.ip_addresses,
                "ip_addresses_note": "No IP address is recorded in vetting.",
                "identity_document": {
                    "type": c.identity_document_type,
                    "number": c.identity_document_number,
                },
                "sourced_through": {
                    "channel": choice_label("en", "sourcing", c.sourcing_channel),
                    "name": c.sourcing_name,
                },
                "role_applied_for": c.role_applied_for,
                "education_and_employment_claimed": [
                    {
                        "kind": h.kind,
                        "organisation": h.organisation,
                        "country": h.country,
                        "from": h.start_year,
                        "to": h.end_year,
                        "detail": h.detail,
                    }
                    for h in dossier.history_entries
                ],
            }
        ],
        "description_of_incident": {
            "narrative": ic3_narrative(dossier, evidence_numbers),
            "observed_indicators": [_indicator(a, evidence_numbers) for a in dossier.observed],
            "adverse_due_diligence": [_indicator(a, evidence_numbers) for a in dossier.adverse],
            "risk_assessment": {
                "score": risk["score"],
                "level": risk["level"],
                "scoring_policy": risk["policy_version"],
                "inputs_sha256": risk["inputs_hash"],
            },
            "decision": {
                "decision": case.decision,
                "note": case.decision_note,
                "reviewer": user_name(referral.reviewer) if referral else "",
                "signed_at": referral.signed_at.isoformat() if referral else "",
            },
            "advisory": catalog,
        },
        "other_information": {
            "evidence_files": [{k: v for k, v in e.items() if k != "evidence"} for e in evidence],
            "email_headers": [
                e["number"] for e in evidence if e["content_type"] == "message/rfc822"
            ],
            "also_reported_to": NIS_KNPA + " — Korean version in nis_knpa_ko.txt",
        },
        "who_filed": {
            "organisation": settings.VETTING_ORGANISATION_NAME,
            "prepared_by": user_name(job.requester),
            "prepared_with": f"vetting case {case.reference}, report job #{job.pk}",
        },
    }


def ic3_narrative(dossier: Dossier, evidence_numbers: dict) -> str:
    case, c = dossier.case, dossier.candidate
    catalog = documents.catalog_context(dossier)
    organisation = settings.VETTING_ORGANISATION_NAME
    aliases = f" (also using {', '.join(c.aliases)})" if c.aliases else ""
    residence = (
        ", ".join(v for v in (c.claimed_city, c.claimed_country) if v) or "an unstated place"
    )
    sourcing = choice_label("en", "sourcing", c.sourcing_channel).lower()
    if c.sourcing_name:
        sourcing += f" ({c.sourcing_name})"
    lines = [
        f"{organisation} screened an applicant for the position of {c.role_applied_for}. The "
        f"applicant presented as {c.legal_name}{aliases}, claimed to live in {residence}"
        + (f" and to be a national of {c.claimed_nationality}" if c.claimed_nationality else "")
        + f", and applied through {sourcing}. The screening (case {case.reference}, opened "
        f'{fmt_dt(case.created_at)}) followed the advisory "{catalog["advisory"]}" '
        f"({catalog['agencies']}, {catalog['date']}).",
    ]
    if dossier.observed:
        lines.append("")
        lines.append("Red-flag indicators of DPRK IT worker activity that were observed:")
        lines += _indicator_lines(dossier.observed, evidence_numbers, "Observed")
    if dossier.adverse:
        lines.append("")
        lines.append("Due-diligence checks with adverse findings:")
        lines += _indicator_lines(dossier.adverse, evidence_numbers, "Finding")
    risk = dossier.risk
    lines.append("")
    closing = (
        f"The risk assessment scored {risk['score']} ({risk['level']}) under scoring policy "
        f"{risk['policy_version']}."
    )
    referral = dossier.referral_signoff
    if referral:
        closing += (
            f" On {fmt_dt(referral.signed_at)}, reviewer {user_name(referral.reviewer)} referred "
            f'the case to the authorities: "{case.decision_note}".'
        )
    closing += (
        f" {organisation} suspects the applicant is a DPRK IT worker applying under a false "
        "identity, and reports it as the FBI and the ROK government ask in their advisory."
    )
    lines.append(closing)
    return "\n".join(lines)


def _indicator_lines(answers, evidence_numbers: dict, observed_label: str) -> list[str]:
    lines = []
    for answer in answers:
        evidence = [
            evidence_numbers[e.pk] for e in answer.evidence.all() if e.pk in evidence_numbers
        ]
        lines.append(
            f'- [{answer.item.code}] {answer.item.title}. The advisory describes: "'
            f'{answer.item.source_text}" {observed_label}: {answer.note}'
            + (f" (evidence {', '.join(evidence)})" if evidence else "")
        )
    return lines


def _kv(label: str, value) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v)
    return f"{label}: {value or 'none recorded'}"


def ic3_text(data: dict) -> str:
    """The IC3 complaint as text, one block per section of the online form."""
    victim = data["victim_information"]
    money = data["financial_transactions"]
    payment = money["payment_details_supplied_by_subject"]
    subject = data["subjects"][0]
    incident = data["description_of_incident"]
    other = data["other_information"]
    filed = data["who_filed"]

    def section(title: str, lines: list[str]) -> str:
        return f"=== {title} ===\n" + "\n".join(lines) + "\n"

    profiles = [f"{p['kind']}: {p['value']}" for p in subject["websites_and_profiles"]]
    identity = " ".join(
        v
        for v in (subject["identity_document"]["type"], subject["identity_document"]["number"])
        if v
    )
    parts = [
        f"{data['form']}\nPrepared from vetting case {data['case_reference']} "
        f"(report job #{data['report_job']}) on {data['generated_at']}.\n",
        section(
            "Victim Information",
            [
                _kv("Business / organisation name", victim["organisation"]),
                _kv("Role", victim["role"]),
                f"To complete in the form: {victim['to_complete']}",
            ],
        ),
        section(
            "Financial Transaction(s)",
            [
                money["summary"],
                "Payment details the subject supplied:",
                "  " + _kv("Bank name", payment["bank_name"]),
                "  " + _kv("Routing number", payment["routing_number"]),
                "  " + _kv("Account number", payment["account_number"]),
            ]
            + [
                f"Payment-related indicator [{i['code']}] {i['title']}: {i['observation']}"
                for i in money["payment_related_indicators"]
            ],
        ),
        section(
            "Information About The Subject(s)",
            [
                _kv("Name", subject["name"]),
                _kv("Aliases", subject["aliases"]),
                _kv("Date of birth", subject["date_of_birth"]),
                _kv("Claimed nationality", subject["claimed_nationality"]),
                _kv("Claimed residence", subject["claimed_residence"]),
                _kv("Address (equipment shipping)", subject["addresses"]),
                _kv("Phone numbers", subject["phones"]),
                _kv("E-mail addresses", subject["emails"]),
                _kv("Websites and online profiles", profiles),
                "IP addresses: "
                + (", ".join(subject["ip_addresses"]) or subject["ip_addresses_note"]),
                _kv("Identity document", identity),
                _kv(
                    "Sourced through",
                    " — ".join(v for v in subject["sourced_through"].values() if v),
                ),
                _kv("Role applied for", subject["role_applied_for"]),
            ],
        ),
        section("Description of Incident", [incident["narrative"]]),
        section(
            "Other Information",
            [
                "Evidence files attached (SHA-256):",
                *(
                    [
                        f"  {e['number']} {e['path']} — {e['sha256']} ({e['size']} bytes)"
                        for e in other["evidence_files"]
                    ]
                    or ["  none"]
                ),
                _kv("E-mail headers (.eml evidence)", other["email_headers"]),
                _kv("Also reported to", other["also_reported_to"]),
            ],
        ),
        section(
            "Who Filed the Complaint",
            [
                _kv("Organisation", filed["organisation"]),
                _kv("Prepared by", filed["prepared_by"]),
                _kv("Prepared with", filed["prepared_with"]),
            ],
        ),
    ]
    return "\n".join(parts)


def nis_knpa_text(job, dossier: Dossier, generated_at, evidence: list) -> str:
    """The same facts in Korean, for the National Intelligence Service and the Police."""
    L = labels("ko")
    case, c = dossier.case, dossier.candidate
    evidence_numbers = {e["evidence"].pk: e["number"] for e in evidence}
    organisation = settings.VETTING_ORGANISATION_NAME
    catalog = documents.catalog_context(dossier)
    risk = dossier.risk
    referral = dossier.referral_signoff

    def section(title: str, lines: list[str]) -> str:
        return f"■ {title}\n" + "\n".join(lines) + "\n"

    rows = [
        f"{label}: {value}"
        for label, value in documents.candidate_rows(dossier, "ko", clear_numbers=True)
    ]
    indicators = []
    for heading, answers, observed in (
        (L["observed_indicators"], dossier.observed, "관찰 내용"),
        (L["adverse_findings"], dossier.adverse, "발견 내용"),
    ):
        if not answers:
            continue
        indicators.append(f"[{heading}]")
        for a in answers:
            linked = [evidence_numbers[e.pk] for e in a.evidence.all() if e.pk in evidence_numbers]
            indicators.append(
                f"- [{a.item.code}] {a.item.title_ko}\n"
                f'  권고문 원문(영문): "{a.item.source_text}"\n'
                f"  {observed}: {a.note}" + (f" (증거 {', '.join(linked)})" if linked else "")
            )
    decision = ""
    if referral:
        decision = (
            f"{fmt_dt(referral.signed_at)}에 검토자 {user_name(referral.reviewer)}이(가) 수사기관 "
            f"신고를 결정하였습니다. 사유: “{case.decision_note}”"
        )
    overview = (
        f"{organisation}은(는) {c.role_applied_for} 직무 지원자를 검증하였습니다. 지원자는 "
        f"‘{c.legal_name}’(이)라는 이름을 사용하였으며, 사건 {case.reference}"
        f"({fmt_dt(case.created_at)} 개시)에서 미국·한국 정부 권고문 「{catalog['advisory']}」"
        f"({catalog['date']})에 따라 검증한 결과 북한 IT 인력의 위험 지표가 확인되었습니다. "
        f"위험 평가 점수는 {risk['score']}"
        f"({choice_label('ko', 'risk_level', risk['level'])}, 평가 정책 {risk['policy_version']})"
        f"입니다. {decision}"
    ).strip()
    return "\n".join(
        [
            "국가정보원(111, www.nis.go.kr) · 경찰청(112, ecrm.police.go.kr) 신고 자료\n"
            f"사건 {case.reference} · 보고서 작업 #{job.pk} · 작성 {generated_at.isoformat()}\n",
            section(
                "1. 신고 기관",
                [f"기관명: {organisation}", "담당자 성명·주소·전화·이메일: (신고 시 기재)"],
            ),
            section("2. 신고 대상자 (본인 주장 정보)", rows),
            section(
                "3. 금융 거래 정보",
                [
                    "vetting에는 지원자에게 지급한 금액이 기록되어 있지 않습니다"
                    "(채용 전 검증 단계). "
                    "지급하거나 손실된 금액이 있으면 일자·금액·방법·수취 계좌를 추가하십시오.",
                    f"지원자가 제출한 계좌: {c.bank_name or '기록 없음'} / "
                    f"라우팅 번호 {c.routing_number or '기록 없음'} / "
                    f"계좌번호 {c.account_number or '기록 없음'}",
                ],
            ),
            section("4. 사건 개요", [overview]),
            section("5. 위험 지표", indicators or ["관찰된 위험 지표 없음"]),
            section(
                "6. 증거 자료 (SHA-256)",
                [
                    f"{e['number']} {e['path']} — {e['sha256']} ({e['size']} 바이트)"
                    for e in evidence
                ]
                or ["없음"],
            ),
            section(
                "7. 작성자",
                [
                    f"{organisation} · {user_name(job.requester)}",
                    f"vetting 사건 {case.reference}, 보고서 작업 #{job.pk}",
                ],
            ),
        ]
    )


# ---------------------------------------------------------------- the ZIP


class _Packet:
    """Writes entries into the ZIP and remembers each one's SHA-256 and size."""

    def __init__(self, output, generated_at: datetime.datetime):
        self.zip = zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED)
        self.date_time = generated_at.utctimetuple()[:6]
        self.files: list[dict] = []

    def _info(self, path: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, path: str, data: bytes, description: str) -> None:
        self.zip.writestr(self._info(path, compress=True), data)
        self.files.append(
            {
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "description": description,
            }
        )

    def add_evidence(self, entry: dict) -> None:
        evidence = entry["evidence"]
        digest, size = hashlib.sha256(), 0
        compress = not evidence.content_type.startswith(_STORED_TYPES)
        try:
            source = default_storage.open(evidence.file.name, "rb")
        except OSError as exc:
            raise DocumentError(
                f"Evidence {entry['number']} ({evidence.original_name}) is missing from storage."
            ) from exc
        with source, self.zip.open(self._info(entry["path"], compress), "w") as target:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        if digest.hexdigest() != evidence.sha256:
            raise DocumentError(
                f"Evidence {entry['number']} ({evidence.original_name}) no longer matches the "
                "SHA-256 recorded at upload; the packet was not produced. Tell your administrator."
            )
        self.files.append(
            {
                "path": entry["path"],
                "sha256": evidence.sha256,
                "size": size,
                "description": f"Evidence {entry['number']}: {evidence.original_name}"
                + (f" — {evidence.description}" if evidence.description else ""),
                "evidence": {k: v for k, v in entry.items() if k not in ("evidence", "path")},
            }
        )

    def __enter__(self) -> "_Packet":
        return self

    def __exit__(self, *exc_info) -> None:
        # Closed on failure too, so no half-written ZIP is left for the garbage collector.
        self.zip.close()


def write_packet(job, dossier: Dossier, generated_at, output, progress) -> list[str]:
    """Write the packet ZIP to `output`. Returns the sensitive fields included in clear."""
    evidence = evidence_entries(dossier)
    ic3 = ic3_complaint(job, dossier, generated_at, evidence)
    with _Packet(output, generated_at) as packet:
        packet.add_bytes(
            "cover.pdf",
            documents.render_pdf(
                "reports/pdf/referral_cover.html",
                cover_context(job, dossier, generated_at, evidence),
            ),
            "Cover page: what the packet holds and where to file it",
        )
        progress(40)
        packet.add_bytes(
            "ic3_complaint.txt",
            ic3_text(ic3).encode(),
            "IC3 complaint text, section by section, ready to paste into the form (English)",
        )
        packet.add_bytes(
            "ic3_complaint.json",
            json.dumps(ic3, ensure_ascii=False, indent=2).encode(),
            "The IC3 complaint as structured data",
        )
        packet.add_bytes(
            "nis_knpa_ko.txt",
            nis_knpa_text(job, dossier, generated_at, evidence).encode(),
            "Report for the National Intelligence Service (111) and the Police (112), in Korean",
        )
        for index, entry in enumerate(evidence, start=1):
            packet.add_evidence(entry)
            progress(50 + int(40 * index / len(evidence)))
        manifest = {
            "packet": "vetting referral packet",
            "case_reference": dossier.case.reference,
            "organisation": settings.VETTING_ORGANISATION_NAME,
            "report_job": job.pk,
            "generated_at": generated_at.isoformat(),
            "catalogue_version": dossier.catalog.code,
            "hash_algorithm": "SHA-256",
            "files": packet.files,
            "note": "manifest.sha256 lists every file including this one, for `sha256sum -c`.",
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        packet.add_bytes("manifest.json", manifest_bytes, "This manifest")
        checksums = "".join(f"{f['sha256']}  {f['path']}\n" for f in packet.files)
        packet.zip.writestr(packet._info("manifest.sha256", compress=True), checksums.encode())
    c = dossier.candidate
    return [f for f in ("account_number", "identity_document_number") if getattr(c, f)]


def cover_context(job, dossier: Dossier, generated_at, evidence: list) -> dict:
    L = labels(job.language)
    language = job.language
    case = dossier.case
    context = documents.page_context(job, language, generated_at, L["referral_cover_title"])
    referral = dossier.referral_signoff
    context.update(
        {
            "case": case,
            "intro": L["packet_intro"].format(organisation=settings.VETTING_ORGANISATION_NAME),
            "subject_rows": documents.candidate_rows(dossier, language)[:10],
            "decision": choice_label(language, "decision", case.decision),
            "decision_note": case.decision_note,
            "referral": {
                "reviewer": user_name(referral.reviewer),
                "signed_at": fmt_dt(referral.signed_at),
            }
            if referral
            else None,
            "risk": documents.risk_context(dossier, language),
            "indicators": [
                {"code": a.item.code, "title": a.item.localized_title(language), "note": a.note}
                for a in dossier.observed + dossier.adverse
            ],
            "contents": [
                ("cover.pdf", L["cover"]),
                ("ic3_complaint.txt", L["ic3_text"]),
                ("ic3_complaint.json", L["ic3_json"]),
                ("nis_knpa_ko.txt", L["nis_text"]),
                ("manifest.json, manifest.sha256", L["manifest_files"]),
            ],
            "evidence": evidence,
            "catalog": documents.catalog_context(dossier),
        }
    )
    return context
