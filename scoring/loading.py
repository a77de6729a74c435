"""Framework, agency and assessment files (YAML text) turned into validated values.

Every error names the file, the line and the code it is about, so an administrator who imports a
broken file knows what to fix. Parsing takes text: reading the file is the caller's business."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.status import ReviewStatus
from scoring import plan_loading
from scoring.directory_loading import parse_directory
from scoring.engine import CENT, Measurement
from scoring.model import (
    Directory,
    Framework,
    FrameworkKind,
    Level,
    Pillar,
    Provenance,
    Rule,
    RuleKind,
    SubIndex,
)
from scoring.yaml_reader import LINE, FileError, Reader, load

__all__ = [
    "LINE",
    "Assessment",
    "FileError",
    "Ranking",
    "SourceNote",
    "framework_from_data",
    "parse_assessment",
    "parse_directory",
    "parse_framework",
]

DEFAULT_UNITS = {RuleKind.BOOLEAN: "có/không", RuleKind.ASSESSED: "điểm"}
# A measurement of an index framework may be about a pillar, or about the whole index.
WHOLE = "*"
# Rules that compute points from a value: each must name its source or say it is assumed.
COMPUTING = (RuleKind.RATIO, RuleKind.BOOLEAN, RuleKind.LEVELS)


@dataclass(frozen=True, slots=True)
class SourceNote:
    """A figure a document gives about a sub-index that is not its value."""

    code: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Assessment:
    framework: str
    period: str
    source: str
    status: ReviewStatus
    measurements: tuple[Measurement, ...]
    warnings: tuple[str, ...]
    ranking: Ranking | None = None
    notes: tuple[SourceNote, ...] = ()


@dataclass(frozen=True, slots=True)
class Ranking:
    year: int
    rank: int
    of_total: int
    dti: Decimal | None
    source: str


def parse_framework(text: str, source: str, directory: Directory) -> Framework:
    """A framework file, checked: codes unique, points non-negative and adding up, rules and
    agencies known. A plan-targets or index framework has no points (maxima default to 0)."""
    return framework_from_data(load(text, source), source, directory)


def framework_from_data(data: dict[str, Any], source: str, directory: Directory) -> Framework:
    """A framework from the mappings of a file (YAML, or a table read into the same shape by
    scoring.framework_files), each carrying its line under LINE."""
    r = Reader(source)
    code = r.text(data, "code")
    try:
        kind = FrameworkKind(str(data.get("kind", FrameworkKind.DTI.value)))
    except ValueError:
        known = ", ".join(k.value for k in FrameworkKind)
        raise r.fail(
            data, f"loại bộ chỉ số '{data.get('kind')}' không có (dùng: {known})"
        ) from None
    scored = kind is FrameworkKind.DTI
    total_max = r.number(data, "total_max", "", required=scored) or Decimal(0)
    documents = plan_loading.documents_of(r, data)
    pillars, seen = [], set()
    for p in r.items(data, "pillars"):
        p_code = r.code(p)
        what = f"chỉ số {p_code}: "
        if p_code in seen:
            raise r.fail(p, f"mã chỉ số '{p_code}' bị trùng")
        seen.add(p_code)
        p_max = r.number(p, "max", what, required=scored) or Decimal(0)
        subs = tuple(
            _sub_index(r, s, p_code, seen, directory, kind, documents)
            for s in r.maybe_items(p, "sub_indices", what)
        )
        total = sum((s.max_points for s in subs), Decimal(0))
        if total != p_max:
            raise r.fail(
                p, f"{what}tổng điểm chỉ số thành phần là {total}, khác điểm tối đa {p_max}"
            )
        aliases = r.codes(p, "aliases")
        pillars.append(
            Pillar(
                p_code,
                r.text(p, "name", what),
                str(p.get("name_en", "")),
                p_max or Decimal(0),
                aliases,
                subs,
            )
        )
    total = sum((p.max_points for p in pillars), Decimal(0))
    if total != total_max:
        raise r.fail(data, f"tổng điểm các chỉ số chính là {total}, khác total_max {total_max}")
    year = data.get("year")
    if not isinstance(year, int):
        raise r.fail(data, "thiếu năm ('year') của bộ chỉ số")
    return Framework(
        code=code,
        name=r.text(data, "name"),
        year=year,
        kind=kind.value,
        source=str(data.get("source", "")),
        total_max=total_max,
        target_total=r.number(data, "target_total", "", required=False),
        pillars=tuple(pillars),
        aliases=r.codes(data, "aliases"),
        province=r.optional(data, "province"),
        conflicts=tuple(_conflict(r, c) for c in r.maybe_items(data, "conflicts")),
    )


def _conflict(r: Reader, item: dict[str, Any]) -> str:
    """A conflict between sources as one line: what, what each source says, the choice."""
    return f"{r.text(item, 'about')}: {r.text(item, 'sources')} → {r.text(item, 'choice')}"


def _sub_index(
    r: Reader,
    s: dict[str, Any],
    pillar: str,
    seen: set[str],
    directory: Directory,
    framework_kind: FrameworkKind,
    documents: Mapping[str, str],
) -> SubIndex:
    code = r.code(s)
    what = f"chỉ số {code}: "
    if code in seen:
        raise r.fail(s, f"mã chỉ số '{code}' bị trùng")
    if not code.startswith(f"{pillar}."):
        raise r.fail(s, f"{what}không thuộc chỉ số chính {pillar}")
    seen.add(code)
    scored = framework_kind is FrameworkKind.DTI
    max_points = r.number(s, "max", what, required=scored) or Decimal(0)
    try:
        kind = RuleKind(str(s.get("rule", "" if scored else RuleKind.NONE.value)))
    except ValueError:
        known = ", ".join(k.value for k in RuleKind)
        raise r.fail(
            s, f"{what}quy tắc chấm điểm '{s.get('rule')}' không có (dùng: {known})"
        ) from None
    threshold = r.number(s, "threshold", what, required=kind is RuleKind.RATIO)
    if kind is RuleKind.RATIO and not threshold:
        raise r.fail(s, f"{what}ngưỡng ('threshold') phải lớn hơn 0")
    levels: tuple[Level, ...] = ()
    if kind is RuleKind.LEVELS:
        levels = tuple(
            Level(
                r.number(lv, "at_least", what) or Decimal(0),
                r.number(lv, "points", what) or Decimal(0),
            )
            for lv in r.items(s, "levels", what)
        )
        if any(lv.points > max_points for lv in levels):
            raise r.fail(s, f"{what}một bậc cho nhiều điểm hơn điểm tối đa {max_points}")
    unit = str(s.get("unit") or DEFAULT_UNITS.get(kind, ""))
    if kind in (RuleKind.RATIO, RuleKind.LEVELS) and not unit:
        raise r.fail(s, f"{what}thiếu đơn vị ('unit')")
    lead = _holders(r, s, "lead", what, directory)
    coordinate = _holders(r, s, "coordinate", what, directory)
    parts = plan_loading.parts(r, s, what)
    return SubIndex(
        code,
        r.text(s, "name", what),
        max_points,
        _rule(r, s, what, kind, threshold, levels),
        unit,
        lead,
        coordinate,
        value_type=plan_loading.value_type(r, s, what),
        parts=parts,
        targets=plan_loading.targets(r, s, what, parts, documents),
        source_ref=r.optional(s, "source_ref"),
    )


def _rule(
    r: Reader,
    s: dict[str, Any],
    what: str,
    kind: RuleKind,
    threshold: Decimal | None,
    levels: tuple[Level, ...],
) -> Rule:
    """A rule with where it comes from: `rule_source` (document, section) when a source states
    it, else `assumed: true` and a `rule_note` saying why. A computing rule that says neither is
    refused: no number the bot shows may rest on an unmarked guess."""
    source = r.optional(s, "rule_source")
    assumed = bool(s.get("assumed", False))
    note = r.optional(s, "rule_note")
    if kind in COMPUTING and not source and not assumed:
        raise r.fail(s, f"{what}quy tắc '{kind.value}' cần 'rule_source' hoặc 'assumed: true'")
    if assumed and not note:
        raise r.fail(s, f"{what}quy tắc giả định cần 'rule_note' nói vì sao")
    comparison = plan_loading.comparison(r, s, what)
    return Rule(kind, threshold, levels, comparison, source, assumed, note)


def _holders(
    r: Reader, s: dict[str, Any], key: str, what: str, directory: Directory
) -> tuple[str, ...]:
    """Agencies or groups by code or by name; an old name stays (its history is its own) and
    answers through its successor."""
    found = []
    for ref in r.codes(s, key):
        code = directory.find(ref)
        if code is None:
            raise r.fail(s, f"{what}không có cơ quan hay nhóm '{ref}'")
        found.append(code)
    return tuple(found)


def parse_assessment(text: str, source: str, frameworks: Mapping[str, Framework]) -> Assessment:
    """Values for one period of one of the given frameworks: an evaluator's points (official),
    a document's measured figures (reported, unless the file says they are official results),
    or a plan's actual values. Flags maxima that differ from the framework's."""
    r, data = Reader(source), load(text, source)
    framework = frameworks.get(str(data.get("framework")))
    if framework is None:
        known = ", ".join(sorted(frameworks)) or "không có"
        raise r.fail(data, f"bộ chỉ số '{data.get('framework')}' chưa được nạp (đã có: {known})")
    period, origin = r.text(data, "period"), r.text(data, "source")
    official = str(data.get("kind", "")) == Provenance.OFFICIAL.value
    measurements, warnings = [], []
    for item in r.items(data, "values"):
        m, warning = _measurement(r, item, framework, period, origin, official)
        measurements.append(m)
        if warning:
            warnings.append(warning)
    return Assessment(
        framework.code,
        period,
        origin,
        _review_status(r, data),
        tuple(measurements),
        tuple(warnings),
        _ranking(r, data.get("ranking"), origin),
        tuple(_note(r, item, framework, origin) for item in r.maybe_items(data, "notes")),
    )


def _review_status(r: Reader, data: dict[str, Any]) -> ReviewStatus:
    """Whether the file's values count at once (approved, the default) or wait for review."""
    raw = str(data.get("status", ReviewStatus.APPROVED.value))
    try:
        return ReviewStatus(raw)
    except ValueError:
        known = ", ".join(s.value for s in ReviewStatus)
        raise r.fail(data, f"trạng thái '{raw}' không có (dùng: {known})") from None


def _note(r: Reader, item: dict[str, Any], framework: Framework, origin: str) -> SourceNote:
    code = r.text(item, "code")
    if framework.sub_index(code) is None:
        raise r.fail(item, f"chỉ số {code}: không có trong bộ chỉ số {framework.code}")
    where = r.optional(item, "where")
    return SourceNote(code, r.text(item, "text"), f"{origin}, {where}" if where else origin)


def _measurement(
    r: Reader,
    item: dict[str, Any],
    framework: Framework,
    period: str,
    origin: str,
    official: bool,
) -> tuple[Measurement, str]:
    code = r.text(item, "code")
    what = f"chỉ số {code}: "
    sub = framework.sub_index(code)
    whole_or_pillar = code == WHOLE or framework.pillar(code) is not None
    if sub is None and not (whole_or_pillar and not framework.scored):
        raise r.fail(item, f"{what}không có trong bộ chỉ số {framework.code}")
    value = r.number(item, "value", what, required=False)
    points = r.number(item, "points", what, required=False)
    stated = r.optional(item, "text")
    if value is None and points is None and not stated:
        raise r.fail(item, f"{what}cần 'value', 'points' hoặc 'text'")
    part = r.optional(item, "part")
    if part and (sub is None or sub.part(part) is None):
        raise r.fail(item, f"{what}không có dòng '{part}'")
    source_max = r.number(item, "source_max", what, required=False)
    warning = ""
    if sub is not None and source_max is not None and source_max != sub.max_points:
        counted = (points or Decimal(0)) * sub.max_points / source_max
        warning = (
            f"{r.source}, dòng {item[LINE]}: chỉ số {code} được chấm {points}/{source_max} "
            f"trong nguồn; bộ chỉ số {framework.code} cho tối đa {sub.max_points}: giữ "
            f"{points}/{source_max} và tính {counted.quantize(CENT, ROUND_HALF_UP)}/"
            f"{sub.max_points}"
        )
    elif sub is not None and points is not None and points > sub.max_points:
        raise r.fail(item, f"{what}{points} điểm vượt điểm tối đa {sub.max_points}")
    where = r.optional(item, "where")
    # An evaluator's points are official; a measured figure is what a document reports,
    # unless the file holds published official results (an index on its own scale).
    provenance = Provenance.OFFICIAL if points is not None or official else Provenance.REPORTED
    rank, rank_of = r.whole(item, "rank", what), r.whole(item, "of", what)
    if rank is not None and (rank_of is None or not 1 <= rank <= rank_of):
        raise r.fail(item, f"{what}hạng {rank} phải từ 1 đến 'of'")
    unit = r.optional(item, "unit") or (sub.unit if sub is not None and value is not None else "")
    measurement = Measurement(
        code,
        period,
        value,
        points,
        f"{origin}, {where}" if where else origin,
        source_max,
        provenance=provenance,
        unit=unit,
        note=r.optional(item, "note"),
        part=part,
        text=stated,
        verdict=r.optional(item, "verdict"),
        rank=rank,
        rank_of=rank_of,
    )
    return measurement, warning


def _ranking(r: Reader, item: Any, origin: str) -> Ranking | None:
    """The province's rank among all provinces, when the source states it."""
    if item is None:
        return None
    numbers = [r.number(item, key, "ranking: ") for key in ("year", "rank", "of")]
    year, rank, of_total = (int(n or 0) for n in numbers)
    if not 1 <= rank <= of_total:
        raise r.fail(item, f"ranking: hạng {rank} phải từ 1 đến {of_total}")
    where = r.optional(item, "where")
    cited = f"{origin}, {where}" if where else origin
    return Ranking(year, rank, of_total, r.number(item, "dti", "ranking: ", required=False), cited)
