"""The router's vocabulary, read from the YAML files in parsing/vocabulary/ (package data).

Reading happens once, when the lexicon is built at start; routing itself never reads a file.
Every error names the file and what is wrong, so whoever extends a list knows what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from parsing.intents import KINDS
from scoring.yaml_reader import safe_load

STRONG, WEAK = 2.0, 1.0
CUE_KINDS = frozenset(KINDS.values()) - {"unclear", "no_data"}
MARKERS = frozenset(
    {
        "question",
        "question_tail",
        "hypothetical",
        "then",
        "link",
        "points",
        "percent",
        "separator",
        "provisional",
        "official",
        "total",
        "history",
        "code_prefix",
        "pillar_prefix",
        "ordinal",
        "count",
        "targets",
        "dti",
        "agency_head",
        "not_held",
        "filler",
        "greeting",
        "calendar",
        "done_question",
        "ordinary",
        "other_province",
        "commune",
        "reporting",
        "movement",
        "step_up",
        "step_down",
        "first_person",
    }
)


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    aliases: tuple[str, ...] = ()
    needs_capital: bool = False  # also an everyday phrase: counts only typed with capitals


@dataclass(frozen=True, slots=True)
class Vocabulary:
    cues: dict[str, dict[str, float]]  # kind -> phrase -> weight
    markers: dict[str, tuple[str, ...]]  # marker -> phrases
    number_words: dict[str, int]
    abbreviations: dict[str, str]
    synonyms: tuple[tuple[str, ...], ...]  # each group: the names' wording first
    acronyms: dict[str, str]  # typed in capitals -> phrase
    provinces: tuple[Province, ...]


def load_vocabulary(folder: Traversable | None = None) -> Vocabulary:
    """The vocabulary shipped with the package, or the one in `folder` (same file names)."""
    where = folder or files("parsing") / "vocabulary"
    cues = _mapping(where, "cues.yaml")
    markers = _mapping(where, "markers.yaml")
    synonyms = _mapping(where, "synonyms.yaml")
    provinces = _mapping(where, "provinces.yaml")
    return Vocabulary(
        cues=_cues(cues),
        markers={name: _phrases(markers, name, "markers.yaml") for name in sorted(MARKERS)},
        number_words={
            str(k): _int(v, "markers.yaml", f"number_words.{k}")
            for k, v in _dict(markers.get("number_words"), "markers.yaml", "number_words").items()
        },
        abbreviations={
            str(k): "" if v is None else str(v)
            for k, v in _dict(
                markers.get("abbreviations"), "markers.yaml", "abbreviations"
            ).items()
        },
        synonyms=tuple(
            _group(group, index) for index, group in enumerate(_list(synonyms, "groups"))
        ),
        acronyms={
            str(k): str(v)
            for k, v in _dict(synonyms.get("acronyms"), "synonyms.yaml", "acronyms").items()
        },
        provinces=tuple(_province(item) for item in _list(provinces, "provinces")),
    )


def _mapping(folder: Traversable, name: str) -> dict[str, Any]:
    try:
        # libyaml where it is built, as for the data files: the pure-Python parser took a
        # quarter of a second of CPU for the four files at every build of the lexicon.
        data = safe_load((folder / name).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise VocabularyError(f"{name}: cannot read ({error})") from error
    if not isinstance(data, dict):
        raise VocabularyError(f"{name}: must be a mapping of lists")
    return data


def _cues(data: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind, lists in data.items():
        if kind not in CUE_KINDS:
            known = ", ".join(sorted(CUE_KINDS))
            raise VocabularyError(f"cues.yaml: unknown kind {kind!r} (use one of: {known})")
        table = _dict(lists, "cues.yaml", kind)
        unknown = set(table) - {"strong", "weak"}
        if unknown:
            raise VocabularyError(f"cues.yaml: {kind}: only 'strong' and 'weak', not {unknown}")
        phrases: dict[str, float] = {}
        for strength, weight in (("weak", WEAK), ("strong", STRONG)):
            for phrase in _phrases(table, strength, f"cues.yaml: {kind}", required=False):
                phrases[phrase] = weight
        out[str(kind)] = phrases
    return out


def _phrases(
    data: dict[str, Any], key: str, where: str, *, required: bool = True
) -> tuple[str, ...]:
    value = data.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value:
        raise VocabularyError(f"{where}: '{key}' must be a list of phrases")
    for phrase in value:
        if not isinstance(phrase, str) or not phrase.strip():
            # YAML reads a bare no, yes, on, off as true/false and 12 as a number.
            raise VocabularyError(f'{where}: {key}: put {phrase!r} in quotes ("...")')
    return tuple(value)


def _dict(value: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VocabularyError(f"{where}: '{key}' must be a mapping")
    return {str(k): v for k, v in value.items()}


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise VocabularyError(f"'{key}' must be a list")
    return value


def _int(value: Any, where: str, key: str) -> int:
    if not isinstance(value, int):
        raise VocabularyError(f"{where}: '{key}' must be a whole number")
    return value


def _group(group: Any, index: int) -> tuple[str, ...]:
    if not isinstance(group, list) or len(group) < 2:
        raise VocabularyError(f"synonyms.yaml: group {index + 1} must list two phrases or more")
    if not all(isinstance(p, str) and p.strip() for p in group):
        where = f"synonyms.yaml: group {index + 1}"
        raise VocabularyError(f'{where}: put every phrase in quotes ("...")')
    return tuple(group)


def _province(item: Any) -> Province:
    if not isinstance(item, dict) or not item.get("name"):
        raise VocabularyError(f"provinces.yaml: each province needs a name, not {item!r}")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list):
        raise VocabularyError(f"provinces.yaml: {item['name']}: 'aliases' must be a list")
    return Province(
        str(item["name"]), tuple(str(a) for a in aliases), bool(item.get("needs_capital"))
    )
