"""Long names typed with typos ("an toàn thông tim mạng", "Sở Khoa hoc Cong ngh"): the first
two words typed right, the rest nearly so, compared with rapidfuzz over runs of whole words. Only
long names: a short one ("hạ tầng") is too close to unrelated words ("nhà trang")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rapidfuzz import fuzz

from parsing.tokens import positions

LONG_NAME = 10  # characters from which a name may be matched with typos
MATCH_AT = 88  # rapidfuzz ratio (0-100)

Name = tuple[tuple[str, ...], str]  # (folded words, what the name stands for)


@dataclass(frozen=True, slots=True)
class LongNames:
    """Long names by their first two words, which have to be typed right."""

    by_start: dict[tuple[str, str], tuple[Name, ...]]
    firsts: frozenset[str]


def long_names(names: Sequence[Name]) -> LongNames:
    by_start: dict[tuple[str, str], list[Name]] = {}
    for words, value in names:
        if len(words) >= 3 and len(" ".join(words)) >= LONG_NAME:
            by_start.setdefault((words[0], words[1]), []).append((words, value))
    return LongNames(
        {start: tuple(found) for start, found in by_start.items()},
        frozenset(first for first, _ in by_start),
    )


def best_window(
    words: list[str],
    names: LongNames,
    free: Callable[[int], bool],
    present: AbstractSet[str] | None = None,
) -> tuple[int, int, str] | None:
    """(first, last, value) of the run of words closest to one of the names, if close enough;
    runs start where `free` allows. `present`: the set of the words, when at hand."""
    best: tuple[float, int, int, str] | None = None
    for start in positions(words, names.firsts, present):
        if start == len(words) - 1:
            break
        candidates = names.by_start.get((words[start], words[start + 1]))
        if candidates is None or not free(start):
            continue
        for name, value in candidates:
            size, typed_name = len(name), " ".join(name)
            for width in (size - 1, size, size + 1):
                if width < 2 or start + width > len(words):
                    continue
                score = fuzz.ratio(
                    typed_name, " ".join(words[start : start + width]), score_cutoff=MATCH_AT
                )
                if score and (best is None or score > best[0]):
                    best = (score, start, start + width, value)
    return None if best is None else best[1:]
