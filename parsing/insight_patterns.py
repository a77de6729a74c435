"""Keyword patterns of the first insight recogniser (to be replaced by parsing.router): weakest,
what-if, who holds a sub-index, what an agency holds, who has not reported, change over time,
rank, summary. Score questions that are none of these are left to scoring.lookup."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import fold

_CODE = r"(\d{1,2}\.\d{1,2})"
_VALUE = r"(\d[\d.,]*\s*%?|có|co|không|khong|yes|no)"
_LINK = r"\s*(?:đạt|dat|là|la|=|:|bằng|bang|is|at|reaches|to|lên|len)?\s*"
_CHANGE = re.compile(_CODE + _LINK + _VALUE, re.IGNORECASE)
_TARGET = re.compile(r"(?<![\d.,])(\d{3,4})(?![\d.,])")

_PATTERNS = (
    ("what_if", r"\b(?:neu|gia su|what if|suppose)\b"),
    (
        "weakest",
        r"\b(?:mat (?:nhieu )?diem|yeu nhat|thap nhat|kem nhat|weakest|lost the most|lowest)\b",
    ),
    ("gap", r"\b(?:con thieu|thieu bao nhieu|de dat|con cach|how far|to reach|short of)\b"),
    (
        "not_reported",
        r"\b(?:chua bao cao|chua nop|cham bao cao|tre han|not reported|late agencies)\b",
    ),
    ("rank", r"\b(?:xep hang|thu hang|ranking|rank)\b"),
    ("trend", r"\b(?:so voi|xu huong|thay doi|tang giam|bien dong|trend|compared|change since)\b"),
    ("summary", r"\b(?:tom tat|tong quan|summary|overview)\b"),
    (
        "holders",
        r"\b(?:ai|who|co quan nao|don vi nao)\b.*\b(?:chu tri|phoi hop|phu trach|leads?|coord)",
    ),
    (
        "agency_holds",
        r"\b(?:chu tri|phu trach|phoi hop|leads?)\b.*\b(?:chi so nao|nhung chi so)\b",
    ),
    ("agency_holds", r"\bchi so cua\b|\bwhich\b.*\b(?:leads?|coordinates?|holds?)\b"),
)
_COMPILED = tuple((kind, re.compile(p)) for kind, p in _PATTERNS)


@dataclass(frozen=True, slots=True)
class Intent:
    kind: str
    text: str  # the question, for the parts the service resolves (agency, pillar, sub-index)
    codes: tuple[str, ...] = ()
    changes: tuple[tuple[str, str], ...] = ()  # what-if: (code, value as typed)
    target: int | None = None


def classify(text: str) -> Intent | None:
    """The insight a question asks for, or None for anything else (a plain score question)."""
    folded = fold(text)
    for kind, pattern in _COMPILED:
        if not pattern.search(folded):
            continue
        codes = tuple(re.findall(_CODE, text))
        if kind == "what_if":
            changes = tuple((c, v.strip()) for c, v in _CHANGE.findall(text))
            if not changes:
                continue
            return Intent(kind, text, codes, changes)
        if kind == "gap":
            found = _TARGET.search(text)
            return Intent(kind, text, codes, target=int(found.group(1)) if found else None)
        if kind == "holders" and not codes:
            continue
        return Intent(kind, text, codes)
    return None
