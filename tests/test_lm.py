import math

import pytest

from asr.ctc.lm import LmDefaults, LmError, read_arpa
from asr.ctc.lm_build import build_arpa, perplexity, write_arpa

LN10 = math.log(10)

# A hand-written model: p(b | a) is listed; p(a | b) backs off through bow(b).
HAND_ARPA = """
\\data\\
ngram 1=5
ngram 2=2

\\1-grams:
-99\t<s>\t-0.5
-0.5\t</s>
-0.7\ta\t-0.2
-0.6\tb\t-0.3
-2.0\t<unk>

\\2-grams:
-0.1\ta b
-0.4\t<s> a

\\end\\
"""


@pytest.fixture
def hand_lm(tmp_path):
    path = tmp_path / "hand.arpa"
    path.write_text(HAND_ARPA)
    return read_arpa(path, oov_penalty=-3.0)


def test_listed_and_backed_off_scores(hand_lm):
    start = hand_lm.start()
    value, state = hand_lm.score(start, "a")
    assert value == pytest.approx(-0.4 * LN10)
    value, state = hand_lm.score(state, "b")
    assert value == pytest.approx(-0.1 * LN10)
    value, _ = hand_lm.score(state, "a")  # (b a) is not listed: bow(b) + p(a)
    assert value == pytest.approx((-0.3 - 0.7) * LN10)
    assert hand_lm.end(state) == pytest.approx((-0.3 - 0.5) * LN10)
    assert hand_lm.sentence_logprob(["a", "b"]) == pytest.approx((-0.4 - 0.1 - 0.3 - 0.5) * LN10)


def test_unknown_words_and_known_hotwords(hand_lm):
    state = hand_lm.start()
    unk = (-0.5 - 2.0) * LN10
    # A non-word is <unk> spelled out: ln(1/28) per letter and for its end, plus the penalty.
    assert hand_lm.score(state, "zebra")[0] == pytest.approx(unk - 3.0 - 6 * math.log(28))
    assert hand_lm.score(state, "zebrazebra")[0] == pytest.approx(unk - 3.0 - 11 * math.log(28))
    hand_lm.known.add("zorba")
    assert hand_lm.score(state, "zorba")[0] == pytest.approx(unk)
    # Words of a decoding lexicon share <unk> evenly; the LM's own words are not counted.
    hand_lm.add_lexicon(["a", "zebra", "yak", "gnu", "emu"])
    assert hand_lm.score(state, "zebra")[0] == pytest.approx(unk - math.log(4))
    assert hand_lm.score(state, "zebu")[0] == pytest.approx(unk - 3.0 - 5 * math.log(28))


def test_kneser_ney_against_hand_computed_values(tmp_path):
    """Two sentences "a b", "a c", bigrams. Unigram continuation counts a=b=c=1, </s>=2,
    D1 = 3/5, uniform share 0.6 * 4/5 / 5 = 0.096: p(a) = 0.4/5 + 0.096 = 0.176.
    Bigrams: D2 = n1/(n1+2 n2) = 4/6; p(b|a) = (1 - 2/3)/2 + (2/3)(2/2) p(b) = 0.284,
    p(a|<s>) = (2 - 2/3)/2 + (2/3)(1/2) p(a) = 0.725333, bow(a) = gamma(a) = 2/3."""
    vocab, orders = build_arpa(["a b", "A c."], order=2, min_counts=(1, 1))
    path = tmp_path / "kn.arpa.gz"
    assert write_arpa(path, vocab, orders) == [6, 5]
    lm = read_arpa(path)
    start = lm.start()
    assert lm.score(start, "a")[0] == pytest.approx(math.log(0.725333), abs=1e-5)
    assert lm.score((lm.ids["a"],), "b")[0] == pytest.approx(math.log(0.284), abs=1e-5)
    backed_off = lm.score((lm.ids["a"],), "a")[0]
    assert backed_off == pytest.approx(math.log(2 / 3 * 0.176), abs=1e-5)
    assert lm.score((), "<unk>")[0] == pytest.approx(math.log(0.096), abs=1e-5)


TEXT = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "the cat ate the fish",
    "turn on the light",
    "turn off the light",
]


@pytest.mark.parametrize("min_counts", [(1, 1, 1), (1, 2, 2)])
def test_built_model_is_normalised_after_pruning(tmp_path, min_counts):
    vocab, orders = build_arpa(TEXT, order=3, min_counts=min_counts)
    path = tmp_path / "lm.arpa"
    counts = write_arpa(path, vocab, orders)
    lm = read_arpa(path)
    assert lm.order == 3 and lm.ngram_counts == counts
    words = [w for w in lm.vocab if w != "<s>"]
    for context in [(), ("the",), ("<s>", "the"), ("on", "the"), ("cat", "sat"), ("fish",)]:
        state = tuple(lm.ids[w] for w in context)
        total = sum(math.exp(lm.score(state, w)[0]) for w in words if w != "</s>")
        total += math.exp(lm.end(state))
        assert total == pytest.approx(1.0, abs=1e-4)


def test_pruning_shrinks_and_in_domain_text_is_likelier(tmp_path):
    full = build_arpa(TEXT, order=3, min_counts=(1, 1, 1))
    pruned = build_arpa(TEXT, order=3, min_counts=(1, 2, 2))
    full_counts = write_arpa(tmp_path / "full.arpa", *full)
    pruned_counts = write_arpa(tmp_path / "pruned.arpa", *pruned)
    assert pruned_counts[0] == full_counts[0] and pruned_counts[2] < full_counts[2]
    lm = read_arpa(tmp_path / "full.arpa")
    assert perplexity(lm, [["the", "cat", "sat"]]) < perplexity(lm, [["sat", "the", "cat"]])


def test_sidecar_defaults_and_bad_files(tmp_path):
    lm_path = tmp_path / "english.arpa.gz"
    assert LmDefaults.sidecar(lm_path) == tmp_path / "english.json"
    assert LmDefaults.for_lm(lm_path) == LmDefaults()
    (tmp_path / "english.json").write_text('{"lm_weight": 0.7, "word_bonus": 1.5}')
    assert LmDefaults.for_lm(lm_path) == LmDefaults(0.7, 1.5)
    with pytest.raises(LmError, match="not found"):
        read_arpa(tmp_path / "missing.arpa")
    junk = tmp_path / "junk.arpa"
    junk.write_text("hello\n")
    with pytest.raises(LmError, match="no n-grams"):
        read_arpa(junk)


def test_lm_lexicon_command_normalises_word_lists(tmp_path, capsys):
    from asr.cli import main
    from asr.ctc.lexicon import read_word_list

    words = tmp_path / "words.txt"
    words.write_text("Apple\napple's\nCafé\nO'Neil\nice-cream\n'tis\n\nzebra\n")
    out = tmp_path / "lexicon.txt.gz"
    assert main(["lm", "lexicon", "--words", str(words), "-o", str(out)]) == 0
    listed = read_word_list(out)
    assert [w for w in listed if len(w) > 1] == ["apple", "cafe", "o'neil", "tis", "zebra"]
    assert set("abcdefghijklmnopqrstuvwxyz") <= set(listed)  # spelled letters are words
    assert main(["lm", "lexicon", "--words", str(tmp_path / "none.txt"), "-o", str(out)]) == 1
    assert "none.txt: no such word list" in capsys.readouterr().err


def test_system_text_names_the_missing_debian_packages(monkeypatch, tmp_path, capsys):
    """Without wordnet-base the LM would be built from two thirds of its text, silently."""
    import asr.prepare.sentences as sentences
    from asr.cli import main
    from asr.prepare.sentences import Sentence

    monkeypatch.setattr(sentences, "wordnet_examples", lambda: [])
    monkeypatch.setattr(sentences, "fortune_sentences", lambda: [Sentence("a fortune", "x")])
    monkeypatch.setattr(sentences, "bible_clauses", lambda: [Sentence("in the beginning", "x")])
    out = tmp_path / "lm.arpa"
    assert main(["lm", "build", "--system-text", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "no sentences from wordnet-base" in err and "apt-get install wordnet-base" in err
    assert "Traceback" not in err and not out.exists()
