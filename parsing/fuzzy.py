"""Long names typed with typos ("an toàn thông tim mạng", "Sở Khoa hoc Cong ngh"): the first
word typed right, the rest nearly so, compared with rapidfuzz over runs of whole words. Only
long names: a short one ("hạ tầng") is too close to unrelated words ("nhà trang")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz

LONG_NAME = 10  # characters from which a name may be matched with typos
MATCH_AT = 88  # rapidfuzz ratio (0-100)

Name = tuple[tuple[str, ...], str]  # (folded words, what the name stands for)


def long_names(names: Sequence[Name]) -> tuple[Name, ...]:
    return tuple(
        (words, value)
        for words, value in names
        if len(words) >= 2 and len(" ".join(words)) >= LONG_NAME
    )


def best_window(
    words: Sequence[str], names: Sequence[Name], free: Callable[[int], bool]
) -> tuple[int, int, str] | None:
    """(first, last, value) of the run of words closest to one of the names, if close enough;
    runs start where `free` allows."""
    best: tuple[float, int, int, str] | None = None
    for name, value in names:
        size, typed_name = len(name), " ".join(name)
        for start, word in enumerate(words):
            if word != name[0] or not free(start):
                continue
            for width in (size - 1, size, size + 1):
                if width < 2 or start + width > len(words):
                    continue
                score = fuzz.ratio(
                    typed_name, " ".join(words[start : start + width]), score_cutoff=MATCH_AT
                )
                if score and (best is None or score > best[0]):
                    best = (score, start, start + width, value)
    return None if best is None else best[1:]
