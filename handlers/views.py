"""Score answers as short, phone-sized text, through the catalogs."""

from __future__ import annotations

from decimal import Decimal

from domain.messages import NOTE_LIMIT, truncate
from domain.status import ReviewStatus
from handlers.provenance_views import (
    counted_lines,
    dti_text,
    kinds_line,
    legend,
    mark,
    marks,
    other_lines,
    period_label,
    value_text,
)
from locales import Text
from parsing.intents import Subject, SubjectKind
from scoring.engine import Measurement, PillarScore, Scoreboard, SubIndexScore
from scoring.model import Directory, RuleKind, SubIndex
from scoring.periods import parse_period

__all__ = ["period_label"]

NAME_WIDTH = 48  # characters of a sub-index name in a list line
UNREVIEWED = " ⏳"  # marks a value not yet reviewed (provisional view)


def short_name(name: str, width: int = NAME_WIDTH) -> str:
    """A name cut at a word boundary, with an ellipsis, so list lines fit a phone screen."""
    if len(name) <= width:
        return name
    cut = name[: width - 1].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + "…"


def agency_label(directory: Directory, code: str) -> str:
    """A short, readable name of an agency or group: its first alias when that is a phrase
    ('Sở KH&CN', 'VP UBND tỉnh'), not a bare acronym ('STC'); else its full name."""
    found = directory.agency(code) or directory.group(code)
    if found is None:
        return code
    first = found.aliases[0] if found.aliases else ""
    return first if " " in first and len(first) < len(found.name) else found.name


def percent(t: Text, points: Decimal, max_points: Decimal) -> str:
    return t.num(points * 100 / max_points, 1) if max_points else "0"


def points_text(t: Text, s: SubIndexScore) -> str:
    """'14,47/20 ○ 2025': the points, their kind and the period of the value they come from."""
    if s.points is None:
        return t("score.no_data_short", max=t.num(s.sub_index.max_points))
    text = t("score.points_of", points=t.num(s.points), max=t.num(s.sub_index.max_points))
    if s.measurement is not None:
        text = f"{text} {mark(s)} {parse_period(s.measurement.period).year}"
    return text + UNREVIEWED if _unreviewed(s.measurement) else text


def _unreviewed(m: Measurement | None) -> bool:
    return m is not None and m.status != ReviewStatus.APPROVED


def total_view(t: Text, board: Scoreboard) -> str:
    fw = board.framework
    lines = [
        t("score.total.head", framework=fw.name),
        t(
            "score.total.line",
            points=t.num(board.total),
            max=t.num(fw.total_max),
            percent=percent(t, board.total, fw.total_max),
            dti=dti_text(t, board),
        ),
        kinds_line(t, board.scores),
    ]
    lines += _target_lines(t, board)
    lines.append("")
    for p in board.pillars:
        if p.pillar.max_points == 0:
            continue
        lines.append(_pillar_line(t, p))
    lines.append("")
    lines.append(t("score.missing", missing=board.missing, total=len(fw.sub_indices)))
    lines += _periods_line(t, list(board.scores))
    lines.append(legend(t))
    lines.append(t("score.total.hint"))
    return "\n".join(lines)


def pillar_view(t: Text, board: Scoreboard, directory: Directory, code: str) -> str:
    p = board.pillar(code)
    assert p is not None  # noqa: S101 - ScoreService.answer checks the code
    head = t("score.pillar.head", code=p.pillar.code, name=p.pillar.name)
    if p.pillar.max_points:
        points = t(
            "score.pillar.line",
            points=t.num(p.points),
            max=t.num(p.pillar.max_points),
            percent=percent(t, p.points, p.pillar.max_points),
        )
    else:
        points = t("score.pillar.unscored")
    lines = [head, t("score.framework", framework=board.framework.name), points]
    lines += [kinds_line(t, p.sub_scores), ""]
    for s in p.sub_scores:
        lead = ", ".join(agency_label(directory, c) for c in s.sub_index.lead) or "—"
        lines.append(
            t(
                "score.sub.line",
                code=s.sub_index.code,
                name=short_name(s.sub_index.name),
                points=points_text(t, s),
                lead=lead,
            )
        )
        m = s.measurement
        if m is not None and m.points is None and (m.value is not None or m.text):
            # A measured value: what it is and where it comes from.
            value = value_text(t, s.sub_index, m)
            lines.append(t("score.sub.from", value=value, source=m.source))
    lines.append("")
    lines.append(t("score.missing", missing=p.missing, total=len(p.sub_scores)))
    lines += _target_lines(t, board, with_total=True)
    lines += _periods_line(t, list(p.sub_scores))
    lines.append(legend(t))
    lines.append(
        t("score.pillar.hint", example=p.sub_scores[0].sub_index.code if p.sub_scores else code)
    )
    return "\n".join(lines)


def sub_index_view(
    t: Text, board: Scoreboard, directory: Directory, code: str, notes: tuple[str, ...] = ()
) -> str:
    s = board.sub_index(code)
    assert s is not None  # noqa: S101 - ScoreService.answer checks the code
    sub, p = s.sub_index, board.pillar(s.sub_index.pillar_code)
    lines = [t("score.sub.head", code=sub.code, name=sub.name)]
    lines.append(t("score.framework", framework=board.framework.name))
    if s.points is None or s.measurement is None:
        lines.append(t("score.sub.no_data", max=t.num(sub.max_points)))
    else:
        lines.append(
            t(
                "score.sub.points",
                points=t.num(s.points),
                max=t.num(sub.max_points),
                percent=percent(t, s.points, sub.max_points) if sub.max_points else "0",
            )
        )
        lines += counted_lines(t, s)
        lines += _measurement_lines(t, sub, s.measurement)
        if _unreviewed(s.measurement):
            lines.append(t("score.sub.unreviewed"))
    lines += other_lines(t, s)
    lines += [t("provenance.note_source", note=n) for n in notes]
    lines.append(rule_line(t, sub))
    lead = ", ".join(directory.name_of(c) for c in sub.lead) or "—"
    lines.append(t("score.sub.lead", agencies=lead))
    if sub.coordinate:
        lines.append(
            t(
                "score.sub.coordinate",
                agencies=", ".join(directory.name_of(c) for c in sub.coordinate),
            )
        )
    if p is not None:
        lines.append(_pillar_line(t, p))
    return "\n".join(lines)


def as_of_view(t: Text, period: str | None, text: str) -> str:
    """An answer scored at the end of an earlier `period` says so first (None: today's)."""
    if period is None:
        return text
    return t("score.as_of", period=period_label(t, period)) + "\n" + text


def answer_view(
    t: Text,
    board: Scoreboard,
    directory: Directory,
    subject: Subject,
    *,
    provisional: bool = False,
    pending: int = 0,
    notes: tuple[str, ...] = (),
) -> str:
    """The answer to a score question; the provisional view says so, the official one says how
    many values still wait for review."""
    if subject.kind is SubjectKind.PILLAR:
        text = pillar_view(t, board, directory, subject.code)
    elif subject.kind is SubjectKind.SUB_INDEX:
        text = sub_index_view(t, board, directory, subject.code, notes)
    else:
        text = total_view(t, board)
    if provisional:
        return t("score.provisional") + "\n" + text
    if pending:
        return text + "\n" + t("score.pending_hint", count=pending)
    return text


def _pillar_line(t: Text, p: PillarScore) -> str:
    line = t(
        "score.pillar.item",
        code=p.pillar.code,
        name=p.pillar.name,
        points=t.num(p.points),
        max=t.num(p.pillar.max_points),
        missing=p.missing,
    )
    kinds = marks(p.sub_scores)
    return f"{line} {kinds}" if kinds else line


def _target_lines(t: Text, board: Scoreboard, *, with_total: bool = False) -> list[str]:
    fw, lines = board.framework, []
    if with_total:
        lines.append(
            t(
                "score.total.short",
                points=t.num(board.total),
                max=t.num(fw.total_max),
                dti=dti_text(t, board),
            )
        )
    gap = board.gap_to_target
    if gap is not None and fw.target_total is not None:
        key = "score.target.gap" if gap > 0 else "score.target.reached"
        lines.append(t(key, target=t.num(fw.target_total), gap=t.num(gap)))
    return lines


def _periods_line(t: Text, scores: list[SubIndexScore]) -> list[str]:
    periods = sorted({s.measurement.period for s in scores if s.measurement}, key=parse_period)
    if not periods:
        return []
    return [t("score.periods", periods=", ".join(period_label(t, c) for c in periods))]


def _measurement_lines(t: Text, sub: SubIndex, m: Measurement) -> list[str]:
    lines = []
    if m.value is not None or m.text:
        lines.append(t("score.sub.value", value=value_text(t, sub, m)))
    lines.append(t("score.sub.period", period=period_label(t, m.period)))
    if m.source:
        lines.append(t("score.sub.source", source=m.source))
    if m.note:  # typed by a person: bounded when typed, older ones cut here
        lines.append(t("provenance.note", note=truncate(m.note, NOTE_LIMIT)))
        if len(m.note) > NOTE_LIMIT and m.submission_id is not None:
            lines.append(t("history.read_whole", code=sub.code, id=m.submission_id))
    return lines


def rule_line(t: Text, sub: SubIndex) -> str:
    """How the sub-index is scored, where the threshold comes from, and "theo giả định" for
    what no source states."""
    rule = sub.rule
    if rule.kind is RuleKind.RATIO and rule.threshold is not None:
        threshold = t.num(rule.threshold)
        sign = {">": ">", ">=": "≥", "<=": "≤"}[rule.comparison.value]
        if rule.assumed:
            return t("rule.ratio_assumed", sign=sign, threshold=threshold, unit=sub.unit)
        return t("rule.ratio", sign=sign, threshold=threshold, unit=sub.unit, source=rule.source)
    if rule.assumed:
        return t(f"rule.{rule.kind.value}_assumed")
    return t(f"rule.{rule.kind.value}")
