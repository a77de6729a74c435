"""What a score question is about: the total, a pillar or a sub-index.

Matching folds diacritics and case, knows the abbreviations and English names the framework
lists, and tolerates small typos; a question it cannot place comes back with the closest names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from scoring.model import Framework
from scoring.text import fold

_SUB_CODE = re.compile(r"(?<![\d.])(\d{1,2})\s*[.,]\s*(\d{1,2})(?![\d.,])")
_PILLAR_NUMBER = re.compile(r"\b(?:chi so|tru cot|pillar|index|nhom)\s*(?:chinh\s*)?(\d{1,2})\b")
_TOTAL_WORDS = re.compile(r"\b(?:tong|dti|total|overall|toan bo|ca tinh)\b")
# Words every score question may carry; they say nothing about what it is about.
_FILLER = re.compile(
    r"\b(?:diem|so diem|hien tai|hien nay|bao nhieu|duoc|dat|la|cua|tinh|chi so|the nao|"
    r"xem|cho|toi|hoi|score|points|current|what|is|the|of|now|how|much|many|show|me|nhu)\b"
)
MATCH_AT = 80  # fuzzy score (0-100) from which a pillar name counts as named
LONG_NAME = 10  # characters from which a name may be matched with typos
SHORT_NAME_MATCH = 92


@dataclass(frozen=True, slots=True)
class Target:
    """kind is 'total', 'pillar', 'sub_index' or 'unknown'; suggestions only for 'unknown'."""

    kind: str
    code: str = ""
    suggestions: tuple[str, ...] = ()


def resolve(framework: Framework, text: str) -> Target:
    """Place a free-text score question within the framework."""
    folded = fold(text)
    code_match = _SUB_CODE.search(text)
    if code_match:
        code = f"{int(code_match.group(1))}.{int(code_match.group(2))}"
        if framework.sub_index(code):
            return Target("sub_index", code)
        pillar = framework.pillar(str(int(code_match.group(1))))
        near = [s.code for s in pillar.sub_indices] if pillar else []
        return Target("unknown", code, tuple(near[:6]) or _closest(framework, folded))
    number = _PILLAR_NUMBER.search(folded) or re.fullmatch(r"(\d{1,2})", folded)
    if number and framework.pillar(str(int(number.group(1)))):
        return Target("pillar", str(int(number.group(1))))
    best_code, best = _best_pillar(framework, folded)
    if best >= MATCH_AT:
        return Target("pillar", best_code)
    if _TOTAL_WORDS.search(folded) or not _FILLER.sub(" ", folded).strip():
        return Target("total")
    by_name = _best_sub_index(framework, folded)
    if by_name:
        return Target("sub_index", by_name)
    return Target("unknown", "", _closest(framework, folded))


@dataclass(frozen=True, slots=True)
class _Names:
    pillars: dict[str, list[str]]
    sub_indices: dict[str, str]


_NAMES: dict[int, tuple[Framework, _Names]] = {}


def _folded(framework: Framework) -> _Names:
    """Folded names of a framework, computed once per framework object."""
    held = _NAMES.get(id(framework))
    if held is None or held[0] is not framework:
        names = _Names(
            {
                p.code: [fold(n) for n in (p.name, p.name_en, *p.aliases) if n]
                for p in framework.pillars
            },
            {s.code: fold(s.name) for s in framework.sub_indices},
        )
        if len(_NAMES) > 16:
            _NAMES.clear()
        held = _NAMES[id(framework)] = (framework, names)
    return held[1]


def _names(framework: Framework, code: str) -> list[str]:
    return _folded(framework).pillars[code]


def _pillar_score(names: list[str], folded: str, words: set[str]) -> float:
    best = 0.0
    for name in names:
        if " " not in name and len(name) <= 5:  # an abbreviation such as HTS: exact word only
            best = max(best, 100.0 if name in words else 0.0)
        else:
            ratio = _window_ratio(name, folded.split())
            # A short name ("ha tang") is too close to unrelated words ("nha trang") to allow
            # typos; longer names do.
            if len(name) >= LONG_NAME or ratio >= SHORT_NAME_MATCH:
                best = max(best, ratio)
    return best


def _window_ratio(name: str, words: list[str]) -> float:
    """How well a name matches some run of whole words of the question (typos allowed)."""
    size = len(name.split())
    best = 0.0
    for width in {max(size - 1, 1), size, size + 1}:
        for start in range(max(len(words) - width, 0) + 1):
            best = max(best, fuzz.ratio(name, " ".join(words[start : start + width])))
    return best


def _best_pillar(framework: Framework, folded: str) -> tuple[str, float]:
    words = set(folded.split())
    scored = [
        (_pillar_score(_names(framework, p.code), folded, words), p.code)
        for p in framework.pillars
    ]
    best, code = max(scored)
    return code, best


def _best_sub_index(framework: Framework, folded: str) -> str | None:
    topic = _FILLER.sub(" ", folded).strip()
    if len(topic) < 8:
        return None
    names = _folded(framework).sub_indices
    scored = [(fuzz.token_set_ratio(name, topic), code) for code, name in names.items()]
    best, code = max(scored)
    return code if best >= 90 else None


def _closest(framework: Framework, folded: str) -> tuple[str, ...]:
    """Pillar codes, closest name first."""
    words = set(folded.split())
    ranked = sorted(
        framework.pillars,
        key=lambda p: (
            -max(
                _pillar_score(_names(framework, p.code), folded, words),
                fuzz.WRatio(fold(p.name), folded),
            )
        ),
    )
    return tuple(p.code for p in ranked[:3])
