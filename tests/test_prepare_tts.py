"""`asr prepare tts`: sentence sources and generators, planning, and a tiny espeak-ng run."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
import soundfile as sf

from asr import augment
from asr.manifest import read_manifest
from asr.prepare import sentences as S
from asr.prepare.tts import Planner, prepare_tts
from asr.prepare.tts_voices import dev_voice
from asr.tokens import normalize_text

VOCAB = re.compile(r"^[a-z' ]+$")


@pytest.mark.parametrize("source", sorted(S.GENERATORS))
def test_generators_give_text_in_the_vocabulary(source):
    items = S.generated_sentences(source, 300, seed=1)
    assert len(items) == 300
    for item in items:
        label = item.label
        assert label and VOCAB.match(label), item
        # What the engine reads has the same words as the label: no digits or symbols left.
        assert not re.search(r"[0-9$%&/]", item.text), item
        assert normalize_text(label) == label


def test_generators_are_deterministic_and_seeded():
    a = S.generated_sentences("numbers", 50, seed=3)
    assert a == S.generated_sentences("numbers", 50, seed=3)
    assert a != S.generated_sentences("numbers", 50, seed=4)


def test_digit_generator_covers_the_single_digit_words():
    labels = {s.label for s in S.generated_sentences("digits", 500, seed=0)}
    assert set(S.DIGITS) <= labels


def test_spelling_generator_says_letter_names_and_labels_single_letters():
    items = S.generated_sentences("spelling", 400, seed=0)
    spelled = [s for s in items if re.search(r"\b[a-z], [a-z]\b", s.text)]
    assert len(spelled) > 200
    for item in spelled:
        # Letters are read one by one ("a," is the letter, not the article) ...
        assert not re.search(r"(?<![\w'])[a-z] [a-z](?!\w)", item.text), item
        # ... and labelled as single-letter words.
        assert re.search(r"\b[a-z] [a-z]\b", item.label), item
    words = {w for s in items for w in s.label.split()}
    assert set("abcdefghijklmnopqrstuvwxyz") <= words


def test_a_new_generator_leaves_the_others_sentences_unchanged():
    # The first sentences of seed 0, as in the corpus built before "spelling" was added.
    assert S.generated_sentences("times", 1, seed=0)[0].text == "six forty five"
    first_command = S.generated_sentences("commands", 1, seed=0)[0].text
    assert first_command == "set an alarm for at two at night"
    assert len(set(S._GENERATOR_SEED_INDEX.values())) == len(S.GENERATORS)


def test_speakable_spells_out_or_rejects():
    assert S.speakable("It costs $5, and that's the 3rd time!") == (
        "it costs five dollars, and that's the third time!"
    )
    assert S.speakable("DNA is the substance of our genes") is None  # acronym
    assert S.speakable("Mr. Smith went home early") is None  # abbreviation
    assert S.speakable("hmm that is odd") is None  # vowel-less word
    assert S.speakable("too short") is None
    assert S.speakable("a cafe in the town -- nice") == "a cafe in the town, nice"


def test_wordnet_and_fortune_parsers(tmp_path):
    (tmp_path / "data.noun").write_text(
        "  1 This software and database is being provided\n"
        '00001740 03 n 01 entity 0 | that which is perceived; "the oceans are teeming '
        'with life"; "DNA is a molecule"; "see you at 5 o\'clock today"\n',
        encoding="latin-1",
    )
    found = [s.text for s in S.wordnet_examples(tmp_path)]
    assert found == ["the oceans are teeming with life", "see you at five o'clock today"]

    (tmp_path / "wisdom").write_text(
        "A clash of doctrine is not a disaster -- it is an opportunity.\n"
        "\t\t-- Somebody Famous\n%\nQ: Why?\nA: Because it is there.\n%\n"
        "Keep it simple.  Then keep it simpler still.\n",
        encoding="latin-1",
    )
    found = [s.text for s in S.fortune_sentences(tmp_path, ["wisdom"])]
    assert found == [
        "a clash of doctrine is not a disaster, it is an opportunity.",
        "keep it simple.",
        "then keep it simpler still.",
    ]
    for item in found:
        assert VOCAB.match(normalize_text(item))


@pytest.mark.skipif(shutil.which("bible") is None, reason="bible-kjv not installed")
def test_bible_clauses():
    clauses = S.bible_clauses()
    assert len(clauses) > 20000
    assert all(S.MIN_WORDS <= len(c.label.split()) <= S.MAX_WORDS for c in clauses[:500])


def _pools():
    return {
        "a": [{"id": f"a-{i}", "source": "a", "text": f"sentence a {i}"} for i in range(5)],
        "b": [{"id": f"b-{i}", "source": "b", "text": f"sentence b {i}"} for i in range(3)],
    }


def test_planner_is_deterministic_and_prefix_stable():
    voices = {"train": ["espeak:en-us:default", "flite:slt:default"], "dev": ["flite:rms:default"]}
    long = [Planner(5, _pools(), voices).spec(i) for i in range(40)]
    assert [Planner(5, _pools(), voices).spec(i) for i in range(40)] == long
    short_planner = Planner(5, _pools(), voices)
    assert short_planner.spec(9) == long[9]
    assert [Planner(6, _pools(), voices).spec(i) for i in range(40)] != long
    # A pool is used up before any of its sentences repeats.
    from_a = [spec.sentence_id for spec in long if spec.source == "a"]
    assert len(set(from_a[:5])) == min(5, len(from_a))
    for spec in long:
        assert (spec.speaker in voices["dev"]) == (spec.split == "dev")


def test_dev_voices_are_whole_voices():
    variants = [f"v{i:02d}" for i in range(30)]
    held = sorted(variants)[5::12]
    assert dev_voice("espeak:en-gb-x-gbcwmd:default", variants)
    assert dev_voice(f"espeak:en-us:{held[0]}", variants)
    assert not dev_voice("espeak:en-us:v00", variants)
    assert dev_voice("flite:rms:default", variants)
    assert not dev_voice("flite:slt:default", variants)
    assert not dev_voice("piper:joe:medium", variants)


def test_new_augmentations_are_deterministic():
    samples = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    a = augment.random_eq(samples, 16000, np.random.default_rng(1))
    assert a.dtype == np.float32 and len(a) == len(samples)
    assert np.array_equal(a, augment.random_eq(samples, 16000, np.random.default_rng(1)))
    padded = augment.pad_silence(samples, 16000, np.random.default_rng(2))
    assert len(padded) > len(samples) and padded[0] == 0 and padded[-1] == 0


def test_fft_reverb_matches_direct_convolution():
    samples = np.random.default_rng(0).standard_normal(4000).astype(np.float32) * 0.1
    wet = augment.reverberate(samples, 0.05, 16000, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    length = int(0.05 * 16000)
    response = rng.standard_normal(length) * np.exp(-6.9 * np.arange(length) / length) * 0.3
    response[0] = 1.0
    direct = np.convolve(samples, response)[: len(samples)]
    direct *= (np.max(np.abs(samples)) + 1e-9) / (np.max(np.abs(direct)) + 1e-9)
    assert np.allclose(wet, direct, atol=1e-5)


needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")

TEXTS = ["turn on the kitchen lights", "five", "the oceans are teeming with life."]


def _tiny(out, max_clips=3):
    pools = {"test": [S.Sentence(text, "test") for text in TEXTS]}
    return prepare_tts(
        out,
        hours=1.0,
        seed=7,
        jobs=1,
        engines=("espeak",),
        install=False,
        max_clips=max_clips,
        pools=pools,
        log=lambda *a: None,
    )


def _rows(out):
    rows = []
    for split in ("train", "dev"):
        entries, skipped = read_manifest(out / f"{split}.jsonl")
        assert not skipped
        rows += [(split, entry) for entry in entries]
    return rows


@needs_espeak
def test_tiny_espeak_run_writes_valid_manifests(tmp_path):
    out = tmp_path / "tts"
    summary = _tiny(out)
    assert summary["clips"] == 3 and summary["finished"]
    rows = _rows(out)
    assert sorted(entry.text for _, entry in rows) == sorted(normalize_text(t) for t in TEXTS)
    for _, entry in rows:
        info = sf.info(str(entry.audio_path))
        assert info.samplerate == 16000 and info.channels == 1 and info.format == "FLAC"
        assert abs(info.frames / 16000 - entry.duration) < 0.002
        assert entry.extra["speaker"].startswith("espeak:")
        assert entry.extra["source"] == "test"
    raw = (out / "train.jsonl").read_text() + (out / "dev.jsonl").read_text()
    for line in raw.splitlines():
        assert not json.loads(line)["audio_filepath"].startswith("/")
    card = (out / "README.md").read_text()
    assert "licence" in card and "espeak" in card
    train = {e.extra["speaker"] for s, e in rows if s == "train"}
    dev = {e.extra["speaker"] for s, e in rows if s == "dev"}
    assert not train & dev


@needs_espeak
def test_tiny_run_is_deterministic_and_resumable(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _tiny(a)
    _tiny(b)
    for name in ("train.jsonl", "dev.jsonl", "sentences.jsonl", "voices.json"):
        assert (a / name).read_text() == (b / name).read_text()
    for (_, ea), (_, eb) in zip(_rows(a), _rows(b)):
        assert np.array_equal(sf.read(str(ea.audio_path))[0], sf.read(str(eb.audio_path))[0])
    # Resume: nothing is redone; a larger run keeps the first clips and adds new ones.
    before = {p: p.stat().st_mtime_ns for p in (a / "audio").rglob("*.flac")}
    _tiny(a)
    assert {p: p.stat().st_mtime_ns for p in (a / "audio").rglob("*.flac")} == before
    _tiny(a, max_clips=5)
    rows = _rows(a)
    assert len(rows) == 5
    with pytest.raises(RuntimeError, match="seed"):
        prepare_tts(a, seed=8, engines=("espeak",), install=False, pools={}, log=print)


@needs_espeak
def test_sources_build_a_supplement_corpus_and_are_fixed(tmp_path):
    out = tmp_path / "spell"
    pools = {
        "spelling": [S.Sentence("a, m, y", "spelling")],
        "test": [S.Sentence(text, "test") for text in TEXTS],
    }
    run = dict(seed=7, engines=("espeak",), install=False, max_clips=2, log=lambda *a: None)
    prepare_tts(out, pools=pools, sources=("spelling",), **run)
    assert {e.text for _, e in _rows(out)} == {"a m y"}
    card = (out / "README.md").read_text()
    # The card's command rebuilds this corpus: its engines (not all defaults) and clip cap.
    assert "--seed 7 --jobs N --sources spelling --engines espeak --max-clips 2`" in card
    saved = (out / "sentences.jsonl").read_text().splitlines()
    assert [json.loads(line)["source"] for line in saved] == ["spelling"]
    with pytest.raises(RuntimeError, match="sources"):
        prepare_tts(out, pools=pools, **run)  # resumed without --sources
    with pytest.raises(ValueError, match="unknown sentence source"):
        prepare_tts(tmp_path / "x", pools=pools, sources=("speling",), **run)
    with pytest.raises(ValueError, match="no sentences for source.s. wordnet here"):
        prepare_tts(tmp_path / "y", pools=pools, sources=("wordnet",), **run)
