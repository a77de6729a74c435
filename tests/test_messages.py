"""Replies are split between lines to fit Telegram's limit, and typed texts are cut with "…" in
lists: nothing is lost but the whitespace at a cut, and no part is ever too long or blank."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from domain.messages import (
    ELLIPSIS,
    MESSAGE_LIMIT,
    inline,
    split_message,
    truncate,
    units,
)

lines = st.lists(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=120), min_size=1, max_size=80
)


def _content(text: str) -> str:
    return "".join(text.split())


@given(lines, st.integers(20, 400))
@example(["a" * 5000], MESSAGE_LIMIT)
@example(["x " * 3000], MESSAGE_LIMIT)
@example(["😀" * 3000], MESSAGE_LIMIT)
@example(["", "", "b"], 20)
def test_every_part_fits_and_nothing_but_whitespace_is_lost(
    text_lines: list[str], limit: int
) -> None:
    text = "\n".join(text_lines)
    parts = split_message(text, limit)
    if not text.strip():
        assert parts == [text]
        return
    assert all(units(part) <= limit for part in parts)
    assert all(part.strip() for part in parts)
    assert _content("".join(parts)) == _content(text)


@given(lines)
def test_a_text_that_fits_is_one_message_as_it_is(text_lines: list[str]) -> None:
    text = "\n".join(text_lines)[:MESSAGE_LIMIT]
    assert split_message(text) == [text]


def test_lines_are_never_cut_when_each_fits() -> None:
    text = "\n".join(f"{n:03d} " + "x" * 60 for n in range(200))  # 13,000 characters
    parts = split_message(text)
    assert len(parts) == 4
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert [line for part in parts for line in part.split("\n")] == text.split("\n")


def test_a_line_longer_than_a_message_is_cut_at_a_space() -> None:
    words = " ".join(["chữ"] * 2000)  # 7,999 characters on one line
    parts = split_message(words)
    assert len(parts) == 2
    assert all(part.split(" ") == ["chữ"] * len(part.split(" ")) for part in parts)


def test_characters_outside_the_basic_plane_count_twice() -> None:
    parts = split_message("😀" * 3000)
    assert [len(p) for p in parts] == [2048, 952]


@given(st.text(max_size=300), st.integers(1, 200))
def test_a_truncated_text_fits_and_ends_with_an_ellipsis_when_cut(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert units(cut) <= limit
    if cut != text:
        assert cut.endswith(ELLIPSIS)
        assert text.startswith(cut.removesuffix(ELLIPSIS).rstrip())


def test_a_list_line_shows_a_typed_text_on_one_line() -> None:
    note = "Theo báo cáo\nquý 3 của Sở KH&CN, " + "đã rà soát " * 40
    shown = inline(note, 60)
    assert "\n" not in shown
    assert shown.endswith("…")
    assert len(shown) <= 60
    assert shown.startswith("Theo báo cáo quý 3")


@given(st.text())
@example("a😀b\ud800")  # an astral character is two units, a lone surrogate (JSON allows it) one
def test_units_counts_utf16_code_units(text: str) -> None:
    assert units(text) == len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
