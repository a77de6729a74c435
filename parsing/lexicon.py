"""Everything the router knows, built once at start: the vocabulary, the frameworks' pillars and
sub-index names, the agencies (old names resolved to their successors), provinces, frameworks.

`build_lexicon` reads the vocabulary files (package data) and indexes the loaded reference data;
routing then only looks things up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import NamedTuple

from parsing.fuzzy import LongNames, long_names
from parsing.phrases import PhraseIndex, accent_key
from parsing.subindex_names import NameIndex, Unit, build_name_index, unit, without_ordinary
from parsing.tokens import WORD, fold_chars, name_words, phrase_of, tokenize, words_of
from parsing.typos import TypoIndex
from parsing.vocabulary_files import Vocabulary, load_vocabulary
from scoring.model import Agency, Directory, Framework, FrameworkKind

# Markers a longer phrase inherits from the words inside it: "ai chủ trì" is a question too.
_INHERITED = ("question", "hypothetical")
# A phrase ending with one of these asks too: "có tăng không", "đã đạt chưa".
_ASKING_TAIL = "question_tail"
SHORT_CODE = 3  # agency codes this short ("STC", "CAT") count only when typed in capitals


# A run of characters between spaces, read: its tokens, each as (folded, kind, start, end in
# the run, as written in lower case, the word read: a typo corrected), whether one of them
# may be shorthand or an acronym to expand, and the run folded.
PieceToken = tuple[str, str, int, int, str, str]
Piece = tuple[int, tuple[PieceToken, ...], bool, str]


class Sense(NamedTuple):
    """What a phrase means. kind: "cue" (name: the intent kind, weight), "marker" (name: the
    marker), "pillar" (name: framework code, value: pillar code), "agency" (name: agency code,
    value: "strong", "bare" or "capitals"), "province" (name: as the list writes it, value:
    "capitals" when it must be typed so), "framework" (name: framework code)."""

    kind: str
    name: str
    value: str = ""
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Meaning:
    """What the senses of a phrase add up to, worked out once per phrase."""

    marks: frozenset[str]  # its markers
    cues: tuple[tuple[str, float], ...]  # (kind, weight) of its cues
    things: tuple[Sense, ...]  # pillars, agencies, provinces, frameworks
    capitals: bool  # one of its senses counts only when typed in capitals
    measure: bool  # "điểm", "%": after a number, its unit rather than a cue
    # For matching sub-indices by name: its words may be a name's core words ("chữ ký số",
    # "số" as an ordinal), or only help choose (a pillar's or agency's name, "chuyển đổi số").
    core: bool
    support: bool
    canonical: tuple[str, ...] | None  # a synonym's wording in the names ("chứng thư số")
    unit: Unit | None  # the phrase as a unit of a sub-index name (parsing.subjects)


# Markers that only give context to the words around them and may also be ordinary words of a
# name: "số" (ordinal) in "chữ ký số", "chứ" (question tail) folded like "chủ".
CONTEXT_ONLY = frozenset(
    {"agency_head", "ordinal", "count", "question_tail", "targets", "calendar"}
)


def meaning_of(
    senses: tuple[Sense, ...],
    synonym: tuple[tuple[str, ...], ...] = (),
    phrase: tuple[str, ...] = (),
) -> Meaning:
    """What the senses add up to; `synonym` is what the synonym table reads the `phrase` as."""
    marks = frozenset(s.name for s in senses if s.kind == "marker")
    named = next((words_of(s.name) for s in senses if s.kind == "name"), None)
    canonical = named or (synonym[0] if synonym else None)
    support = any(s.kind in ("pillar", "agency") or s.name == "total" for s in senses)
    words = canonical or phrase
    return Meaning(
        marks,
        tuple((s.name, s.weight) for s in senses if s.kind == "cue"),
        tuple(s for s in senses if s.kind not in ("cue", "marker", "name")),
        any(s.value == "capitals" for s in senses),
        bool(marks & {"points", "percent"}),
        all(s.kind == "name" or s.kind == "marker" and s.name in CONTEXT_ONLY for s in senses),
        support,
        canonical,
        unit(words, support or canonical is not None) if words else None,
    )


@lru_cache(maxsize=1024)
def narrowed_meaning(senses: tuple[Sense, ...]) -> Meaning:
    """What the senses left of a phrase add up to, when the diacritics typed or the case left
    out some of them (the index's note covers all of them); kept, as it recurs."""
    return meaning_of(senses)


@dataclass(frozen=True, slots=True)
class FrameworkEntry:
    framework: Framework
    names: NameIndex  # its sub-indices' names
    pillar_names: LongNames  # its pillars' long names, for typo matching


@dataclass(frozen=True, slots=True)
class Lexicon:
    phrases: PhraseIndex[Sense]
    synonyms: PhraseIndex[tuple[str, ...]]
    typos: TypoIndex
    # Shorthand ("bn") and acronyms typed in capitals ("AI"): (folded words, words as written).
    abbreviations: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    acronyms: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    expandable: frozenset[str]  # folded words that may be shorthand or an acronym
    number_words: dict[str, int]
    frameworks: dict[str, FrameworkEntry]
    primary: str  # the framework codes and names resolve in when the message names none
    home_province: str
    held_provinces: dict[str, tuple[str, ...]]  # folded province -> its framework codes
    agency_names: LongNames  # long names, for typo matching
    directory: Directory
    name_spellings: dict[str, frozenset[str]]  # folded name word -> its spellings (accent_key)
    count_words: tuple[tuple[str, ...], ...]  # after how many: "5 chỉ số", "3 mục"
    # A word no phrase claims, as a unit of a sub-index name, by (word, as written, whether
    # the message has diacritics): filled as messages come (parsing.subjects).
    loose_units: dict[tuple[str, str, bool], Unit]
    # What each run of characters between spaces reads as (parsing.reading): filled as
    # messages come, so a word typed again costs one dictionary probe.
    pieces: dict[str, Piece]
    name_vocabulary: frozenset[str]  # every folded word of a sub-index name or a synonym
    ordinary: frozenset[str]  # words that never name a sub-index ("vào", "của"), as accent_key

    def framework(self, code: str | None = None) -> Framework:
        return self.frameworks[code or self.primary].framework


Entry = tuple[tuple[str, ...], tuple[str, ...], Sense]


def build_lexicon(
    frameworks: Sequence[Framework],
    directory: Directory,
    province: str,
    vocabulary: Vocabulary | None = None,
) -> Lexicon:
    """The lexicon for these frameworks and agencies; `province` is the deployment's own (the
    `province:` of the agencies file), whose figures the data holds."""
    if not frameworks:
        raise ValueError("the router needs at least one framework")
    vocab = vocabulary or load_vocabulary()
    synonyms = PhraseIndex(
        (*phrase_of(phrase), words_of(group[0])) for group in vocab.synonyms for phrase in group
    )
    entries: list[Entry] = []
    entries += _vocabulary_phrases(vocab)
    entries += _framework_phrases(frameworks)
    entries += _pillar_synonyms(vocab, entries)
    entries += _agency_phrases(directory, vocab.markers["agency_head"])
    entries += _province_phrases(vocab, frameworks, province)
    names = [s.name for f in frameworks for s in f.sub_indices]
    written = {w for name in names for w in phrase_of(name)[1]}
    phrases = PhraseIndex(
        _with_inherited(entries),
        known=written,
        annotate=lambda phrase, senses: meaning_of(senses, synonyms.senses(phrase), phrase),
    )
    known = {w for phrase in phrases.phrases() for w in phrase}
    known |= {w for group in vocab.synonyms for phrase in group for w in words_of(phrase)}
    known |= {w for name in names for w in name_words(name)}
    known |= {fold_chars(w) for w in vocab.number_words}
    ordinary = frozenset(
        accent_key(w) for phrase in vocab.markers["ordinary"] for w in phrase_of(phrase)[1]
    )
    known |= {w for phrase in vocab.markers["ordinary"] for w in words_of(phrase)}
    return Lexicon(
        phrases=phrases,
        synonyms=synonyms,
        typos=TypoIndex(known),
        abbreviations={fold_chars(k): phrase_of(v) for k, v in vocab.abbreviations.items()},
        acronyms={k: phrase_of(v) for k, v in vocab.acronyms.items()},
        expandable=frozenset(fold_chars(k) for k in (*vocab.abbreviations, *vocab.acronyms)),
        number_words={fold_chars(k): v for k, v in vocab.number_words.items()},
        frameworks={
            f.code: FrameworkEntry(
                f,
                build_name_index(f, synonyms, partial(_name_words, synonyms, ordinary)),
                _long_pillar_names(f),
            )
            for f in frameworks
        },
        primary=_primary(frameworks, province),
        home_province=province,
        held_provinces=_held_provinces(frameworks, province),
        agency_names=_long_agency_names(directory),
        directory=directory,
        count_words=tuple(words_of(p) for p in vocab.markers["count"]),
        loose_units={},
        pieces={},
        name_vocabulary=frozenset(
            {w for name in names for w in words_of(name)}
            | {w for group in vocab.synonyms for phrase in group for w in words_of(phrase)}
        ),
        ordinary=ordinary,
        name_spellings=_spellings(
            (*names, *(phrase for group in vocab.synonyms for phrase in group))
        ),
    )


def _name_words(
    synonyms: PhraseIndex[tuple[str, ...]], ordinary: frozenset[str], text: str
) -> list[str]:
    """A name's folded words (numbers left out), GAP for its ordinary ones."""
    found = tokenize(text)
    kept = [i for i, kind in enumerate(found.kinds) if kind == WORD]
    written = found.written()
    return without_ordinary(
        [found.texts[i] for i in kept], [written[i] for i in kept], synonyms, ordinary
    )


def _spellings(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for text in texts:
        for folded, written in zip(*phrase_of(text), strict=True):
            found.setdefault(folded, set()).add(accent_key(written))
    return {folded: frozenset(keys) for folded, keys in found.items()}


def _entries(text: str, sense: Sense) -> list[Entry]:
    """A phrase as written, and without its commas ("Sở Văn hóa, Thể thao và Du lịch")."""
    folded, written = phrase_of(text)
    out = [(folded, written, sense)]
    if "," in folded and len(folded) > 1:
        kept = [i for i, w in enumerate(folded) if w != ","]
        out.append((tuple(folded[i] for i in kept), tuple(written[i] for i in kept), sense))
    return out


def _vocabulary_phrases(vocab: Vocabulary) -> list[Entry]:
    out: list[Entry] = []
    for kind, cues in vocab.cues.items():
        for phrase, weight in cues.items():
            folded, written = phrase_of(phrase)
            sense = Sense("cue", kind, "", weight)
            out.append((folded, written, sense))
            # Typed without spaces: "chutri", "xephang", "baonhieu".
            if len(folded) > 1 and all(w.isalpha() for w in folded) and len("".join(folded)) > 5:
                out.append((("".join(folded),), ("".join(folded),), sense))
    for name, markers in vocab.markers.items():
        if name != "ordinary":  # not a marker: only left out of name matching
            out += [(*phrase_of(phrase), Sense("marker", name)) for phrase in markers]
    # Names of things sub-indices measure ("hộ gia đình", "nền tảng"): read whole, so the
    # shorter cues inside them ("giả định", "tăng") do not fire. A one-word name shadows
    # nothing: the synonym table reads it where it stands.
    for group in vocab.synonyms:
        for phrase in group:
            folded, written = phrase_of(phrase)
            if len(folded) > 1:
                out.append((folded, written, Sense("name", group[0])))
    return out


def _pillar_synonyms(vocab: Vocabulary, entries: list[Entry]) -> list[Entry]:
    """A synonym group holding a pillar's name names the pillar in each of its phrases:
    "chính quyền điện tử" is pillar 6 as "chính quyền số" is."""
    pillars: dict[tuple[str, ...], list[Sense]] = {}
    for phrase, _, sense in entries:
        if sense.kind == "pillar":
            pillars.setdefault(phrase, []).append(sense)
    out: list[Entry] = []
    for group in vocab.synonyms:
        named = [s for phrase in group for s in pillars.get(words_of(phrase), [])]
        out += [(*phrase_of(phrase), sense) for phrase in group for sense in named]
    return out


def _framework_phrases(frameworks: Sequence[Framework]) -> list[Entry]:
    out: list[Entry] = []
    for framework in frameworks:
        for name in (framework.name, *framework.aliases):
            out += _entries(name, Sense("framework", framework.code))
        for pillar in framework.pillars:
            for name in (pillar.name, pillar.name_en, *pillar.aliases):
                if name.strip():
                    out += _entries(name, Sense("pillar", framework.code, pillar.code))
    return out


def _successor(directory: Directory, agency: Agency) -> str:
    """The agency that answers for `agency` today: its successor's successor …"""
    seen = {agency.code}
    current = agency
    while current.successor and current.successor not in seen:
        seen.add(current.successor)
        following = directory.agency(current.successor)
        if following is None:
            return current.successor
        current = following
    return current.code


def _agency_phrases(directory: Directory, heads: Iterable[str]) -> list[Entry]:
    head_words = {words_of(h) for h in heads}
    out: list[Entry] = []
    named: list[tuple[str, str, tuple[str, ...]]] = [
        (_successor(directory, a), a.name, (*a.aliases, a.code)) for a in directory.agencies
    ]
    named += [(g.code, g.name, (*g.aliases, g.code)) for g in directory.groups]
    codes = {a.code for a in directory.agencies} | {g.code for g in directory.groups}
    for code, name, aliases in named:
        for text in (name, *aliases):
            words = words_of(text)
            if words:
                strength = _strength(text, name, words, codes, head_words)
                out += _entries(text, Sense("agency", code, strength))
    return out


def _strength(
    text: str, name: str, words: tuple[str, ...], codes: set[str], heads: set[tuple[str, ...]]
) -> str:
    """ "capitals": a short code, named only when typed in capitals ("CAT", not "cat");
    "bare": everyday words ("Tài chính", "Xây dựng"), named only next to a question about what an
    agency answers for; "strong": anything else (full names, "Sở KH&CN", "VNPT", English)."""
    if text in codes or (len(words) == 1 and text.isupper()):
        return "capitals" if len(text) <= SHORT_CODE else "strong"
    if text == name or text.isascii() or any(words[: len(h)] == h for h in heads):
        return "strong"
    return "bare"


def _long_agency_names(directory: Directory) -> LongNames:
    names = [(a.name, _successor(directory, a)) for a in directory.agencies]
    names += [(alias, _successor(directory, a)) for a in directory.agencies for alias in a.aliases]
    return long_names([(words_of(text), code) for text, code in names])


def _long_pillar_names(framework: Framework) -> LongNames:
    return long_names(
        [
            (words_of(name), pillar.code)
            for pillar in framework.pillars
            for name in (pillar.name, pillar.name_en, *pillar.aliases)
            if name.strip()
        ]
    )


def _held_provinces(frameworks: Sequence[Framework], home: str) -> dict[str, tuple[str, ...]]:
    held: dict[str, tuple[str, ...]] = {fold_chars(home): ()}
    for framework in frameworks:
        if framework.province and fold_chars(framework.province) != fold_chars(home):
            key = fold_chars(framework.province)
            held[key] = (*held.get(key, ()), framework.code)
    return held


def _province_phrases(
    vocab: Vocabulary, frameworks: Sequence[Framework], home: str
) -> list[Entry]:
    out: list[Entry] = []
    listed = set()
    for province in vocab.provinces:
        listed.add(fold_chars(province.name))
        value = "capitals" if province.needs_capital else ""
        for text in (province.name, *province.aliases):
            out += _entries(text, Sense("province", province.name, value))
    for name in (home, *(f.province for f in frameworks)):
        if name and fold_chars(name) not in listed:
            out += _entries(name, Sense("province", name))
    return out


def _with_inherited(entries: list[Entry]) -> list[Entry]:
    """Each phrase also carries the question and hypothetical markers of the phrases inside it."""
    inner = {
        (phrase, sense.name)
        for phrase, _, sense in entries
        if sense.kind == "marker" and sense.name in _INHERITED
    }
    by_marker = {name: {p for p, n in inner if n == name} for name in _INHERITED}
    tails = {p for p, _, s in entries if s.kind == "marker" and s.name == _ASKING_TAIL}
    out = list(entries)
    for phrase, written, sense in entries:
        if sense.kind not in ("cue", "marker"):
            continue  # names ("trung tâm dữ liệu") hold no question ("liệu")
        for name, parts in by_marker.items():
            if any(_contains(phrase, part) for part in parts if len(part) < len(phrase)):
                out.append((phrase, written, Sense("marker", name)))
        if len(phrase) > 1 and any(phrase[-len(t) :] == t for t in tails):
            out.append((phrase, written, Sense("marker", "question")))
    return out


def _contains(phrase: tuple[str, ...], part: tuple[str, ...]) -> bool:
    size = len(part)
    return any(phrase[i : i + size] == part for i in range(len(phrase) - size + 1))


def _primary(frameworks: Sequence[Framework], home: str) -> str:
    """The newest DTI framework of the deployment's own province, else the first given."""
    own = [
        f
        for f in frameworks
        if f.kind == FrameworkKind.DTI and fold_chars(f.province or home) == fold_chars(home)
    ]
    return max(own, key=lambda f: f.year).code if own else frameworks[0].code
