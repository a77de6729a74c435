"""Which kind a figure is (official, reported, estimated), as compact marks with a legend, and
the lines a sub-index card shows beside its counted value."""

from __future__ import annotations

from collections.abc import Iterable

from domain.messages import NOTE_LIMIT, truncate
from locales import Text
from scoring.engine import Measurement, Scoreboard, SubIndexScore
from scoring.model import Provenance, RuleKind, SubIndex
from scoring.periods import parse_period

MARKS = {
    Provenance.OFFICIAL: "●",
    Provenance.REPORTED: "◐",
    Provenance.ESTIMATED: "○",
}
ORDER = (Provenance.OFFICIAL, Provenance.REPORTED, Provenance.ESTIMATED)


def mark(s: SubIndexScore) -> str:
    return MARKS[s.kind] if s.kind is not None else ""


def marks(scores: Iterable[SubIndexScore]) -> str:
    """The marks of the kinds some sub-indices count, each once, in a fixed order."""
    kinds = {s.kind for s in scores}
    return "".join(MARKS[k] for k in ORDER if k in kinds)


def legend(t: Text) -> str:
    return t("provenance.legend", **{k.value: MARKS[k] for k in ORDER})


def kinds_line(t: Text, scores: Iterable[SubIndexScore]) -> str:
    """How many sub-indices each kind contributes, and how many have no data."""
    listed = [s for s in scores if s.sub_index.max_points]
    counted = {k: sum(1 for s in listed if s.kind is k) for k in ORDER}
    return t(
        "provenance.counts",
        official=counted[Provenance.OFFICIAL],
        reported=counted[Provenance.REPORTED],
        estimated=counted[Provenance.ESTIMATED],
        missing=sum(1 for s in listed if not s.has_data),
    )


def dti_text(t: Text, board: Scoreboard) -> str:
    """'DTI = 0,7312' only when every scored sub-index has official points; otherwise the value
    is an estimate and says so."""
    value = t.fixed(board.dti, 4)
    return t("provenance.dti_official" if board.complete else "provenance.dti_estimate", dti=value)


def value_text(t: Text, sub: SubIndex, m: Measurement) -> str:
    """A stored figure as a reader sees it: its number and unit, or its words."""
    if m.text and m.value is None:
        return m.text
    if m.value is None:
        return ""
    unit = m.unit or sub.unit
    if sub.rule.kind is RuleKind.BOOLEAN and unit == sub.unit:
        return t("provenance.yes" if m.value else "provenance.no")
    return f"{t.num(m.value, 4)} {unit}".strip()


def counted_lines(t: Text, s: SubIndexScore) -> list[str]:
    """Beside the counted points: what kind they are, the evaluator's own scale when the points
    were converted, and the newest official points when the counted ones are not official."""
    sub, m, lines = s.sub_index, s.measurement, []
    if m is None or s.kind is None:
        return lines
    lines.append(t(f"provenance.is_{s.kind.value}", mark=MARKS[s.kind]))
    if s.converted and m.points is not None and m.source_max is not None:
        lines.append(
            t(
                "provenance.converted",
                points=t.num(m.points),
                source_max=t.num(m.source_max),
                counted=t.num(s.points or 0),
                max=t.num(sub.max_points),
            )
        )
    official = s.official
    if official is not None and official.points is not None:
        lines.append(
            t(
                "provenance.official_beside",
                period=_period(t, official.period),
                points=t.num(official.points),
                max=t.num(official.source_max or sub.max_points),
                source=official.source,
            )
        )
    return lines


def other_lines(t: Text, s: SubIndexScore) -> list[str]:
    """Values not counted: figures the rule cannot read, and a value waiting for review."""
    sub, lines = s.sub_index, []
    for m in s.unscored:
        lines.append(
            t(
                "provenance.unscored",
                value=value_text(t, sub, m),
                period=_period(t, m.period),
                source=m.source,
            )
        )
        if m.note:
            lines.append(t("provenance.note", note=truncate(m.note, NOTE_LIMIT)))
    if s.waiting is not None:
        lines.append(t("provenance.waiting", value=value_text(t, sub, s.waiting)))
    return lines


def period_label(t: Text, code: str) -> str:
    period = parse_period(code)
    if period.kind == "year":
        return t("period.year", year=period.year)
    if period.kind == "half":  # "6 tháng đầu năm 2025", as the documents say it
        return t(f"period.half{code[-1]}", year=period.year)
    return t("period.quarter", number=code[-1], year=period.year)


_period = period_label
