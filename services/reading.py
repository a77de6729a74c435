"""What a typed value stands for under a sub-index's rule and unit ("12,5%", "có", "30")."""

from __future__ import annotations

from decimal import Decimal

from parsing.numbers import NumberError, NumberKind, ParsedNumber, parse_number
from parsing.yes_no import yes_no
from scoring.engine import InvalidValue, rule_points
from scoring.model import RuleKind, SubIndex
from services.refusal import Refusal

PERCENT = "%"


def number_kind(sub: SubIndex) -> NumberKind:
    """Counts are whole numbers; rates, percentages and points may have decimals."""
    counted = sub.rule.kind is RuleKind.LEVELS and "/" not in sub.unit and sub.unit != PERCENT
    return NumberKind.INTEGER if counted else NumberKind.DECIMAL


def read_value(sub: SubIndex, raw: str) -> Decimal:
    """The value a text stands for under a sub-index's rule and unit; a refusal says what is
    wrong with it and what to type."""
    unit = sub.unit
    if sub.rule.kind is RuleKind.BOOLEAN:
        answer = yes_no(raw)
        if answer is None:
            raise Refusal("problem.value.not_yes_no", code=sub.code, raw=raw)
        return Decimal(int(answer))
    parsed = _number(sub, raw, number_kind(sub))
    value = parsed.value
    if parsed.percent and sub.rule.kind is RuleKind.ASSESSED:
        raise Refusal("problem.value.points_not_percent", code=sub.code, max=sub.max_points)
    if value < 0:
        raise Refusal("problem.value.negative", code=sub.code, unit=unit)
    if unit == PERCENT and value > 100:
        raise Refusal("problem.value.percent_range", code=sub.code, raw=raw)
    try:
        rule_points(sub.rule, sub.max_points, value)
    except InvalidValue:
        raise Refusal("problem.value.above_max", code=sub.code, max=sub.max_points) from None
    return value


def read_points(sub: SubIndex, raw: str) -> Decimal:
    """Points typed for a sub-index ("được 30 điểm"): a number from 0 to its maximum."""
    parsed = _number(sub, raw, NumberKind.DECIMAL)
    if parsed.percent or parsed.value < 0 or parsed.value > sub.max_points:
        raise Refusal("problem.value.above_max", code=sub.code, max=sub.max_points)
    return parsed.value


def _number(sub: SubIndex, raw: str, kind: NumberKind) -> ParsedNumber:
    """`raw` read as a number of `kind`, or the refusal that says what to type instead."""
    try:
        return parse_number(raw, kind)
    except NumberError as error:
        raise Refusal(
            f"problem.value.{error.reason}",
            code=sub.code,
            raw=error.text,
            candidates=error.candidates,
            unit=sub.unit,
        ) from None
