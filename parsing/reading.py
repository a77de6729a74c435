"""A message read once for every extractor: its words (shorthand expanded, typos corrected) and
the phrases of the lexicon found in them, with the spans of the text as typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsing.lexicon import Lexicon, Sense
from parsing.phrases import Hit
from parsing.tokens import NUMBER, WORD, Tokens, tokenize

# Before a province name that is also an everyday phrase: "tỉnh Cao Bằng", "thành phố Huế".
_PLACE_WORDS = frozenset({"tinh", "pho", "tp"})


@dataclass(slots=True)
class Reading:
    tokens: Tokens
    words: list[str]  # folded, expanded, corrected
    written: list[str]  # as typed, lower case (expansions as their folded words)
    kinds: list[str]  # WORD, NUMBER or SYMBOL
    origin: list[int]  # the token each word comes from
    hits: list[Hit[Sense]]
    owner: list[int]  # the hit covering each word, -1 for none
    cues: dict[str, float] = field(default_factory=dict)  # kind -> evidence of its cues
    markers: dict[str, list[int]] = field(default_factory=dict)  # marker -> hit indices

    def __len__(self) -> int:
        return len(self.words)

    def typed(self, first: int, last: int) -> str:
        """The text as typed of words first..last-1."""
        if first >= last:
            return ""
        return self.tokens.typed(self.origin[first], self.origin[last - 1] + 1)

    def senses(self, word: int) -> tuple[Sense, ...]:
        if not 0 <= word < len(self.owner):
            return ()
        hit = self.owner[word]
        return self.hits[hit].senses if hit >= 0 else ()

    def marked(self, word: int, marker: str) -> bool:
        return any(s.kind == "marker" and s.name == marker for s in self.senses(word))

    def has(self, marker: str) -> bool:
        return marker in self.markers

    def spans(self, marker: str) -> list[Hit[Sense]]:
        return [self.hits[i] for i in self.markers.get(marker, ())]

    def is_number(self, word: int) -> bool:
        return 0 <= word < len(self.words) and self.kinds[word] == NUMBER


def read(text: str, lexicon: Lexicon) -> Reading:
    """The words of a message and the lexicon's phrases in them."""
    tokens = tokenize(text)
    words: list[str] = []
    written: list[str] = []  # as typed, lower case: "về" must not read as the cue "vẽ"
    kinds: list[str] = []
    origin: list[int] = []
    typos, shorthand, acronyms = lexicon.typos, lexicon.abbreviations, lexicon.acronyms
    for index, (word, kind) in enumerate(zip(tokens.texts, tokens.kinds, strict=True)):
        if kind == WORD:
            typed = tokens.source[tokens.starts[index] : tokens.ends[index]]
            expansion = (
                acronyms.get(typed) if len(typed) > 1 and typed.isupper() else shorthand.get(word)
            )
            if expansion is not None:
                folded, spelled = expansion
                words += folded
                written += spelled
                kinds += [WORD] * len(folded)
                origin += [index] * len(folded)
                continue
            written.append(typed.lower())
            word = typos.correct(word)
        else:
            written.append(word)
        words.append(word)
        kinds.append(kind)
        origin.append(index)
    reading = Reading(tokens, words, written, kinds, origin, [], [-1] * len(words))
    counted: set[tuple[str, ...]] = set()
    # A message typed with diacritics means its plain words too: "gia" is not "giả".
    strict = not tokens.source.isascii()
    for hit in lexicon.phrases.scan(words, typed=written, strict=strict):
        kept = _as_typed(reading, hit)
        if kept is not None:
            _add(reading, kept, counted)
    return reading


def _unit(hit: Hit[Sense]) -> bool:
    return any(s.kind == "marker" and s.name in ("points", "percent") for s in hit.senses)


def _as_typed(reading: Reading, hit: Hit[Sense]) -> Hit[Sense] | None:
    """The hit without the senses that need capitals when typed in lower case."""
    if not any(s.value == "capitals" for s in hit.senses):
        return hit
    typed = reading.typed(hit.first, hit.last)
    after_place = hit.first > 0 and reading.words[hit.first - 1] in _PLACE_WORDS
    capitals = typed.isupper() if len(typed) <= 4 else typed[:1].isupper() or after_place
    kept = tuple(s for s in hit.senses if s.value != "capitals" or capitals)
    return Hit(hit.first, hit.last, kept) if kept else None


def _add(reading: Reading, hit: Hit[Sense], counted: set[tuple[str, ...]]) -> None:
    if hit.first > 0 and reading.is_number(hit.first - 1) and _unit(hit):
        # "30 điểm", "40 phần trăm": a unit after a number, not a cue.
        hit = Hit(hit.first, hit.last, tuple(s for s in hit.senses if s.kind != "cue"))
    at = len(reading.hits)
    reading.hits.append(hit)
    for word in range(hit.first, hit.last):
        reading.owner[word] = at
    phrase = tuple(reading.words[hit.first : hit.last])
    fresh = phrase not in counted  # a phrase counts once however often it is typed
    counted.add(phrase)
    for sense in hit.senses:
        if sense.kind == "cue" and fresh:
            reading.cues[sense.name] = reading.cues.get(sense.name, 0.0) + sense.weight
        elif sense.kind == "marker":
            reading.markers.setdefault(sense.name, []).append(at)
