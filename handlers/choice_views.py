"""What a candidate intent is called on a "did you mean …?" button, through the catalogs."""

from __future__ import annotations

from handlers.views import agency_label, short_name
from locales import Text
from parsing.intents import (
    Change,
    Chart,
    ChartKind,
    Gap,
    Holders,
    Holdings,
    Intent,
    NotReported,
    Rank,
    Score,
    Subject,
    SubjectKind,
    Trend,
    Update,
    Weakest,
    WhatIf,
    kind_of,
)
from parsing.lexicon import Lexicon

LABEL_NAME = 32  # characters of a name on a button


def choice_label(t: Text, intent: Intent, lexicon: Lexicon) -> str:
    """A short label for a candidate: "Điểm 3.3 Tỷ lệ thuê bao…", "Ai chủ trì 8.2" …"""

    def subject(s: Subject | None, framework: str | None = None) -> str:
        return subject_label(t, s, lexicon, framework)

    match intent:
        case Score(s, provisional, framework, _period):
            label = t("choice.score", subject=subject(s, framework))
            return label + t("choice.provisional") if provisional else label
        case Update(code, raw_value, _period, _note):
            return t("choice.update", code=code, value=raw_value)
        case WhatIf(changes, _):
            return t("choice.what_if", changes=", ".join(_change(t, c) for c in changes))
        case Weakest(_count, within):
            return t("choice.weakest") + (f" ({subject(within)})" if within else "")
        case Gap(target, _period):
            if target is None:
                return t("choice.gap_target")
            return t("choice.gap", target=t.num(target))
        case Holders(s, framework):
            return t("choice.holders", subject=subject(s, framework))
        case Holdings(agency):
            return t("choice.holdings", agency=agency_label(lexicon.directory, agency))
        case NotReported():
            return t("choice.not_reported")
        case Trend(s):
            return t("choice.trend", subject=subject(s))
        case Rank(year):
            return t("choice.rank") + (f" {year}" if year else "")
        case Chart(kind, s):
            if kind is ChartKind.HISTORY:
                return t("choice.chart_history", subject=subject(s))
            return t("choice.chart")
    return t(f"choice.{kind_of(intent)}")


def subject_label(
    t: Text, subject: Subject | None, lexicon: Lexicon, framework: str | None = None
) -> str:
    """ "tổng điểm", "3. Hạ tầng số", "3.3 Tỷ lệ thuê bao…" within the framework named."""
    found = lexicon.frameworks.get(framework or lexicon.primary)
    if subject is None or subject.kind is SubjectKind.TOTAL or found is None:
        total = t("choice.total")
        return f"{total} ({found.framework.name})" if framework and found else total
    fw = found.framework
    if subject.kind is SubjectKind.PILLAR:
        pillar = fw.pillar(subject.code)
        return f"{subject.code}. {short_name(pillar.name, LABEL_NAME)}" if pillar else subject.code
    sub = fw.sub_index(subject.code)
    return f"{subject.code} {short_name(sub.name, LABEL_NAME)}" if sub else subject.code


def _change(t: Text, change: Change) -> str:
    if change.as_points:
        return t("choice.points", code=change.code, points=change.raw_value)
    return f"{change.code} = {change.raw_value}"
