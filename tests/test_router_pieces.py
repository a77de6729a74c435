"""A message read run by run between spaces (each run's reading kept in the lexicon) reads as
the whole text cut into tokens at once: the same tokens, spans, words, folded text."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsing.reading import Reading, _from_pieces, _words
from parsing.tokens import fold_chars, tokenize
from tests.router_data import bundled_lexicon

WORDS = (
    "Điểm", "điểm", "DTI", "bn", "AI", "8.2", "8,2:", "12,5%", "1.082.862", "Q3/2025", "quý", "ạ.",
    "@bot", "hạ", "tầng", "số?", "SỞ", "İ", "Σ", "ﬁ", "e\u0301", "—", "“x”", "\n", "\t", "  ", "",
)  # fmt: skip
spaces = st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u2003", "\u3000"])
texts = st.one_of(
    st.lists(st.tuples(st.sampled_from(WORDS), spaces), max_size=12).map(
        lambda parts: "".join(word + space for word, space in parts)
    ),
    st.text(max_size=80),
)


def _fields(reading: Reading) -> tuple[object, ...]:
    tokens = reading.tokens
    return (
        tokens.source,
        tokens.texts,
        tokens.kinds,
        tokens.starts,
        tokens.ends,
        tokens.folded(),
        reading.words,
        reading.written,
        reading.kinds,
        reading.origin,
    )


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_read_run_by_run_as_at_once(text: str) -> None:
    lexicon = bundled_lexicon()
    source = unicodedata.normalize("NFC", text)
    for _ in range(2):  # read, then from the runs kept
        pieces = _from_pieces(source, lexicon)
        if pieces is None:  # no-break spaces: read at once
            assert "\u00a0" in source or "\u202f" in source
            return
        whole = _words(tokenize(source), lexicon)
        assert _fields(pieces) == _fields(whole)
        assert pieces.tokens.folded() == fold_chars(source)
