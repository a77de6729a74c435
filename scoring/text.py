"""Vietnamese text folded for matching: no diacritics, lower case, single spaces."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w.&/%]+")


def fold(text: str) -> str:
    """'Điểm Hạ tầng số?' -> 'diem ha tang so'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _PUNCT.sub(" ", text.lower())
    return _SPACES.sub(" ", text).strip(" .")
