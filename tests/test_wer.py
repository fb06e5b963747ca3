import math

import pytest

from asr.wer import cer, char_errors, wer, word_errors


def test_wer_counts_after_normalisation():
    assert wer(["Hello, World!"], ["hello world"]) == 0.0
    assert wer(["three cats"], ["3 cats"]) == 0.0
    counts = word_errors("the cat sat on the mat", "the cat sat on mat now")
    assert counts.errors == 2 and counts.reference_length == 6
    assert wer(["the cat sat on the mat"], ["the cat sat on mat now"]) == pytest.approx(2 / 6)


def test_wer_is_not_clamped():
    assert wer(["yes"], ["no no no"]) == pytest.approx(3.0)


def test_empty_reference_and_hypothesis():
    assert wer([""], [""]) == 0.0
    assert math.isinf(wer([""], ["something"]))
    assert wer(["one two", ""], ["one two", "three"]) == pytest.approx(0.5)
    assert wer(["one two"], [""]) == 1.0
    assert word_errors("one two", "").deletions == 2


def test_corpus_wer_weights_by_reference_length():
    assert wer(["a b c d", "e"], ["a b c d", "x"]) == pytest.approx(1 / 5)


def test_cer():
    assert cer(["abc"], ["abd"]) == pytest.approx(1 / 3)
    assert char_errors("ab", "ab").errors == 0
    # Spaces are characters too: "seven" → "sev seve" is 4 edits on 5 characters.
    assert char_errors("seven", "sev seve").errors == 4
    assert cer(["seven"], ["sev seve"]) == pytest.approx(4 / 5)
    assert char_errors("", "ab").insertions == 2


def test_length_mismatch_raises():
    with pytest.raises(ValueError):
        wer(["a"], [])
