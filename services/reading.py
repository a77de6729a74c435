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
    if sub.rule.kind is RuleKind.BOOLEAN:
        answer = yes_no(raw)
        if answer is None:
            raise Refusal("problem.value.not_yes_no", code=sub.code, raw=raw)
        return Decimal(int(answer))
    parsed = _number(sub, raw, number_kind(sub))
    if parsed.percent and sub.rule.kind is RuleKind.ASSESSED:
        raise Refusal("problem.value.points_not_percent", code=sub.code, max=sub.max_points)
    return checked_value(sub, parsed.value, raw)


def checked_value(sub: SubIndex, value: Decimal, raw: str) -> Decimal:
    """`value` (typed as `raw`) if the sub-index's unit and rule can take it."""
    if value < 0:
        raise Refusal("problem.value.negative", code=sub.code, unit=sub.unit)
    if sub.unit == PERCENT and value > 100:
        raise Refusal("problem.value.percent_range", code=sub.code, raw=raw)
    try:
        rule_points(sub.rule, sub.max_points, value)
    except InvalidValue:
        raise Refusal("problem.value.above_max", code=sub.code, max=sub.max_points) from None
    return value


def read_step(sub: SubIndex, raw: str, as_points: bool) -> Decimal:
    """The size of a what-if's step ("tăng thêm 10%", "giảm 5 điểm"): a number of the
    sub-index's unit, or points."""
    if sub.rule.kind is RuleKind.BOOLEAN and not as_points:
        raise Refusal("problem.whatif.step_yes_no", code=sub.code)
    kind = NumberKind.DECIMAL if as_points else number_kind(sub)
    return _number(sub, raw, kind).value


def read_points(sub: SubIndex, raw: str) -> Decimal:
    """Points typed for a sub-index ("được 30 điểm"): a number from 0 to its maximum."""
    parsed = _number(sub, raw, NumberKind.DECIMAL)
    if parsed.percent:
        raise Refusal("problem.value.above_max", code=sub.code, max=sub.max_points)
    return checked_points(sub, parsed.value)


def checked_points(sub: SubIndex, points: Decimal) -> Decimal:
    """`points` if they are from 0 to the sub-index's maximum."""
    if points < 0 or points > sub.max_points:
        raise Refusal("problem.value.above_max", code=sub.code, max=sub.max_points)
    return points


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
