"""Sub-index codes in a message: "8.2", "8,2", "chỉ số 8 2".

"8,2" may as well be the value eight point two, so context decides: a code is followed by a link
word or a value ("8,2 đạt 40%") or stands on its own; a value follows a link word ("đạt 8,2") or
carries a unit ("8,2%", "8,2 điểm"). The comma spelling also has to be a sub-index the framework
holds, or come after "chỉ số"; the dot spelling only a pillar it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.reading import Reading
from scoring.model import Framework

_SHAPE = re.compile(r"([0-9]{1,2})([.,])([0-9]{1,2})")
_SMALL = re.compile(r"[0-9]{1,2}")


@dataclass(frozen=True, slots=True)
class CodeMention:
    first: int  # words first..last-1 spell it
    last: int
    code: str  # normalised: "8.2"
    known: bool  # the framework holds it


def find_codes(reading: Reading, framework: Framework) -> list[CodeMention]:
    found: list[CodeMention] = []
    for index in reading.numbers:
        if found and index < found[-1].last:
            continue  # the second number of "chỉ số 8 2"
        mention = _code_at(reading, framework, index)
        if mention is not None:
            found.append(mention)
    return found


def _code_at(reading: Reading, framework: Framework, index: int) -> CodeMention | None:
    words = reading.words
    if not reading.is_number(index):
        return None
    prefixed = index > 0 and reading.marked(index - 1, "code_prefix")
    shape = _SHAPE.fullmatch(words[index])
    if shape is None:
        # "chỉ số 8 2": two small numbers after "chỉ số".
        if (
            prefixed
            and _SMALL.fullmatch(words[index])
            and reading.is_number(index + 1)
            and _SMALL.fullmatch(words[index + 1])
        ):
            return _mention(framework, index, index + 2, words[index], words[index + 1])
        return None
    pillar, mark, sub = shape.groups()
    if reading.marked(index + 1, "percent"):
        return None  # "8,2%": a value
    after_link = index > 0 and reading.marked(index - 1, "link")
    if mark == ",":
        if after_link or reading.marked(index + 1, "points"):
            return None  # "đạt 8,2", "8,2 điểm": a value
        if not prefixed and framework.sub_index(f"{int(pillar)}.{int(sub)}") is None:
            return None
    else:
        # "8.2 = 8.5": a value after a code and a link; but "what is 8.2" asks about a code.
        if after_link and any(
            _SHAPE.fullmatch(w) for w in reading.words[max(index - 4, 0) : index - 1]
        ):
            return None
        if not prefixed and framework.pillar(str(int(pillar))) is None:
            return None
    return _mention(framework, index, index + 1, pillar, sub)


def _mention(framework: Framework, first: int, last: int, pillar: str, sub: str) -> CodeMention:
    code = f"{int(pillar)}.{int(sub)}"
    return CodeMention(first, last, code, framework.sub_index(code) is not None)
