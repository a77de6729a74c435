"""Reading a message once for every extractor: folding, tokens, typos, shorthand, phrases with
their diacritics respected, and the vocabulary files it all comes from."""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsing.lexicon import build_lexicon
from parsing.phrases import PhraseIndex, accent_key
from parsing.reading import read
from parsing.tokens import (
    NUMBER,
    SYMBOL,
    WORD,
    fold_chars,
    fold_decomposed,
    fold_table,
    positions,
    tokenize,
)
from parsing.typos import TypoIndex
from parsing.vocabulary_files import VocabularyError, load_vocabulary
from tests.router_data import bundled, bundled_lexicon

VOCABULARY = Path(__file__).resolve().parent.parent / "parsing" / "vocabulary"


def test_folding_drops_diacritics_and_case_one_character_for_one() -> None:
    assert fold_chars("Điểm Hạ tầng SỐ, quý 3") == "diem ha tang so, quy 3"


@given(st.text())
def test_folding_keeps_every_offset(text: str) -> None:
    assert len(fold_chars(text)) == len(text)


def test_every_character_folds_by_decomposition_as_by_the_table() -> None:
    """The fast fold (decompose, keep the ASCII) holds for a character only when that gives one
    character, the one the table gives; for any other it must give way to the table."""
    table = fold_table()
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates are no characters
        char = chr(code)
        fast = fold_decomposed(char)
        assert fast is None or fast == char.translate(table), hex(code)


@given(st.text(alphabet=st.sampled_from("aăâbdđeêioôơuưyAĂÂĐÊƯ áàảãạ̣́̀̉̃ểỆ .,’😀İ")))
def test_a_text_folds_by_decomposition_as_by_the_table(text: str) -> None:
    fast = fold_decomposed(text)
    assert fast is None or fast == text.translate(fold_table())
    assert fold_chars(text) == text.translate(fold_table())


@given(
    st.lists(st.sampled_from(["top", "nam", "ba", "diem", "so"]), max_size=30),
    st.frozensets(st.sampled_from(["top", "nam", "ba", "x"])),
)
def test_positions_are_the_places_of_the_wanted_words_in_order(
    items: list[str], wanted: frozenset[str]
) -> None:
    assert positions(items, wanted) == [i for i, item in enumerate(items) if item in wanted]


def test_numbers_keep_their_marks_and_joining_marks_are_no_tokens() -> None:
    found = tokenize("8.2 đạt 12,5% và 1.082.862 thuê bao/100 dân PT-TH")
    assert found.texts == [
        "8.2", "dat", "12,5", "%", "va", "1.082.862", "thue", "bao", "100", "dan", "pt", "th",
    ]  # fmt: skip
    assert found.kinds[:4] == [NUMBER, WORD, NUMBER, SYMBOL]


def test_a_mention_of_the_bot_is_no_word() -> None:
    assert tokenize("@TroLyDtiBot điểm DTI").texts == ["diem", "dti"]


@given(st.text(max_size=80))
def test_every_token_is_sliced_from_the_text_as_typed(text: str) -> None:
    found = tokenize(text)
    for word, start, end in zip(found.texts, found.starts, found.ends, strict=True):
        assert fold_chars(found.source[start:end]) == word


def test_a_typo_in_a_known_word_is_corrected_and_an_unknown_word_kept() -> None:
    typos = TypoIndex(["nhieu", "diem", "thieu", "hieu"])
    assert [typos.correct(w) for w in ("nhiu", "deim", "thieuu", "asdfgh")] == [
        "nhieu",
        "diem",
        "thieu",
        "asdfgh",
    ]


def test_vietnamese_typed_with_telex_keys_but_no_keyboard_is_read() -> None:
    typos = TypoIndex(["tong", "diem", "ha", "tang", "so"])
    assert [typos.correct(w) for w in ("tongr", "ddieemr", "haj", "taangf", "soos")] == [
        "tong",
        "diem",
        "ha",
        "tang",
        "so",
    ]


def test_shorthand_is_expanded_before_phrases_are_found() -> None:
    reading = read("bn điểm", bundled_lexicon())
    assert reading.words == ["bao", "nhieu", "diem"]
    assert reading.has("question")


def test_an_acronym_counts_only_when_typed_in_capitals() -> None:
    lexicon = bundled_lexicon()
    assert read("chỉ số AI", lexicon).words[2:] == ["tri", "tue", "nhan", "tao"]
    assert read("ai chủ trì", lexicon).words[0] == "ai"


def test_a_longer_phrase_wins_over_the_shorter_ones_inside_it() -> None:
    reading = read("cơ quan nào chưa cập nhật", bundled_lexicon())
    assert "not_reported" in reading.cues
    assert "update" not in reading.cues


def test_a_word_typed_with_other_diacritics_is_another_word() -> None:
    index = PhraseIndex(
        [(("ve",), ("vẽ",), "draw"), (("ve",), ("về",), "about")], known=["về", "vẽ"]
    )
    about, either = index.at(["ve"], 0, typed=["về"]), index.at(["ve"], 0, typed=["ve"])
    assert about is not None
    assert about.senses == ("about",)
    assert either is not None
    assert set(either.senses) == {"draw", "about"}


def test_plain_words_in_a_message_with_diacritics_are_plain_words() -> None:
    # "gia" is a word of "gia đình" (household), not "giả" of "giả định" (suppose).
    reading = read("tỷ lệ hộ gia đình có cáp quang", bundled_lexicon())
    assert not reading.has("hypothetical")


def test_tone_marks_may_sit_on_either_vowel() -> None:
    assert accent_key("hoà") == accent_key("hòa")
    assert accent_key("uỷ") == accent_key("ủy")


def test_a_cue_phrase_counts_once_however_often_it_is_typed() -> None:
    assert read("xếp hạng xếp hạng", bundled_lexicon()).cues["rank"] == 2.0


def test_points_after_a_number_are_a_unit_not_a_score_cue() -> None:
    reading = read("được 30 điểm", bundled_lexicon())
    assert "score" not in reading.cues
    assert reading.marked(2, "points")


def test_the_vocabulary_ships_as_package_data() -> None:
    folder = files("parsing") / "vocabulary"
    names = {entry.name for entry in folder.iterdir()}
    assert {"cues.yaml", "markers.yaml", "synonyms.yaml", "provinces.yaml"} <= names


def test_every_kind_of_question_has_cue_words() -> None:
    vocabulary = load_vocabulary()
    assert set(vocabulary.cues) == {
        "score", "update", "what_if", "weakest", "gap", "holders", "holdings", "not_reported",
        "trend", "rank", "summary", "chart", "export", "deadlines", "my_work", "help",
    }  # fmt: skip


def _folder_with(tmp_path: Path, name: str, text: str) -> Path:
    for source in VOCABULARY.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text("utf-8"), "utf-8")
    (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def test_a_cue_of_an_unknown_kind_is_refused_with_the_kinds_to_use(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, "cues.yaml", "weather:\n  strong: [trời mưa]\n")
    with pytest.raises(VocabularyError, match="unknown kind 'weather'"):
        load_vocabulary(folder)


def test_a_bare_no_in_a_list_asks_for_quotes(tmp_path: Path) -> None:
    markers = (VOCABULARY / "markers.yaml").read_text("utf-8").replace('- "no"', "- no")
    folder = _folder_with(tmp_path, "markers.yaml", markers)
    with pytest.raises(VocabularyError, match="quotes"):
        load_vocabulary(folder)


def test_a_new_cue_in_the_vocabulary_changes_what_the_router_reads(tmp_path: Path) -> None:
    cues = (VOCABULARY / "cues.yaml").read_text("utf-8")
    cues = cues.replace("rank:\n  strong:\n", "rank:\n  strong:\n    - đứng chót hay đứng đầu\n")
    folder = _folder_with(tmp_path, "cues.yaml", cues)
    frameworks, directory, province = bundled()
    lexicon = build_lexicon(frameworks, directory, province, load_vocabulary(folder))
    assert read("tỉnh mình đứng chót hay đứng đầu", lexicon).cues.get("rank") == 2.0
