"""Numbers typed in Vietnamese or international spelling, and their Vietnamese formatting."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from parsing.numbers import NumberError, NumberKind, ParsedNumber, format_vi, parse_number

DECIMAL, INTEGER = NumberKind.DECIMAL, NumberKind.INTEGER
kinds = st.sampled_from(list(NumberKind))
decimals = st.integers(0, 6).flatmap(
    lambda places: st.decimals(
        min_value=-(10**12),
        max_value=10**12,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )
)
# Texts close to numbers, so that many of them parse and the round trip is exercised.
numberish = st.from_regex(r"\A\s?[+\-\u2212]?[0-9.,\u00a0\u202f]{1,16}\s?%?\s?\Z")


def _reading(
    text: str, kind: NumberKind = DECIMAL
) -> ParsedNumber | tuple[str, tuple[Decimal, ...]]:
    """What parse_number makes of a text: the number, or the error's reason and candidates."""
    try:
        return parse_number(text, kind)
    except NumberError as error:
        return error.reason, error.candidates


def _international(vietnamese: str) -> str:
    return vietnamese.translate(str.maketrans(".,", ",."))


def _ambiguous_spelling(text: str) -> bool:
    """One mark, three digits after it, a whole part that could be a thousands group."""
    return re.fullmatch(r"-?[1-9][0-9]{0,2}[.,][0-9]{3}", text) is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12"),
        ("  12  ", "12"),
        ("1.082.862", "1082862"),
        ("1,082,862", "1082862"),
        ("1.082,5", "1082.5"),
        ("1,082.5", "1082.5"),
        ("1.082.862,25", "1082862.25"),
        ("12,5", "12.5"),
        ("0,5934", "0.5934"),
        ("12.5", "12.5"),
        ("3.14159", "3.14159"),
        ("0,123", "0.123"),
        ("0.123", "0.123"),
        ("1234.567", "1234.567"),
        (",5", "0.5"),
        (".5", "0.5"),
        ("-3,5", "-3.5"),
        ("\u22123,5", "-3.5"),
        ("+7", "7"),
        ("1\u202f082\u202f862", "1082862"),
        ("1\u00a0082\u00a0862,5", "1082862.5"),
    ],
)
def test_a_number_is_read_in_either_spelling(text: str, value: str) -> None:
    assert parse_number(text) == ParsedNumber(Decimal(value), percent=False)


def test_a_vietnamese_decimal_comma_is_read_as_a_decimal_point() -> None:
    assert parse_number("12,5").value == Decimal("12.5")


@pytest.mark.parametrize("text", ["12,5%", "12,5 %", "12,5\u00a0%", " 12,5% "])
def test_a_trailing_percent_sign_is_noted_with_or_without_a_space(text: str) -> None:
    assert parse_number(text) == ParsedNumber(Decimal("12.5"), percent=True)


@pytest.mark.parametrize("text", ["1.234", "1,234", "12.500", "999,999"])
def test_one_mark_before_three_digits_is_asked_back_for_a_decimal(text: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    whole, fraction = re.split("[.,]", text)
    assert caught.value.reason == "ambiguous"
    assert caught.value.candidates == (Decimal(f"{whole}.{fraction}"), Decimal(whole + fraction))


def test_the_candidates_of_a_negative_ambiguous_number_are_smaller_first() -> None:
    with pytest.raises(NumberError) as caught:
        parse_number("-1.234")
    assert caught.value.candidates == (Decimal("-1234"), Decimal("-1.234"))


@pytest.mark.parametrize(("text", "value"), [("1.234", 1234), ("12.500", 12500), ("1,234", 1234)])
def test_one_mark_before_three_digits_groups_thousands_in_a_count(text: str, value: int) -> None:
    assert parse_number(text, INTEGER).value == value


@pytest.mark.parametrize("text", ["12,0", "12.000,00", "7"])
def test_a_count_may_carry_a_zero_fraction(text: str) -> None:
    assert parse_number(text, INTEGER).value == Decimal(text.split(",")[0].replace(".", ""))


@pytest.mark.parametrize("text", ["12,5", "0,123", "1.082,5", ",5"])
def test_a_count_with_a_fraction_is_refused(text: str) -> None:
    with pytest.raises(NumberError, match="not_integer"):
        parse_number(text, INTEGER)


@pytest.mark.parametrize(
    "text",
    [
        "1.08,2.5",
        "1,2.3,4",
        "12,",
        "1 000",
        "1..2",
        "--1",
        "+-1",
        "1e5",
        "NaN",
        "Infinity",
        "12abc",
        "%",
        "-",
        ".",
        "1.23.456",
        "12.34.567",
        "1\u202f08",
        "1\u202f082\u00a0862",
        "0.123.456",
        "\u0663",
        "1" * 31,
        "0," + "1" * 30,
        "12%%",
        "% 12",
    ],
)
def test_anything_else_is_invalid(text: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert (caught.value.reason, caught.value.text) == ("invalid", text.strip())


def test_thirty_digits_are_read_without_rounding() -> None:
    assert parse_number("1" * 15 + "," + "1" * 15).value == Decimal("1" * 15 + "." + "1" * 15)


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_an_empty_text_is_reported_as_empty(text: str) -> None:
    with pytest.raises(NumberError, match="empty"):
        parse_number(text)


def test_minus_zero_is_plain_zero() -> None:
    assert str(parse_number("-0,00").value) == "0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("12.5", "12,5"),
        ("1082862", "1.082.862"),
        ("0.5934", "0,5934"),
        ("30", "30"),
        ("1234.5", "1.234,5"),
        ("1E+3", "1.000"),
        ("-1234.50", "-1.234,5"),
        ("-0", "0"),
        ("1E-7", "0,0000001"),
        ("123", "123"),
        ("123456", "123.456"),
    ],
)
def test_the_vietnamese_format_has_a_decimal_comma_and_thousands_dots(
    value: str, text: str
) -> None:
    assert format_vi(Decimal(value)) == text


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_only_finite_numbers_are_formatted(value: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        format_vi(Decimal(value))


@given(st.text(), kinds)
@example("1" * 100_000, DECIMAL)
@example("1." * 50_000, INTEGER)
def test_any_text_is_a_finite_number_or_a_number_error(text: str, kind: NumberKind) -> None:
    reading = _reading(text, kind)  # anything but a NumberError would escape from here
    if isinstance(reading, tuple):
        assert reading[0] in {"empty", "invalid", "ambiguous", "not_integer"}
        return
    assert reading.value.is_finite()
    if kind is INTEGER:
        assert reading.value == reading.value.to_integral_value()


@given(st.one_of(numberish, st.text()), kinds)
def test_a_parsed_number_survives_a_round_trip_through_the_vietnamese_format(
    text: str, kind: NumberKind
) -> None:
    try:
        parsed = parse_number(text, kind)
    except NumberError:
        return
    formatted = format_vi(parsed.value)
    if kind is DECIMAL and _ambiguous_spelling(formatted):
        with pytest.raises(NumberError) as caught:
            parse_number(formatted, kind)
        assert caught.value.reason == "ambiguous"
        assert parsed.value in caught.value.candidates
    else:
        assert parse_number(formatted, kind).value == parsed.value


@given(decimals)
def test_a_formatted_decimal_is_read_back_as_itself(value: Decimal) -> None:
    formatted = format_vi(value)
    assert "e" not in formatted.lower()
    if _ambiguous_spelling(formatted):
        with pytest.raises(NumberError) as caught:
            parse_number(formatted)
        assert caught.value.reason == "ambiguous"
        assert value in caught.value.candidates
    else:
        assert parse_number(formatted).value == value


@given(decimals.map(lambda value: value.to_integral_value()))
def test_a_formatted_count_is_read_back_as_itself(value: Decimal) -> None:
    assert parse_number(format_vi(value), INTEGER).value == value


@given(decimals, kinds)
@example(Decimal("1082862"), DECIMAL)
@example(Decimal("12.5"), DECIMAL)
def test_vietnamese_and_international_spellings_agree(value: Decimal, kind: NumberKind) -> None:
    vietnamese = format_vi(value)
    assert _reading(vietnamese, kind) == _reading(_international(vietnamese), kind)


@given(decimals)
def test_a_number_reads_the_same_with_or_without_thousands_marks(value: Decimal) -> None:
    vietnamese = format_vi(value)
    whole, _, fraction = vietnamese.partition(",")
    plain = whole.replace(".", "") + ("," + fraction if fraction else "")
    if not _ambiguous_spelling(plain) and not _ambiguous_spelling(vietnamese):
        assert parse_number(plain).value == parse_number(vietnamese).value == value
