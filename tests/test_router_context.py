"""The sentences around a question do not change its answer.

Officials write a greeting, a thanks, the meeting the figures are for or what the plan says
around the one thing they ask. Every corpus line the router answers on its own (not unclear,
not the help) is routed again with such sentences before or after it: with a greeting or a
thanks it must give the same intent; with a sentence about the meeting, the report or the
plan's target, the same kind and every value it gave alone (that sentence may add a value the
question leaves out — "năm nay" a period). A line typed without diacritics gets the sentences
typed without them too, as the person typing it would."""

from __future__ import annotations

from functools import cache

import pytest

from parsing.intents import Help, Intent, Unclear, Update, fields
from parsing.router import route
from parsing.tokens import fold_chars
from tests.router_data import bundled_lexicon
from tests.test_router_corpus import TODAY, corpus_lines, waits_for_data

# Said around a question and saying nothing of it (a greeting, a new focal point's apology, a
# thanks).
BEFORE = (
    "Chào bot, cho mình hỏi với ạ.",
    "Em mới được phân công làm đầu mối nên chưa quen cách hỏi, mong bot thông cảm.",
    "Nhờ bot kiểm tra giúp, trả lời ngắn gọn thôi nhé, cảm ơn nhiều.",
    "Xin chào!",
    "Dạ em chào anh ạ.",
)
AFTER = ("Cảm ơn bot nhiều.", "Thanks!", "Em cảm ơn ạ.")
# What the figures are for: the meeting, the report and its deadline, the plan's target
# (Kế hoạch 4636/KH-UBND: 800 points by 2025, seeds/001 section I.2).
ABOUT = (
    "Chiều nay anh Chủ tịch họp giao ban về chuyển đổi số, cần số liệu để báo cáo.",
    "Bên mình đang tổng hợp số liệu gửi Sở Khoa học và Công nghệ trước ngày 25 tháng cuối quý.",
    "Theo Kế hoạch 4636/KH-UBND thì năm nay tỉnh phấn đấu DTI đạt từ 800 điểm trở lên.",
)


def typed_like(sentence: str, question: str) -> str:
    """The sentence as the person who typed the question would: without diacritics if they
    typed none."""
    return fold_chars(sentence) if question.isascii() else sentence


def _after(question: str, sentence: str) -> str:
    stop = "" if question.rstrip()[-1:] in ".?!" else "."
    return f"{question}{stop} {sentence}"


@cache
def answered_alone() -> list[tuple[str, Intent]]:
    """The corpus lines the router answers alone, with that answer."""
    lexicon = bundled_lexicon()
    out = []
    for line in corpus_lines():
        if waits_for_data(line):
            continue
        intent = route(line.text, lexicon, TODAY)
        if not isinstance(intent, Unclear | Help):
            out.append((line.text, intent))
    return out


def _mismatches(messages: list[tuple[Intent, str]], *, same_intent: bool) -> list[str]:
    lexicon = bundled_lexicon()
    out = []
    for alone, message in messages:
        got = route(message, lexicon, TODAY)
        if same_intent:
            right = got == alone
        else:
            expected, found = fields(alone), fields(got)
            right = all(found.get(key) == value for key, value in expected.items())
        if not right:
            out.append(f"{message!r}: alone {fields(alone)}, here {fields(got)}")
    return out


def _update_after_plain_thanks(question: str, alone: Intent, sentence: str) -> bool:
    """ "... em cam on a": typed without diacritics, the closing "a" may be "ạ" (polite) or
    "à" (a question), and a message that may ask is never stored: it is asked back."""
    return isinstance(alone, Update) and question.isascii() and sentence == "Em cảm ơn ạ."


def test_the_corpus_is_answered_alone_often_enough_to_be_a_test() -> None:
    assert len(answered_alone()) > 600


def test_a_greeting_or_a_thanks_around_a_question_does_not_change_its_answer() -> None:
    messages = [
        (alone, f"{typed_like(sentence, question)} {question}")
        for question, alone in answered_alone()
        for sentence in BEFORE
    ]
    messages += [
        (alone, _after(question, typed_like(sentence, question)))
        for question, alone in answered_alone()
        for sentence in AFTER
        if not _update_after_plain_thanks(question, alone, sentence)
    ]
    assert _mismatches(messages, same_intent=True) == []


def test_what_the_figures_are_for_does_not_change_the_answer() -> None:
    messages = [
        (alone, f"{typed_like(sentence, question)} {question}")
        for question, alone in answered_alone()
        for sentence in ABOUT
    ]
    assert _mismatches(messages, same_intent=False) == []


@pytest.mark.parametrize("question", ["update 8.2 = 12.5 Q3", "cap nhat 4.2 = 6,09%"])
def test_an_update_closed_by_a_plain_a_is_asked_back_not_stored(question: str) -> None:
    intent = route(_after(question, "em cam on a"), bundled_lexicon(), TODAY)
    assert isinstance(intent, Unclear)
    assert not any(isinstance(candidate, Update) for candidate in intent.candidates)
