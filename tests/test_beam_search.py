import math

import numpy as np
import pytest
from conftest import FSDD, fsdd_clip

from asr.ctc.beam_search import BeamConfig, BeamSearchDecoder, beam_decode
from asr.ctc.decoding import greedy_decode
from asr.ctc.hotwords import parse_hotwords
from asr.ctc.lexicon import Lexicon
from asr.ctc.lm import read_arpa
from asr.ctc.lm_build import build_arpa, write_arpa
from asr.ctc.options import SHIPPED_LEXICON
from asr.tokens import Vocabulary
from asr.wer import word_errors
from streaming import DecodingOptions, EndpointConfig, Recognizer, default_lm_path
from streaming.result import tokens_to_words

VOCAB = Vocabulary()
TEXT = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "the cat ate the fish",
    "turn on the light",
]


def emissions(items, floor=1e-4):
    """Log-probs [T, V]: each item (a character or {character: probability}) on one frame,
    followed by a blank frame; a space item is a word boundary."""
    rows = []
    for item in items:
        probs = {item: 1.0} if isinstance(item, str) else item
        for frame in (probs, {"<blank>": 1.0}):
            row = np.full(len(VOCAB), floor)
            for symbol, p in frame.items():
                row[VOCAB.symbols.index(symbol)] = p
            rows.append(np.log(row / row.sum()))
    return np.array(rows)


def spoken(text, confusions=None):
    """Frames for `text`; `confusions` {position: {char: p}} makes letters ambiguous."""
    confusions = confusions or {}
    return emissions([confusions.get(i, ch) for i, ch in enumerate(text)])


def text_of(tokens):
    return VOCAB.decode(tokens.ids)


def peaky(seed, frames=80):
    """Random CTC output whose best token has 0.96 of every frame's mass."""
    rng = np.random.default_rng(seed)
    best = rng.choice(len(VOCAB), size=frames, p=[0.5] + [0.5 / (len(VOCAB) - 1)] * 28)
    log_probs = np.full((frames, len(VOCAB)), np.log(0.04 / (len(VOCAB) - 1)))
    log_probs[np.arange(frames), best] = np.log(0.96)
    return log_probs


def words_of(tokens):
    return [(w.word, w.start, w.end, w.conf) for w in tokens_to_words(tokens, VOCAB, 0.03)]


@pytest.fixture(scope="module")
def small_lm(tmp_path_factory):
    path = tmp_path_factory.mktemp("lm") / "small.arpa.gz"
    write_arpa(path, *build_arpa(TEXT, order=3, min_counts=(1, 1, 1)))
    return path


@pytest.mark.parametrize("seed", range(20))
def test_beam_width_one_equals_greedy(seed):
    """On confident output (the best token holds most of every frame), as a trained model's
    mostly is; where frames are unsure the beam sums alignments and may differ from the best
    path (the tiny test model's "three" is "thre" at beam 1: its two e's are one blank apart)."""
    log_probs = peaky(seed)
    greedy = greedy_decode(log_probs)
    beam = beam_decode(log_probs, VOCAB, BeamConfig(beam=1))
    assert text_of(beam) == text_of(greedy) and text_of(greedy)
    assert words_of(beam) == words_of(greedy)  # words, times and confidences


def test_streaming_beam_equals_whole_utterance(small_lm):
    rng = np.random.default_rng(3)
    noisy = np.log(rng.dirichlet(np.full(len(VOCAB), 0.3), size=120))
    log_probs = np.concatenate([spoken("the cat sat", {4: {"c": 0.5, "k": 0.5}}), noisy])
    config = BeamConfig(beam=6, lm_weight=0.8, word_bonus=1.0, hotwords={"kat": 1.0})
    whole = beam_decode(log_probs, VOCAB, config, read_arpa(small_lm))
    decoder = BeamSearchDecoder(VOCAB, config, read_arpa(small_lm))
    start, partials = 0, []
    while start < len(log_probs):
        size = int(rng.integers(1, 17))
        decoder.accept(log_probs[start : start + size])
        partials.append(text_of(decoder.tokens))
        start += size
    streamed = decoder.finalize()
    assert (streamed.ids, streamed.frames, streamed.probs) == (whole.ids, whole.frames, whole.probs)
    assert partials[3].startswith("th") and len(set(partials)) > 5  # partial results stream


def test_hotword_otherwise_missed_is_recognised_when_boosted():
    log_probs = spoken("open zork now", {6: {"e": 0.6, "o": 0.4}})
    assert text_of(greedy_decode(log_probs)) == "open zerk now"
    assert text_of(beam_decode(log_probs, VOCAB, BeamConfig(beam=8))) == "open zerk now"
    boosted = BeamConfig(beam=8, hotwords=parse_hotwords("zork:1.5"))
    assert text_of(beam_decode(log_probs, VOCAB, boosted)) == "open zork now"
    # A hotword whose prefix matched but which was not completed gets no bonus in the end.
    longer = BeamConfig(beam=8, hotwords=parse_hotwords("zorba:3"))
    assert text_of(beam_decode(log_probs, VOCAB, longer)) == "open zerk now"


def test_hotword_phrase_with_an_lm_that_does_not_know_it(small_lm):
    log_probs = spoken("turn on zork", {9: {"e": 0.6, "o": 0.4}})
    config = BeamConfig(beam=8, lm_weight=0.5, hotwords=parse_hotwords("zork:1.5"))
    assert text_of(beam_decode(log_probs, VOCAB, config, read_arpa(small_lm))) == "turn on zork"


def test_lm_lowers_wer_on_a_fixed_example(small_lm):
    reference = "the cat sat on the mat"
    log_probs = spoken(reference, {4: {"k": 0.55, "c": 0.45}, 19: {"n": 0.55, "m": 0.45}})
    greedy = text_of(greedy_decode(log_probs))
    plain = text_of(beam_decode(log_probs, VOCAB, BeamConfig(beam=8)))
    with_lm = text_of(
        beam_decode(log_probs, VOCAB, BeamConfig(beam=8, lm_weight=1.0), read_arpa(small_lm))
    )
    assert greedy == plain == "the kat sat on the nat"
    assert word_errors(reference, greedy).rate == pytest.approx(2 / 6)
    assert with_lm == reference and word_errors(reference, with_lm).rate == 0.0


def test_word_confidence_comes_from_the_beam(small_lm):
    log_probs = spoken("the cat sat", {4: {"k": 0.5, "c": 0.5}})
    tokens = beam_decode(log_probs, VOCAB, BeamConfig(beam=8))
    confidences = {w.word: w.conf for w in tokens_to_words(tokens, VOCAB, 0.03)}
    assert confidences["the"] > 0.99 and confidences["sat"] > 0.99
    # Two spellings share the beam: the chosen one has about half of it, times 0.5 acoustically.
    assert 0.05 < confidences[text_of(tokens).split()[1]] < 0.5


def test_invalid_settings():
    with pytest.raises(ValueError, match="beam must be at least 1"):
        BeamSearchDecoder(VOCAB, BeamConfig(beam=0))
    with pytest.raises(ValueError, match="not a number"):
        parse_hotwords("zork:lots")
    assert parse_hotwords("zork, turn left:3") == {"zork": 2.0, "turn left": 3.0}


# ---- the engine ------------------------------------------------------------------------------

NO_ENDPOINT = EndpointConfig(enabled=False)
DIGIT_CLIPS = ["0_jackson_5.wav", "3_theo_5.wav", "7_jackson_5.wav", "9_jackson_5.wav"]


@pytest.fixture(scope="module")
def digit_lm(tmp_path_factory):
    words = "zero one two three four five six seven eight nine".split()
    path = tmp_path_factory.mktemp("digits") / "digits.arpa"
    write_arpa(path, *build_arpa(words + [" ".join(words)], order=2))
    return path


def test_recognizer_beam_streams_like_offline(tiny_onnx, digit_lm):
    greedy = Recognizer(tiny_onnx, DecodingOptions.greedy_ctc(), NO_ENDPOINT)
    rng = np.random.default_rng(0)
    for lexicon in (SHIPPED_LEXICON, None):  # the shipped lexicon, and an open vocabulary
        options = DecodingOptions(beam=6, lm=digit_lm, lm_weight=0.5, lexicon=lexicon)
        beam = Recognizer(tiny_onnx, options, NO_ENDPOINT)
        for name in DIGIT_CLIPS:
            samples = fsdd_clip(name)
            offline = beam.offline_transcribe(samples)
            stream = beam.create_stream()
            start = 0
            while start < len(samples):
                size = int(rng.integers(100, 5000))
                stream.accept_waveform(samples[start : start + size], 16000)
                beam.decode_stream(stream)
                start += size
            (final,) = beam.finish(stream)
            assert final.text == offline.text == greedy.offline_transcribe(samples).text
            assert [w.conf for w in final.words] == [w.conf for w in offline.words]


def test_cli_beam_flags(tiny_onnx, digit_lm, capsys):
    from asr.cli import main

    clip = str(FSDD / "9_jackson_5.wav")
    args = ["transcribe", "--model", str(tiny_onnx), clip]
    assert main([*args, "--beam", "4", "--lm", str(digit_lm), "--lm-weight", "0.3"]) == 0
    assert capsys.readouterr().out.strip() == "nine"
    assert main([*args, "--beam", "4", "--no-lm", "--hotwords", "nine:1"]) == 0
    assert capsys.readouterr().out.strip() == "nine"
    assert main([*args, "--beam", "0", "--hotwords", "nine"]) == 1
    assert "not --beam 0" in capsys.readouterr().err


def test_cli_decodes_with_beam_and_shipped_lm_by_default():
    import argparse

    from asr.commands.decoding_options import add_decoder_arguments, decoding_options
    from asr.ctc.lexicon import default_lexicon_path

    parser = argparse.ArgumentParser()
    add_decoder_arguments(parser)
    default = decoding_options(parser.parse_args([]))
    assert default == DecodingOptions()  # the Python API's default too
    assert (default.beam, default.lm_file) == (32, default_lm_path())
    assert decoding_options(parser.parse_args(["--beam", "0"])) == DecodingOptions.greedy_ctc()
    assert decoding_options(parser.parse_args(["--no-lm"])).lm_file is None
    # The vocabulary: the shipped lexicon unless --open-vocabulary or --closed-vocabulary.
    assert default.lexicon_file == default_lexicon_path() and default_lexicon_path().is_file()
    assert decoding_options(parser.parse_args(["--open-vocabulary"])).lexicon_file is None
    assert decoding_options(parser.parse_args(["--closed-vocabulary"])).lexicon_file is None


def test_blank_penalty_keeps_a_letter_blank_would_swallow():
    # "a" has 0.4 of its frame and blank 0.6: the search drops it unless blank pays a penalty
    # larger than log(0.6 / 0.4) = 0.41; the caller's array is left as it was.
    log_probs = emissions(["h", "i", " ", {"a": 0.4, "<blank>": 0.6}])
    before = log_probs.copy()
    assert text_of(beam_decode(log_probs, VOCAB, BeamConfig(beam=4))) == "hi"
    assert text_of(beam_decode(log_probs, VOCAB, BeamConfig(beam=4, blank_penalty=0.3))) == "hi"
    kept = beam_decode(log_probs, VOCAB, BeamConfig(beam=4, blank_penalty=0.6))
    assert text_of(kept) == "hi a"
    np.testing.assert_array_equal(log_probs, before)
    # Streamed in chunks of any size, as the engine feeds it: the same result.
    decoder = BeamSearchDecoder(VOCAB, BeamConfig(beam=4, blank_penalty=0.6))
    for start in range(0, len(log_probs), 3):
        decoder.accept(log_probs[start : start + 3])
    assert decoder.finalize() == kept


def test_blank_penalty_flag_and_stored_default(tmp_path, small_lm):
    import argparse

    from asr.commands.decoding_options import add_decoder_arguments, decoding_options
    from asr.commands.errors import CommandError
    from asr.ctc.decoder import DecoderFactory

    parser = argparse.ArgumentParser()
    add_decoder_arguments(parser)
    options = decoding_options(parser.parse_args(["--blank-penalty", "0.75"]))
    assert options.blank_penalty == 0.75
    assert DecoderFactory.create(options).describe()["blank_penalty"] == 0.75
    with pytest.raises(CommandError, match="--blank-penalty"):
        decoding_options(parser.parse_args(["--beam", "0", "--blank-penalty", "1"]))
    # Unset, it is the value stored next to the LM (0 in files written before it existed).
    lm = tmp_path / "small.arpa.gz"
    lm.write_bytes(small_lm.read_bytes())
    (tmp_path / "small.json").write_text('{"lm_weight": 0.3, "word_bonus": 1.0}')
    assert DecoderFactory.create(DecodingOptions(lm=lm)).config.blank_penalty == 0.0
    (tmp_path / "small.json").write_text(
        '{"lm_weight": 0.3, "word_bonus": 1.0, "blank_penalty": 1.25}'
    )
    assert DecoderFactory.create(DecodingOptions(lm=lm)).config.blank_penalty == 1.25
    assert (
        DecoderFactory.create(DecodingOptions(lm=lm, blank_penalty=0.5)).config.blank_penalty == 0.5
    )


def test_cli_lm_build_and_tune_store_defaults(tiny_onnx, tmp_path, capsys):
    import json

    from asr.cli import main
    from asr.ctc.lm import LmDefaults

    text = tmp_path / "digits.txt"
    text.write_text("zero one two\nthree four five\nsix seven eight nine\n")
    lm = tmp_path / "digits.arpa.gz"
    assert main(["lm", "build", "--text", str(text), "--order", "2", "-o", str(lm)]) == 0
    assert read_arpa(lm).ngram_counts[0] == 13  # ten words, <s>, </s>, <unk>
    args = ["lm", "tune", str(FSDD / "train.jsonl"), "--model", str(tiny_onnx), "--lm", str(lm)]
    assert (
        main([*args, "--limit", "4", "--weights", "0.2", "0.4", "--bonuses", "0", "--write"]) == 0
    )
    assert "best: --lm-weight 0.2 --word-bonus 0.0 --blank-penalty 0.0" in capsys.readouterr().err
    stored = json.loads((tmp_path / "digits.json").read_text())
    assert stored["clips"] == 4 and stored["wer"] == 0.0
    assert LmDefaults.for_lm(lm) == LmDefaults(0.2, 0.0)
    # With a grid of blank penalties each setting is a line; ties on WER and CER go to the
    # smallest setting.
    tune = [*args, "--limit", "4", "--weights", "0.2", "--bonuses", "0"]
    assert main([*tune, "--blank-penalties", "0.5", "0.25", "--write"]) == 0
    err = capsys.readouterr().err
    assert err.count("blank_penalty") == 2 and "--blank-penalty 0.25" in err
    assert LmDefaults.for_lm(lm) == LmDefaults(0.2, 0.0, 0.25)
    assert Recognizer(tiny_onnx, DecodingOptions(lm=lm)).decoders.config.lm_weight == 0.2


def test_dropping_dead_prefixes_changes_nothing(monkeypatch, small_lm):
    import asr.ctc.beam_search as beam_search

    rng = np.random.default_rng(5)
    log_probs = np.log(rng.dirichlet(np.full(len(VOCAB), 0.3), size=400))
    config = BeamConfig(beam=6, lm_weight=0.5, hotwords={"cat": 1.0})
    whole = BeamSearchDecoder(VOCAB, config, read_arpa(small_lm))
    whole.accept(log_probs)
    reference = whole.finalize()
    monkeypatch.setattr(beam_search, "COMPACT_NODES", 100)
    decoder = BeamSearchDecoder(VOCAB, config, read_arpa(small_lm))
    for start in range(0, 400, 7):
        decoder.accept(log_probs[start : start + 7])
    # What is left is the beam's own prefixes (random frames emit a letter almost every step).
    assert len(decoder._nodes) < len(whole._nodes) / 2
    compacted = decoder.finalize()
    assert (compacted.ids, compacted.frames, compacted.probs) == (
        reference.ids,
        reference.frames,
        reference.probs,
    )


def test_closed_vocabulary_spells_only_known_words(tmp_path):
    """The acoustics say "fine" (n 0.7, v 0.3): an open search keeps misspellings even with a
    digits LM, because the LM sees the last word only at the end, when "five" has been pruned;
    a closed vocabulary never lets "fin" into the beam."""
    path = tmp_path / "digits.arpa"
    write_arpa(path, *build_arpa(["one", "five", "nine", "five nine"], order=2, min_counts=(1, 1)))
    lm = read_arpa(path)
    log_probs = spoken("fine", {2: {"n": 0.7, "v": 0.3}, 3: {"e": 0.5, "a": 0.5}})
    # An open search now charges "fin" the cost of a non-word as it is spelled (no LM word
    # begins so), which keeps "five" in a beam of 2; without that lookahead "fine" and "fina"
    # crowded it out.
    open_search = BeamConfig(beam=2, lm_weight=0.5)
    assert text_of(beam_decode(log_probs, VOCAB, open_search, lm)) == "five"
    closed = BeamConfig(beam=2, lm_weight=0.5, closed_vocabulary=True)
    assert text_of(beam_decode(log_probs, VOCAB, closed, lm)) == "five"
    # Between words and with hotwords: every output word is in the LM or a hotword.
    two = spoken("fine nime", {2: {"n": 0.7, "v": 0.3}, 7: {"m": 0.6, "n": 0.4}})
    assert text_of(beam_decode(two, VOCAB, closed, lm)) == "five nine"
    zork = BeamConfig(beam=4, closed_vocabulary=True, hotwords=parse_hotwords("zork:0"))
    assert text_of(beam_decode(spoken("zerk", {1: {"e": 0.6, "o": 0.4}}), VOCAB, zork)) == "zork"
    with pytest.raises(ValueError, match="closed vocabulary needs"):
        BeamSearchDecoder(VOCAB, BeamConfig(closed_vocabulary=True))


def test_closed_vocabulary_completes_a_word_the_audio_cut_short(tmp_path):
    """The clip ends after "thre": no hypothesis is a whole word, so the best one's last word
    is completed to the likeliest vocabulary word it begins ("three", not the rarer "thread"),
    its unheard letters at probability 0; an open search leaves "thre" as it is."""
    path = tmp_path / "digits.arpa"
    write_arpa(path, *build_arpa(["one three", "three", "thread", "three"], order=2,
                                 min_counts=(1, 1)))  # fmt: skip
    lm = read_arpa(path)
    cut = spoken("one thre")
    closed = beam_decode(cut, VOCAB, BeamConfig(beam=4, lm_weight=0.5, closed_vocabulary=True), lm)
    assert text_of(closed) == "one three"
    assert closed.probs[-1] == 0.0 and closed.probs[-2] > 0.9  # "e" added, "e" heard
    assert len(closed.frames) == len(closed.ids) and closed.frames[-1] == closed.frames[-2]
    assert text_of(beam_decode(cut, VOCAB, BeamConfig(beam=4, lm_weight=0.5), lm)) == "one thre"


def rare_word_lm(path):
    """A unigram LM of 100 frequent filler words and three rare ones (each -7.7 nats): like
    the shipped LM for most words of read English, where one long <unk> used to cost less."""
    filler = [f"{a}{b}" for a in "abcdefghij" for b in "abcdefghij"]
    lines = [" ".join(filler[i : i + 10]) for i in range(0, 100, 10)] * 20
    write_arpa(path, *build_arpa([*lines, "quick brown fox"], order=1, min_counts=(1,)))
    return path


def test_a_space_that_splits_a_blob_into_words_wins(tmp_path, monkeypatch):
    """The spaces of "quick brown fox" are heard at 0.4 (blank 0.6). Scored the old way (a
    word scored only when a space ends it; a flat -3 for any unknown word however long), the
    glued "quickbrownfox" costs the LM less than three rare words, and the unscored blob
    outranks the split hypotheses while it is spelled: the decoder printed the blob. With an
    unknown word spelled out letter by letter and the lookahead charged as it grows, the
    words win, for every weight and bonus tried."""
    import asr.ctc.lm

    path = rare_word_lm(tmp_path / "rare.arpa")
    heard = emissions([{" ": 0.4, "<blank>": 0.6} if c == " " else c for c in "quick brown fox"])
    settings = [(0.2, 1.0), (0.5, 0.0), (0.5, 1.0), (1.0, 0.0)]
    for weight, bonus in settings:
        config = BeamConfig(beam=8, lm_weight=weight, word_bonus=bonus)
        assert text_of(beam_decode(heard, VOCAB, config, read_arpa(path))) == "quick brown fox"
    lexicon = Lexicon(["quick", "brown", "fox", "quickly"], read_arpa(path))
    assert text_of(beam_decode(heard, VOCAB, BeamConfig(lm_weight=0.5), None, lexicon)) == (
        "quick brown fox"
    )
    # The old scoring, reproduced: no lookahead, a flat unknown-word penalty.
    monkeypatch.setattr(BeamSearchDecoder, "_lookahead", lambda self, word, span: 0.0)
    monkeypatch.setattr(asr.ctc.lm, "OOV_LETTER_LOG", 0.0)
    for weight, bonus in settings:
        config = BeamConfig(beam=8, lm_weight=weight, word_bonus=bonus)
        old = beam_decode(heard, VOCAB, config, read_arpa(path, oov_penalty=-3.0))
        assert text_of(old) == "quickbrownfox"


def test_a_space_the_acoustics_do_not_allow_is_not_inserted(tmp_path):
    """The fix is no bias towards spaces: "quickly" heard clearly (no space frame) stays one
    word even though "quick" and "ly"... are likelier LM words than the rare "quickly"."""
    path = rare_word_lm(tmp_path / "rare.arpa")
    lm = read_arpa(path)
    lexicon = Lexicon(["quick", "quickly", "ly", "brown"], lm)
    heard = spoken("quickly")
    for config in (BeamConfig(lm_weight=1.0), BeamConfig(lm_weight=1.0, open_vocabulary=True)):
        assert text_of(beam_decode(heard, VOCAB, config, lm, lexicon)) == "quickly"


def test_lexicon_spells_only_its_words_letters_and_digits(tmp_path):
    """With a lexicon every output word is one of its words (or a hotword); spelled letters
    and digit words come out; --open-vocabulary keeps a name no list holds."""
    lm = read_arpa(rare_word_lm(tmp_path / "rare.arpa"))
    words = ["the", "cat", "sat", "mat", "five", "three", *"abcdefghijklmnopqrstuvwxyz"]
    lexicon = Lexicon(words, lm)
    misheard = spoken("the kat sat", {4: {"k": 0.6, "c": 0.4}})
    out = text_of(beam_decode(misheard, VOCAB, BeamConfig(lm_weight=0.5), lm, lexicon))
    assert out == "the cat sat"
    letters = spoken("p i t t s five three")
    assert text_of(beam_decode(letters, VOCAB, BeamConfig(), lm, lexicon)) == (
        "p i t t s five three"
    )
    name = spoken("zork sat")
    closed_out = text_of(beam_decode(name, VOCAB, BeamConfig(), lm, lexicon))
    assert all(word in lexicon for word in closed_out.split())
    opened = BeamConfig(open_vocabulary=True)
    assert text_of(beam_decode(name, VOCAB, opened, lm, lexicon)) == "zork sat"
    hot = BeamConfig(hotwords={"zork": 1.0})
    assert text_of(beam_decode(name, VOCAB, hot, lm, lexicon)) == "zork sat"


def test_lexicon_slices_and_lookahead(tmp_path):
    lm = read_arpa(rare_word_lm(tmp_path / "rare.arpa"))
    lexicon = Lexicon(["ab", "abc", "quick", "quickly", "<unk>", "quick"], lm)
    assert lexicon.words == ["ab", "abc", "quick", "quickly"]
    span = lexicon.narrow(lexicon.full, "q")
    assert span == (2, 4) and lexicon.narrow(span, "qu") == (2, 4)
    lo, hi = lexicon.narrow(span, "qx")
    assert lo == hi
    assert lexicon.is_word(lexicon.narrow(span, "quick"), "quick")
    assert not lexicon.is_word(lexicon.narrow(span, "quic"), "quic")
    # Lookahead: the best unigram of the words a prefix can become; "abc" and "quickly" are
    # outside the LM and share <unk> evenly (two of them).
    share = lm.score(lm.start(), "abc")[0]
    assert share == pytest.approx(lm.unk_log10 * math.log(10) - math.log(2))
    assert lexicon.lookahead(lexicon.narrow(lexicon.full, "ab")) == pytest.approx(
        lm.score((), "ab")[0]
    )
    assert lexicon.lookahead(lexicon.narrow(lexicon.full, "abc")) == pytest.approx(share)
    assert lexicon.best_word(span) == "quick"


def test_cli_default_output_words_are_lexicon_words(tiny_onnx, capsys):
    """The commands' default decoder prints only words of the lexicon and the LM (the tiny
    model's misspellings become words); --open-vocabulary prints what it spells."""
    from asr.cli import main
    from asr.ctc.lexicon import default_lexicon_path, read_word_list
    from asr.ctc.options import default_lm_path

    known = set(read_word_list(default_lexicon_path())) | set(read_arpa(default_lm_path()).vocab)
    clips = [str(FSDD / name) for name in DIGIT_CLIPS]
    assert main(["transcribe", "--model", str(tiny_onnx), *clips]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    printed = [word for line in lines for word in line.split("\t")[1].split()]
    assert len(lines) == len(clips) and printed
    assert all(word in known for word in printed)


def test_space_after_space_adds_to_its_prefix_in_a_narrow_beam():
    """A space with no word before it is no new hypothesis: its paths add to the prefix's
    probability however narrow the beam. Before, they counted only when the extension made
    the `beam` best extensions: here "a" (0.4) beat the empty text (0.35 blank + 0.25 space)."""
    row = np.full(len(VOCAB), 1e-6)
    for symbol, p in {"<blank>": 0.35, " ": 0.25, "a": 0.4}.items():
        row[VOCAB.symbols.index(symbol)] = p
    decoder = BeamSearchDecoder(VOCAB, BeamConfig(beam=1))
    decoder.accept(np.log(row / row.sum())[None, :])
    assert np.logaddexp(decoder._pb, decoder._pnb)[0] == pytest.approx(math.log(0.6), abs=1e-4)
    assert text_of(decoder.finalize()) == ""


@pytest.mark.parametrize("beam", [4, 12])
def test_letters_pruned_before_scoring_change_no_beam(tmp_path, beam):
    """Letters are scored best first and skipped once they cannot reach the beam (the stays
    of the beam's prefixes count, merges do not): every frame's beam, prefixes and scores,
    equals the search that scores every letter."""
    lm = tmp_path / "lm.arpa.gz"
    write_arpa(lm, *build_arpa(TEXT, order=3, min_counts=(1, 1, 1)))
    words = {w for line in TEXT for w in line.split()} | {"cattle", "dot", "lot", "mast", "a"}
    rng = np.random.default_rng(beam)
    noisy = np.log(rng.dirichlet(np.full(len(VOCAB), 0.4), size=60))
    log_probs = np.concatenate([spoken("the cat sat on", {5: {"a": 0.5, "o": 0.5}}), noisy])
    config = BeamConfig(beam=beam, lm_weight=0.7, word_bonus=1.0)
    pruned = BeamSearchDecoder(VOCAB, config, read_arpa(lm), Lexicon(words, read_arpa(lm)))
    full = BeamSearchDecoder(VOCAB, config, read_arpa(lm), Lexicon(words, read_arpa(lm)))
    full.prune_letters = False

    def beam_of(decoder):
        scores = np.logaddexp(decoder._pb, decoder._pnb) + decoder._extra
        texts = [VOCAB.decode([n.token for n in decoder._path(int(i))]) for i in decoder._beam]
        return sorted(zip(texts, np.round(scores, 9)))

    skipped = 0
    for frame in log_probs:
        pruned.accept(frame[None, :])
        full.accept(frame[None, :])
        assert beam_of(pruned) == beam_of(full)
        skipped += len(full._steps) - len(pruned._steps)
    assert skipped > 0  # the pruning did skip letters
    assert text_of(pruned.finalize()) == text_of(full.finalize())
