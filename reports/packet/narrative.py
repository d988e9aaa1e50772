"""The account of the case in sentences, in English (IC3) or Korean (NIS / KNPA).

Built from plain facts by small sentence templates in the gettext catalogue, one per fact, so a
missing fact drops its sentence rather than leaving a gap, and the Korean is written as Korean
(not assembled from English word order). Countries are still free text, so they are never
turned into adjectives ("a national of American"): the applicant "gave X as their nationality".

Quotations (the advisory's title, a reviewer's note, the advisory's wording) are reproduced
verbatim between straight double quotes. A sentence that ends with a quotation takes its own
full stop after the closing quote, unless the quotation already ends with one (or with ? or !).
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.models import FindingStatus, RiskLevel, SourcingChannel
from cases.templatetags.vetting_tags import match_label

from ..documents import catalog_context, catalogs_context, fmt_dt, user_name
from ..labels import choice_label, country_label, labels, severity_label
from ..selectors import Dossier

# `via` is " (name of the firm, platform or competition)" or "".
SOURCING = {
    SourcingChannel.DIRECT: gettext_lazy("The applicant applied directly%(via)s."),
    SourcingChannel.STAFFING_FIRM: gettext_lazy(
        "The applicant was put forward by a staffing firm%(via)s."
    ),
    SourcingChannel.OUTSOURCING_COMPANY: gettext_lazy(
        "The applicant was put forward by an outsourcing company%(via)s."
    ),
    SourcingChannel.FREELANCE_PLATFORM: gettext_lazy(
        "The applicant applied through a freelance platform%(via)s."
    ),
    SourcingChannel.IT_COMPETITION: gettext_lazy(
        "The applicant was found through an IT competition%(via)s."
    ),
}
_TERMINAL = (".", "!", "?", "…", "。")


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    title_ko: str
    advisory_wording: str
    note: str
    evidence: tuple[str, ...] = ()

    def title_in(self, language: str) -> str:
        return self.title_ko if language == "ko" and self.title_ko else self.title


@dataclass(frozen=True)
class LinkedCase:
    """Another case sharing identifiers: its reference and what it shares (match kinds, as
    cases.selectors.linked_cases names them; never the values)."""

    reference: str
    shares: tuple[str, ...]


@dataclass(frozen=True)
class AutomatedFinding:
    """A finding of vetting's automated checks that nobody dismissed (cases.models.Finding)."""

    check: str
    severity: str  # signals.findings.Severity code
    summary: str  # as stored: in English, translated when told
    detail: str
    source_title: str
    source_url: str
    accepted: bool


@dataclass(frozen=True)
class Referral:
    signed_at: str
    reviewer: str
    note: str


@dataclass(frozen=True)
class Facts:
    """What the narrative tells, as plain values (built from a dossier by `facts_from`)."""

    organisation: str
    name: str
    role: str = ""
    aliases: tuple[str, ...] = ()
    city: str = ""
    country: str = ""  # alpha-2 code, or the text kept where it named no single country
    nationality: str = ""  # likewise; named in the document's language
    sourcing_channel: str = ""
    sourcing_name: str = ""
    case_reference: str = ""
    opened: str = ""
    advisory: str = ""
    advisory_details: str = ""  # agencies and date of publication
    # The other catalogue versions the case asked besides the advisory: "title (code)".
    also_asked: tuple[str, ...] = ()
    score: str = ""
    level: str = ""
    policy_version: str = ""
    referral: Referral | None = None
    observed: tuple[Indicator, ...] = field(default_factory=tuple)
    adverse: tuple[Indicator, ...] = field(default_factory=tuple)
    linked: tuple[LinkedCase, ...] = field(default_factory=tuple)
    findings: tuple[AutomatedFinding, ...] = field(default_factory=tuple)


def _indicator(answer, evidence_numbers: dict) -> Indicator:
    item = answer.item
    return Indicator(
        code=item.code,
        title=item.title,
        title_ko=item.title_ko,
        advisory_wording=item.source_text,
        note=answer.note,
        evidence=tuple(
            evidence_numbers[e.pk] for e in answer.evidence.all() if e.pk in evidence_numbers
        ),
    )


def facts_from(dossier: Dossier, organisation: str, evidence_numbers: dict) -> Facts:
    """The narrative's facts from a case dossier; `evidence_numbers` maps evidence ids to the
    numbers (E1, E2…) the packet gives them."""
    case, c = dossier.case, dossier.candidate
    catalog = catalog_context(dossier)
    referral = dossier.referral_signoff
    return Facts(
        organisation=organisation,
        name=c.legal_name,
        role=c.role_applied_for,
        aliases=tuple(c.aliases),
        city=c.claimed_city,
        country=c.claimed_country.code or c.claimed_country_text,
        nationality=c.claimed_nationality.code or c.claimed_nationality_text,
        sourcing_channel=c.sourcing_channel,
        sourcing_name=c.sourcing_name,
        case_reference=case.reference,
        opened=fmt_dt(case.created_at),
        advisory=catalog["advisory"],
        advisory_details=", ".join(v for v in (catalog["agencies"], catalog["date"]) if v),
        also_asked=tuple(f"{c['title']} ({c['code']})" for c in catalogs_context(dossier)[1:]),
        score=str(dossier.risk["score"]),
        level=dossier.risk["level"],
        policy_version=dossier.risk["policy_version"],
        referral=Referral(
            fmt_dt(referral.signed_at), user_name(referral.reviewer), case.decision_note
        )
        if referral
        else None,
        observed=tuple(_indicator(a, evidence_numbers) for a in dossier.observed),
        adverse=tuple(_indicator(a, evidence_numbers) for a in dossier.adverse),
        linked=tuple(
            LinkedCase(
                link.case.reference, tuple(dict.fromkeys(what for what, _shown in link.matches))
            )
            for link in dossier.linked
        ),
        findings=tuple(
            AutomatedFinding(
                check=f.check_code,
                severity=f.severity,
                summary=f.summary,
                detail=f.detail,
                source_title=f.source_title,
                source_url=f.source_url,
                accepted=f.status == FindingStatus.ACCEPTED,
            )
            for f in dossier.findings
            if f.status != FindingStatus.DISMISSED
        ),
    )


def ending_with_quote(sentence: str, quoted: str) -> str:
    """`sentence` (which ends with the quotation `quoted`) with its full stop, unless the
    quotation already ends the sentence."""
    return sentence if quoted.rstrip().endswith(_TERMINAL) else sentence + "."


def introduction(facts: Facts, language: str) -> str:
    """Who screened whom, who the applicant claimed to be, and under which advisory."""
    with translation.override(language):
        sentences = [
            _("%(organisation)s screened an applicant for the position of %(role)s.")
            % {"organisation": facts.organisation, "role": facts.role}
            if facts.role
            else _("%(organisation)s screened a job applicant.")
            % {"organisation": facts.organisation}
        ]
        if facts.aliases:
            sentences.append(
                ngettext(
                    "The applicant presented as %(name)s, also using the name %(aliases)s.",
                    "The applicant presented as %(name)s, also using the names %(aliases)s.",
                    len(facts.aliases),
                )
                % {"name": facts.name, "aliases": ", ".join(facts.aliases)}
            )
        else:
            sentences.append(_("The applicant presented as %(name)s.") % {"name": facts.name})
        residence = ", ".join(v for v in (facts.city, country_label(language, facts.country)) if v)
        if residence:
            sentences.append(
                _("The applicant claimed to live in %(residence)s.") % {"residence": residence}
            )
        if facts.nationality:
            sentences.append(
                _("The applicant gave %(nationality)s as their nationality.")
                % {"nationality": country_label(language, facts.nationality)}
            )
        if facts.sourcing_channel in SOURCING:
            via = f" ({facts.sourcing_name})" if facts.sourcing_name else ""
            sentences.append(str(SOURCING[facts.sourcing_channel]) % {"via": via})
        if facts.advisory:
            sentences.append(
                _(
                    "The screening (case %(reference)s, opened %(opened)s) followed the "
                    'advisory "%(advisory)s" (%(details)s).'
                )
                % {
                    "reference": facts.case_reference,
                    "opened": facts.opened,
                    "advisory": facts.advisory,
                    "details": facts.advisory_details,
                }
            )
        if facts.also_asked:
            sentences.append(
                _("Its checklist also asked the items of %(catalogues)s.")
                % {"catalogues": "; ".join(facts.also_asked)}
            )
        return " ".join(sentences)


def indicator_lines(facts: Facts, language: str) -> list[str]:
    """The observed red flags and adverse findings, each with the advisory's wording, what was
    seen and the evidence."""
    L = labels(language)
    lines = []
    with translation.override(language):
        groups = (
            (_("Red flags of DPRK IT worker activity that were observed:"), facts.observed,
             _("What was observed")),
            (_("Due-diligence checks with adverse results:"), facts.adverse,
             _("What was found")),
        )  # fmt: skip
        for heading, indicators, seen in groups:
            if not indicators:
                continue
            lines += ["", heading] if lines else [heading]
            for indicator in indicators:
                lines.append(f"- [{indicator.code}] {indicator.title_in(language)}")
                lines.append(f'  {L["advisory_wording"]}: "{indicator.advisory_wording}"')
                if indicator.note or indicator.evidence:
                    evidence = (
                        _("(evidence %(numbers)s)") % {"numbers": ", ".join(indicator.evidence)}
                        if indicator.evidence
                        else ""
                    )
                    text = " ".join(v for v in (indicator.note, evidence) if v)
                    lines.append(f"  {seen}: {text}")
    return lines


def finding_lines(facts: Facts, language: str) -> list[str]:
    """What the automated checks found (dismissed findings left out), each with its source."""
    if not facts.findings:
        return []
    L = labels(language)
    with translation.override(language):
        lines = [
            _("Automated checks of the applicant's details against published reference data found:")
        ]
        for finding in facts.findings:
            status = _("confirmed by a reviewer") if finding.accepted else _("not yet reviewed")
            lines.append(
                f"- [{finding.check}] {severity_label(language, finding.severity)}: "
                f"{_(finding.summary)} ({status})"
            )
            if finding.detail:
                lines.append(f"  {finding.detail}")
            lines.append(f"  {L['source']}: {finding.source_title} — {finding.source_url}")
    return lines


def indicator_and_finding_lines(facts: Facts, language: str) -> list[str]:
    """The indicators people recorded, then what the automated checks found, a blank line
    between."""
    indicators, findings = indicator_lines(facts, language), finding_lines(facts, language)
    return indicators + [""] + findings if indicators and findings else indicators + findings


def linked_sentence(facts: Facts, language: str) -> str:
    """Which other screenings share the applicant's identifiers, and which ones ("" if none)."""
    if not facts.linked:
        return ""
    with translation.override(language):
        cases = "; ".join(
            _("%(reference)s (%(shares)s)")
            % {
                "reference": link.reference,
                "shares": ", ".join(match_label(what) for what in link.shares),
            }
            for link in facts.linked
        )
        return ngettext(
            "Another screening by %(organisation)s shares identifiers with this applicant: "
            "case %(cases)s.",
            "Other screenings by %(organisation)s share identifiers with this applicant: "
            "cases %(cases)s.",
            len(facts.linked),
        ) % {"organisation": facts.organisation, "cases": cases}


def conclusion(facts: Facts, language: str) -> str:
    """The linked cases, the score, the referral and what the organisation suspects."""
    with translation.override(language):
        sentences = [linked_sentence(facts, language)] if facts.linked else []
        if facts.score:
            sentences.append(
                _(
                    "The risk assessment scored %(score)s (%(level)s) under scoring policy "
                    "%(policy)s."
                )
                % {
                    "score": facts.score,
                    "level": choice_label(language, RiskLevel, facts.level),
                    "policy": facts.policy_version,
                }
            )
        referral = facts.referral
        if referral and referral.note:
            sentences.append(
                ending_with_quote(
                    _(
                        "On %(date)s, reviewer %(reviewer)s referred the case to the "
                        'authorities with this note: "%(note)s"'
                    )
                    % {
                        "date": referral.signed_at,
                        "reviewer": referral.reviewer,
                        "note": referral.note,
                    },
                    referral.note,
                )
            )
        elif referral:
            sentences.append(
                _("On %(date)s, reviewer %(reviewer)s referred the case to the authorities.")
                % {"date": referral.signed_at, "reviewer": referral.reviewer}
            )
        sentences.append(
            _(
                "%(organisation)s suspects the applicant is a DPRK IT worker applying under a "
                "false identity, and reports it as the US and ROK governments ask in their "
                "advisory."
            )
            % {"organisation": facts.organisation}
        )
        return " ".join(sentences)


def narrative(facts: Facts, language: str) -> str:
    """The whole account: introduction, indicators, conclusion, separated by blank lines."""
    parts = [introduction(facts, language)]
    lines = indicator_and_finding_lines(facts, language)
    if lines:
        parts.append("\n".join(lines))
    parts.append(conclusion(facts, language))
    return "\n\n".join(parts)
