"""A message read once for every extractor: its words (shorthand expanded, typos corrected) and
the phrases of the lexicon found in them, with the spans of the text as typed."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import itemgetter
from typing import cast

from parsing.lexicon import Lexicon, Meaning, Piece, Sense, narrowed_meaning
from parsing.phrases import Hit
from parsing.sentences import sentence_ends
from parsing.subindex_names import Unit
from parsing.tokens import NUMBER, WORD, Tokens, fold_chars, positions, tokenize

# The cues of the sentences before the question count CONTEXT_SHARE (parsing.sentences).
CONTEXT_SHARE = 0.5
_PIECES = 50_000  # runs of characters kept read
_ROWS, _SPECIAL = itemgetter(1), itemgetter(2)
# Before a province name that is also an everyday phrase: "tỉnh Cao Bằng", "thành phố Huế".
_PLACE_WORDS = frozenset({"tinh", "pho", "tp"})

# Words first..last-1 as a unit of a sub-index name, with the meaning of the phrase they are
# (None: a word no phrase claims).
NamePart = tuple[int, int, Unit, Meaning | None]


@dataclass(slots=True)
class Reading:
    tokens: Tokens
    words: list[str]  # folded, expanded, corrected
    written: list[str]  # as typed, lower case (expansions as the vocabulary writes them)
    kinds: list[str]  # WORD, NUMBER or SYMBOL
    origin: list[int]  # the token each word comes from
    hits: list[Hit[Sense]] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # the hit covering each word, -1 for none
    cues: dict[str, float] = field(default_factory=dict)  # kind -> evidence of its cues
    markers: dict[str, list[int]] = field(default_factory=dict)  # marker -> hit indices
    numbers: list[int] = field(default_factory=list)  # the words that are numbers
    things: list[tuple[int, Sense]] = field(default_factory=list)  # (hit, sense) of entities
    meanings: list[Meaning] = field(default_factory=list)  # of each hit
    name_parts: list[NamePart] | None = None  # what may belong to a sub-index name (subjects)
    # The words of the sentence that asks, when the message has several (see _weigh_cues).
    focus: tuple[int, int] | None = None
    # Where each sentence after the first starts (a word index), and whether each sentence is
    # typed with diacritics: its plain words then mean them ("gia" is not "giả").
    breaks: list[int] = field(default_factory=list)
    accented: list[bool] = field(default_factory=list)
    word_set: frozenset[str] | None = None  # of the words, made on first use (where)

    def __len__(self) -> int:
        return len(self.words)

    def typed(self, first: int, last: int) -> str:
        """The text as typed of words first..last-1."""
        if first >= last:
            return ""
        return self.tokens.typed(self.origin[first], self.origin[last - 1] + 1)

    def capitalised(self, word: int) -> bool:
        """Typed with a capital first letter: "Nha" in "phường Nha Trang"."""
        return self.typed(word, word + 1)[:1].isupper()

    def senses(self, word: int) -> tuple[Sense, ...]:
        if not 0 <= word < len(self.owner):
            return ()
        hit = self.owner[word]
        return self.hits[hit].senses if hit >= 0 else ()

    def marked(self, word: int, marker: str) -> bool:
        if not 0 <= word < len(self.owner):
            return False
        hit = self.owner[word]
        return hit >= 0 and marker in self.meanings[hit].marks

    def has(self, marker: str) -> bool:
        return marker in self.markers

    def spans(self, marker: str) -> list[Hit[Sense]]:
        return [self.hits[i] for i in self.markers.get(marker, ())]

    def present(self) -> frozenset[str]:
        """The set of the words (made once)."""
        if self.word_set is None:
            self.word_set = frozenset(self.words)
        return self.word_set

    def where(self, wanted: AbstractSet[str]) -> list[int]:
        """The places of the words that are in `wanted`, in order."""
        return positions(self.words, wanted, self.present())

    def is_number(self, word: int) -> bool:
        return 0 <= word < len(self.words) and self.kinds[word] == NUMBER

    def strict(self, word: int) -> bool:
        """The word's sentence is typed with diacritics."""
        return self.accented[bisect_right(self.breaks, word) if self.breaks else 0]


def read(text: str, lexicon: Lexicon, *, sentence: bool = False) -> Reading:
    """The words of a message and the lexicon's phrases in them; `sentence`: the text is one
    sentence (parsing.sentences.sentences_of), not to be split again."""
    source = unicodedata.normalize("NFC", text)
    reading = _from_pieces(source, lexicon)
    if reading is None:
        reading = _words(tokenize(source), lexicon)
    words, kinds = reading.words, reading.kinds
    reading.owner = owner = [-1] * len(words)
    reading.numbers = list(compress(range(len(kinds)), map(NUMBER.__eq__, kinds)))
    hits, meanings, markers = reading.hits, reading.meanings, reading.markers
    counted: set[int | str] = set()
    cued: list[tuple[int, tuple[tuple[str, float], ...]]] = []  # (first word, cues)
    _sentences(reading, sentence)
    # Inline rather than a call a phrase: this runs for every phrase of every message.
    for hit in _scan(reading, lexicon):
        meaning = hit.note if hit.note is not None else narrowed_meaning(hit.senses)
        if meaning.capitals:
            kept = _as_typed(reading, hit)
            if kept is None:
                continue
            if kept is not hit:
                hit, meaning = kept, narrowed_meaning(kept.senses)
        first, last, senses, note = hit
        cues = meaning.cues
        if cues and meaning.measure and first > 0 and kinds[first - 1] == NUMBER:
            # "30 điểm", "40 phần trăm": a unit after a number, not a cue.
            hit, cues = Hit(first, last, tuple(s for s in senses if s.kind != "cue")), ()
        at = len(hits)
        hits.append(hit)
        meanings.append(meaning)
        if last - first == 1:
            owner[first] = at
        else:
            owner[first:last] = [at] * (last - first)
        for name in meaning.marks:
            markers.setdefault(name, []).append(at)
        if meaning.things:
            reading.things += [(at, sense) for sense in meaning.things]
        if cues:
            # A phrase counts once however often it is typed; the index hands out one note per
            # phrase, a filtered hit has none.
            phrase = id(note) if note is not None else " ".join(words[first:last])
            if phrase not in counted:
                counted.add(phrase)
                cued.append((first, cues))
    _weigh_cues(reading, cued)
    return reading


def _sentences(reading: Reading, one: bool) -> None:
    """Where the sentences start, and which are typed with diacritics."""
    source = reading.tokens.source
    ends = [] if one else sentence_ends(source)
    if not ends:
        reading.accented = [not source.isascii()]
        return
    # The first word whose token starts at or after each end (tokens are in order, words too).
    starts, origin = reading.tokens.starts, reading.origin
    breaks = sorted({bisect_left(origin, bisect_left(starts, end)) for end in ends})
    reading.breaks = breaks
    # As typed, as read() of the sentence alone holds it: a shorthand expanded ("bn" → "bao
    # nhiêu") is no diacritic typed.
    ends_at, bounds = reading.tokens.ends, [0, *breaks, len(origin)]
    reading.accented = [
        a < b and not source[starts[origin[a]] : ends_at[origin[b - 1]]].isascii()
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]


def _scan(reading: Reading, lexicon: Lexicon) -> list[Hit[Sense]]:
    """The lexicon's phrases in the words, each sentence held to diacritics if it is typed
    with them ("Chào anh. bieu do lich su 6.6": the plain sentence means its plain words)."""
    words, written, accented = reading.words, reading.written, reading.accented
    if all(accented) or not any(accented):
        return lexicon.phrases.scan(words, typed=written, strict=accented[0])
    hits: list[Hit[Sense]] = []
    bounds = [0, *reading.breaks, len(words)]
    for (first, last), strict in zip(zip(bounds, bounds[1:], strict=False), accented, strict=True):
        found = lexicon.phrases.scan(words[first:last], typed=written[first:last], strict=strict)
        hits += [Hit(a + first, b + first, senses, note) for a, b, senses, note in found]
    return hits


def _weigh_cues(reading: Reading, cued: list[tuple[int, tuple[tuple[str, float], ...]]]) -> None:
    """Each kind's evidence from its cues. In a message of several sentences the question is
    the last one with cues: "Chiều nay họp giao ban, theo kế hoạch phải đạt 800 điểm. Điểm hạ
    tầng số bao nhiêu?" asks for a score; the cues of the sentences before it count less."""
    breaks = reading.breaks

    def sentence(word: int) -> int:
        return bisect_right(breaks, word)

    focus = sentence(cued[-1][0]) if cued and breaks else 0
    if focus:
        last = breaks[focus] if focus < len(breaks) else len(reading.words)
        reading.focus = (breaks[focus - 1], last)
    evidence = reading.cues
    for first, cues in cued:
        share = 1.0 if not focus or sentence(first) == focus else CONTEXT_SHARE
        for kind, weight in cues:
            evidence[kind] = evidence.get(kind, 0.0) + weight * share


def _from_pieces(source: str, lexicon: Lexicon) -> Reading | None:
    """The tokens and words of an NFC text, read run by run of characters between spaces, each
    run read once and kept in the lexicon: the same as tokenize and _words give (no token
    spans a space), at the cost of a dictionary probe for a run typed before. None for a text
    with no-break spaces, which may group a number's thousands ("1 082 862").

    (Written as a few passes of built-in functions over the runs, not a loop: this runs for
    every word of every message.)"""
    if "\u00a0" in source or "\u202f" in source:
        return None
    # Split at each space: a run between two spaces in a row is "", one holding another space
    # (a new line) is read with it; the runs' starts are then the running sum of their lengths
    # plus the spaces before them.
    runs = source.split(" ")
    found = list(map(lexicon.pieces.get, runs))
    if not all(found):
        _read_pieces(runs, found, lexicon)
    pieces = cast("list[Piece]", found)
    rows = list(chain.from_iterable(map(_ROWS, pieces)))
    if not rows:
        return Reading(Tokens(source, [], [], [], []), [], [], [], [])
    texts, kinds, starts, ends, written, words = map(list, zip(*rows, strict=True))
    # Each token's span within its run: made spans within the source when first asked for.
    tokens = Tokens(source, texts, kinds, starts, ends, pieces, runs)
    if any(map(_SPECIAL, pieces)):
        return _words(tokens, lexicon)  # shorthand or an acronym to expand: rare
    return Reading(tokens, words, written, kinds, list(range(len(texts))))


def _read_pieces(runs: list[str], found: list[Piece | None], lexicon: Lexicon) -> None:
    """The runs not read before, read and kept."""
    pieces = lexicon.pieces
    for index, run in enumerate(runs):
        if found[index] is None:
            found[index] = piece = _piece(run, lexicon)
            if len(pieces) < _PIECES:  # bounded: a stream of new words cannot grow it
                pieces[run] = piece


def _piece(run: str, lexicon: Lexicon) -> Piece:
    tokens = tokenize(run)
    texts, kinds = tokens.texts, tokens.kinds
    correct, expandable = lexicon.typos.correct, lexicon.expandable
    written, words = tokens.written(), list(map(correct, texts))
    rows = tuple(zip(texts, kinds, tokens.starts, tokens.ends, written, words, strict=True))
    special = any(t in expandable and k == WORD for t, k in zip(texts, kinds, strict=True))
    return len(texts), rows, special, fold_chars(run)


def _words(tokens: Tokens, lexicon: Lexicon) -> Reading:
    """Each token's word, typos corrected, shorthand ("bn" -> "bao nhiêu") and acronyms typed
    in capitals ("AI") expanded; "về" must not read as the cue "vẽ", so `written` keeps the
    diacritics as typed."""
    texts, kinds, typos, known = tokens.texts, tokens.kinds, lexicon.typos, lexicon.typos.known
    # Typed without diacritics or capitals, each word is written as it folds.
    written = (
        tokens.written() if not tokens.source.islower() or not tokens.source.isascii() else texts
    )
    # Only words are corrected: a number or a symbol is never alphabetic, so stays as it is.
    corrected = {t: c for t in set(texts) - known if (c := typos.correct(t)) != t}
    words = list(map(corrected.get, texts, texts)) if corrected else list(texts)
    expandable = lexicon.expandable
    special = (
        []
        if expandable.isdisjoint(texts)
        else [i for i, t in enumerate(texts) if t in expandable and kinds[i] == WORD]
    )
    if not special:
        return Reading(tokens, words, written, kinds, list(range(len(texts))))
    out = Reading(tokens, [], [], [], [])
    done = 0
    for index in special:
        _extend(out, words, written, kinds, done, index)
        typed = tokens.source[tokens.starts[index] : tokens.ends[index]]
        capitals = len(typed) > 1 and typed.isupper()
        table = lexicon.acronyms if capitals else lexicon.abbreviations
        expansion = table.get(typed if capitals else texts[index])
        if expansion is None:
            _extend(out, words, written, kinds, index, index + 1)
        else:
            out.words += expansion[0]
            out.written += expansion[1]
            out.kinds += [WORD] * len(expansion[0])
            out.origin += [index] * len(expansion[0])
        done = index + 1
    _extend(out, words, written, kinds, done, len(texts))
    return out


def _extend(
    out: Reading, words: list[str], written: list[str], kinds: list[str], first: int, last: int
) -> None:
    out.words += words[first:last]
    out.written += written[first:last]
    out.kinds += kinds[first:last]
    out.origin += range(first, last)


def _as_typed(reading: Reading, hit: Hit[Sense]) -> Hit[Sense] | None:
    """The hit without the senses that need capitals when typed in lower case."""
    typed = reading.typed(hit.first, hit.last)
    after_place = hit.first > 0 and reading.words[hit.first - 1] in _PLACE_WORDS
    capitals = typed.isupper() if len(typed) <= 4 else typed[:1].isupper() or after_place
    kept = tuple(s for s in hit.senses if s.value != "capitals" or capitals)
    return Hit(hit.first, hit.last, kept) if kept else None
