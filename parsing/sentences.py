"""The sentences of a message, and which of them asks.

Officials write a greeting, a thanks, the meeting the figures are for or what the plan says
around the one thing they ask; the router routes the sentence that asks (parsing.router)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsing.lexicon import Meaning
    from parsing.reading import Reading

# Where a sentence ends: ".", "!" or "?" before a space (not the dot of "8.2" or "TP.HCM"),
# or a new line. (Written so that the pattern starts with a set of characters and no
# alternation: the regular expression engine then skips ahead to those characters instead of
# trying at every place.)
_SENTENCE_END = re.compile(r"[.!?][.!?]*(?=\s)")
_NEW_LINE = re.compile("\n")
# Markers that say nothing of what is asked: a sentence of them alone is a greeting, a thanks.
_SAY_NOTHING = frozenset(
    {
        "filler",
        "separator",
        "greeting",
        "first_person",
        "question_tail",
        "link",
        "then",
        "movement",
        "step_up",
        "step_down",
    }
)


def sentence_ends(text: str) -> list[int]:
    """Where each sentence of a text ends (after its ".", "!", "?" or new line), in order."""
    if not ("." in text or "!" in text or "?" in text or "\n" in text):
        return []
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if "\n" in text:
        ends = sorted([*ends, *(m.end() for m in _NEW_LINE.finditer(text))])
    return ends


def sentences_of(text: str) -> list[str]:
    """The sentences of a text, as typed (a text of one sentence: itself)."""
    ends = sentence_ends(text)
    if not ends:
        return [text]
    bounds = [0, *ends, len(text)]
    parts = (text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False))
    return [part for part in parts if part] or [text]


def asking_order(sentences: list[Reading]) -> list[int]:
    """The sentences of a message that may ask, the likeliest first: those with a question
    word, then those that say anything (a cue, a number, something named, a word of a
    sub-index's name), each the last first; a greeting or a thanks says nothing."""
    asking: list[int] = []
    saying: list[int] = []
    for index, sentence in enumerate(sentences):
        if "question" in sentence.markers:
            asking.append(index)
        elif sentence.numbers or any(map(_says, sentence.meanings)):
            saying.append(index)
    return asking[::-1] + saying[::-1]


def _says(meaning: Meaning) -> bool:
    return bool(meaning.cues or meaning.things or meaning.core or meaning.marks - _SAY_NOTHING)
