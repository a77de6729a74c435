"""Yes/no answers in Vietnamese and English, with or without diacritics."""

from __future__ import annotations

from scoring.text import fold

YES = frozenset({"co", "yes", "y", "dat", "true", "1", "x", "da co", "roi"})
NO = frozenset({"khong", "no", "n", "chua", "chua dat", "false", "0", "chua co"})


def yes_no(text: str) -> bool | None:
    """True for có/yes/đạt, False for không/no/chưa, None for anything else."""
    folded = fold(text)
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None
