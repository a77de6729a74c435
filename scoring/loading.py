"""Framework, agency and assessment files (YAML text) turned into validated values.

Every error names the file, the line and the code it is about, so an administrator who imports a
broken file knows what to fix. Parsing takes text: reading the file is the caller's business."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from scoring.engine import Measurement
from scoring.model import (
    Agency,
    AgencyGroup,
    Directory,
    Framework,
    Level,
    Pillar,
    Rule,
    RuleKind,
    SubIndex,
)

_LINE = "__line__"
LINE = _LINE  # the key under which every mapping of a parsed file keeps its line (or row)
DEFAULT_UNITS = {RuleKind.BOOLEAN: "có/không", RuleKind.ASSESSED: "điểm"}


class FileError(ValueError):
    """A data file that cannot be used; the message says where and why."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        where = source if line is None else f"{source}, dòng {line}"
        super().__init__(f"{where}: {problem}")
        self.source, self.line, self.problem = source, line, problem


@dataclass(frozen=True, slots=True)
class Assessment:
    framework: str
    period: str
    source: str
    status: str
    measurements: tuple[Measurement, ...]
    warnings: tuple[str, ...]
    ranking: Ranking | None = None


@dataclass(frozen=True, slots=True)
class Ranking:
    year: int
    rank: int
    of_total: int
    dti: Decimal | None
    source: str


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping under the key `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileError(
            source, mark.line + 1 if mark else None, f"YAML không hợp lệ ({exc})"
        ) from exc
    if not isinstance(data, dict):
        raise FileError(source, None, "tệp phải là một bảng khóa: giá trị")
    return data


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, item: dict[str, Any] | None, problem: str) -> FileError:
        return FileError(self.source, item.get(_LINE) if item else None, problem)

    def text(self, item: dict[str, Any], key: str, what: str = "") -> str:
        value = item.get(key)
        if value is None or str(value).strip() == "":
            raise self.fail(item, f"{what}thiếu trường '{key}'")
        return str(value).strip()

    def code(self, item: dict[str, Any]) -> str:
        """An indicator code; YAML would read an unquoted 3.10 as the number 3.1."""
        raw = item.get("code")
        if isinstance(raw, float):
            raise self.fail(item, f'mã chỉ số {raw} phải đặt trong ngoặc kép, ví dụ code: "{raw}"')
        return self.text(item, "code")

    def number(
        self, item: dict[str, Any], key: str, what: str, *, required: bool = True
    ) -> Decimal | None:
        raw = item.get(key)
        if raw is None:
            if required:
                raise self.fail(item, f"{what}thiếu trường '{key}'")
            return None
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise self.fail(item, f"{what}'{key}' không phải là số: {raw!r}") from None
        if not value.is_finite() or value < 0:
            raise self.fail(item, f"{what}'{key}' phải là số không âm, không phải {raw!r}")
        return value

    def items(self, item: dict[str, Any], key: str, what: str = "") -> list[dict[str, Any]]:
        value = item.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(item, f"{what}'{key}' phải là một danh sách")
        return value

    def codes(self, item: dict[str, Any], key: str) -> tuple[str, ...]:
        value = item.get(key) or []
        if not isinstance(value, list):
            raise self.fail(item, f"'{key}' phải là một danh sách mã")
        return tuple(str(v) for v in value)


def parse_directory(text: str, source: str) -> Directory:
    """Agencies and groups; refuses duplicate codes and groups naming unknown members."""
    r, data = _Reader(source), _load(text, source)
    agencies, groups, seen = [], [], set()
    for item in r.items(data, "agencies"):
        code = r.text(item, "code")
        if code in seen:
            raise r.fail(item, f"mã cơ quan '{code}' bị trùng")
        seen.add(code)
        agencies.append(
            Agency(
                code,
                r.text(item, "name", f"{code}: "),
                r.text(item, "kind", f"{code}: "),
                r.codes(item, "aliases"),
            )
        )
    for item in data.get("groups") or []:
        code = r.text(item, "code")
        if code in seen:
            raise r.fail(item, f"mã nhóm '{code}' bị trùng")
        seen.add(code)
        groups.append(
            AgencyGroup(
                code,
                r.text(item, "name", f"{code}: "),
                r.codes(item, "kinds"),
                r.codes(item, "members"),
                r.codes(item, "groups"),
                r.codes(item, "aliases"),
            )
        )
    for item, group in zip(data.get("groups") or [], groups, strict=True):
        for ref in (*group.members, *group.groups):
            if ref not in seen:
                raise r.fail(item, f"nhóm {group.code}: không có cơ quan hay nhóm '{ref}'")
    return Directory(tuple(agencies), tuple(groups))


def parse_framework(text: str, source: str, directory: Directory) -> Framework:
    """A framework file, checked: codes unique, points non-negative and adding up, rules and
    agencies known."""
    return framework_from_data(_load(text, source), source, directory)


def framework_from_data(data: dict[str, Any], source: str, directory: Directory) -> Framework:
    """A framework from the mappings of a file (YAML, or a table read into the same shape by
    scoring.framework_files), each carrying its line under LINE."""
    r = _Reader(source)
    code = r.text(data, "code")
    total_max = r.number(data, "total_max", "")
    pillars, seen = [], set()
    for p in r.items(data, "pillars"):
        p_code = r.code(p)
        what = f"chỉ số {p_code}: "
        if p_code in seen:
            raise r.fail(p, f"mã chỉ số '{p_code}' bị trùng")
        seen.add(p_code)
        p_max = r.number(p, "max", what)
        subs = tuple(
            _sub_index(r, s, p_code, seen, directory) for s in r.items(p, "sub_indices", what)
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
        kind=str(data.get("kind", "dti")),
        source=str(data.get("source", "")),
        total_max=total_max or Decimal(0),
        target_total=r.number(data, "target_total", "", required=False),
        pillars=tuple(pillars),
    )


def _sub_index(
    r: _Reader, s: dict[str, Any], pillar: str, seen: set[str], directory: Directory
) -> SubIndex:
    code = r.code(s)
    what = f"chỉ số {code}: "
    if code in seen:
        raise r.fail(s, f"mã chỉ số '{code}' bị trùng")
    if not code.startswith(f"{pillar}."):
        raise r.fail(s, f"{what}không thuộc chỉ số chính {pillar}")
    seen.add(code)
    max_points = r.number(s, "max", what) or Decimal(0)
    try:
        kind = RuleKind(str(s.get("rule")))
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
    lead, coordinate = r.codes(s, "lead"), r.codes(s, "coordinate")
    for ref in (*lead, *coordinate):
        if not directory.knows(ref):
            raise r.fail(s, f"{what}không có cơ quan hay nhóm '{ref}'")
    return SubIndex(
        code,
        r.text(s, "name", what),
        max_points,
        Rule(kind, threshold, levels),
        unit,
        lead,
        coordinate,
    )


def parse_assessment(text: str, source: str, frameworks: Mapping[str, Framework]) -> Assessment:
    """Officially assessed values for one period of one of the given frameworks; flags maxima
    that differ from the framework's."""
    r, data = _Reader(source), _load(text, source)
    framework = frameworks.get(str(data.get("framework")))
    if framework is None:
        known = ", ".join(sorted(frameworks)) or "không có"
        raise r.fail(data, f"bộ chỉ số '{data.get('framework')}' chưa được nạp (đã có: {known})")
    period, origin = r.text(data, "period"), r.text(data, "source")
    measurements, warnings = [], []
    for item in r.items(data, "values"):
        code = r.text(item, "code")
        what = f"chỉ số {code}: "
        sub = framework.sub_index(code)
        if sub is None:
            raise r.fail(item, f"{what}không có trong bộ chỉ số {framework.code}")
        value = r.number(item, "value", what, required=False)
        points = r.number(item, "points", what, required=False)
        if (value is None) == (points is None):
            raise r.fail(item, f"{what}cần đúng một trong 'value' hoặc 'points'")
        source_max = r.number(item, "source_max", what, required=False)
        if source_max is not None and source_max != sub.max_points:
            warnings.append(
                f"{source}, dòng {item[_LINE]}: chỉ số {code} được chấm trên {source_max} điểm "
                f"trong nguồn, bộ chỉ số {framework.code} cho tối đa {sub.max_points}"
            )
        elif points is not None and points > sub.max_points:
            raise r.fail(item, f"{what}{points} điểm vượt điểm tối đa {sub.max_points}")
        where = str(item.get("where", "")).strip()
        measurements.append(
            Measurement(
                code, period, value, points, f"{origin}, {where}" if where else origin, source_max
            )
        )
    return Assessment(
        framework.code,
        period,
        origin,
        str(data.get("status", "approved")),
        tuple(measurements),
        tuple(warnings),
        _ranking(r, data.get("ranking"), origin),
    )


def _ranking(r: _Reader, item: Any, origin: str) -> Ranking | None:
    """The province's rank among all provinces, when the source states it."""
    if item is None:
        return None
    numbers = [r.number(item, key, "ranking: ") for key in ("year", "rank", "of")]
    year, rank, of_total = (int(n or 0) for n in numbers)
    if not 1 <= rank <= of_total:
        raise r.fail(item, f"ranking: hạng {rank} phải từ 1 đến {of_total}")
    return Ranking(
        year, rank, of_total, r.number(item, "dti", "ranking: ", required=False), origin
    )
