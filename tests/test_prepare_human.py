"""The `asr prepare human` pipeline on synthetic packages: extract, label rules, manifests."""

from __future__ import annotations

import gzip
import json

import numpy as np
import soundfile as sf
from prepare_fixtures import audio_bytes, drascula_dat, tone, write

from asr.manifest import read_manifest
from asr.prepare import human
from asr.prepare.readers import asterisk, drascula


def _als(seconds: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    samples = tone(seconds, 11025, freq=150 + 40 * seed)
    # A different loudness pattern per clip, so no two clips look like near-duplicates.
    gains = np.repeat(rng.uniform(0.05, 1.0, 32), len(samples) // 32 + 1)[: len(samples)]
    return (128 + 120 * samples * gains).astype(np.uint8).tobytes()


def build_packages(root):
    prefixes = {"": "text", "I": "texti", "P": "textp", "T": "textt"}
    tables = {
        table: [""] + [f"{table} line {n}" for n in range(1, 7)] for table in prefixes.values()
    }
    folder = root / drascula.DEFAULT_DIR
    write(folder / "drascula.dat", drascula_dat(tables))
    seed = 0
    for prefix in prefixes:
        for n in range(1, 7):
            seed += 1
            write(folder / f"{prefix}{n}.ALS", _als(4.0 if prefix else 6.0, seed))
    write(folder / "T9.ALS", _als(0.1, 99))  # too short
    write(folder / "P9.ALS", (folder / "P1.ALS").read_bytes())  # duplicate of P1
    listing = "hello: Hello there.\nbye: Goodbye.\n"
    write(root / asterisk.PROMPT_LIST, gzip.compress(listing.encode()))
    write(root / asterisk.SOUND_DIR / "hello.wav", audio_bytes(tone(1.0, 8000, 300), 8000))
    write(root / asterisk.SOUND_DIR / "bye.wav", audio_bytes(tone(1.2, 8000, 500), 8000))


def fake_teachers(out):
    """Teacher results: agree with the text except on two clips."""
    rows = [r for r in human.read_jsonl(out / "clips.jsonl") if not r["drop"]]
    with (
        open(out / "teacher_tiny.jsonl", "w") as tiny,
        open(out / "teacher_base.jsonl", "w") as base,
    ):
        for row in rows:
            key = f"{row['source']}/{row['clip_id']}"
            text = row["source_text"]
            if row["clip_id"] == "I002":  # actor paraphrased: both teachers hear the same
                text = "something else entirely"
            if row["clip_id"] == "P003":  # nobody agrees: dropped
                tiny.write(json.dumps({"key": key, "text": "zzz", "avg_logprob": -1.0,
                                       "no_speech_prob": 0.1}) + "\n")  # fmt: skip
                base.write(json.dumps({"key": key, "text": "qqq", "avg_logprob": -1.0,
                                       "no_speech_prob": 0.1}) + "\n")  # fmt: skip
                continue
            for log in (tiny, base):
                log.write(json.dumps({"key": key, "text": text, "avg_logprob": -0.2,
                                      "no_speech_prob": 0.01}) + "\n")  # fmt: skip


def test_extract_and_manifests(tmp_path):
    root, out = tmp_path / "packages", tmp_path / "corpus"
    build_packages(root)
    human.extract(out, root, ["asterisk", "drascula"])
    rows = human.read_jsonl(out / "clips.jsonl")
    drops = {r["clip_id"]: r["drop"] for r in rows if r["drop"]}
    assert drops == {"T009": "too-short", "P009": "duplicate-of:P001"}
    kept = [r for r in rows if not r["drop"]]
    assert len(kept) == 26
    info = sf.info(str(out / kept[0]["audio_filepath"]))
    assert (info.samplerate, info.channels, info.format) == (16000, 1, "FLAC")

    # Resumable: a second run adds nothing, but picks up text a newer reader pairs.
    listing = "hello: Hello there, friend.\nbye: Goodbye.\n"
    write(root / asterisk.PROMPT_LIST, gzip.compress(listing.encode()))
    human.extract(out, root, ["asterisk", "drascula"])
    rerun = human.read_jsonl(out / "clips.jsonl")
    assert len(rerun) == len(rows)
    assert {r["clip_id"]: r["source_text"] for r in rerun}["hello"] == "Hello there, friend."

    fake_teachers(out)
    human.write_manifests(out, dev_fraction=0.15, seed=1, single_teacher=False)
    entries = {}
    for part in ("train", "dev"):
        parsed, skipped = read_manifest(out / f"{part}.jsonl")
        assert not skipped
        entries[part] = parsed
        for entry in parsed:
            assert not entry.audio_path.is_absolute() or entry.audio_path.is_file()
            assert abs(sf.info(str(entry.audio_path)).duration - entry.duration) < 1e-3
            assert entry.extra["label"] in {"game-text", "prompt-list", "whisper"}
            assert entry.text == entry.text.lower()
    raw = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert all(not r["audio_filepath"].startswith("/") for r in raw)  # relative to the folder

    train_speakers = {e.extra["speaker"] for e in entries["train"]}
    dev_speakers = {e.extra["speaker"] for e in entries["dev"]}
    assert dev_speakers and not train_speakers & dev_speakers
    assert "drascula:john" in train_speakers  # a source's main voice stays in train
    assert "asterisk:allison" in train_speakers  # the only voice of a source stays in train

    by_id = {e.audio_path.stem: e for part in entries.values() for e in part}
    assert by_id["I002"].text == "something else entirely"
    assert by_id["I002"].extra["label"] == "whisper"
    assert by_id["I001"].text == "texti line one" and by_id["I001"].extra["label"] == "game-text"
    assert "P003" not in by_id
    assert by_id["hello"].text == "hello there friend"

    stats = json.loads((out / "stats.json").read_text())
    assert stats["extracted"]["drascula"]["clips"] == 24
    assert stats["rules"]["drascula"]["text-disputed"]["clips"] == 1
    assert stats["label_cer_vs_source_text"]["drascula"]["clips"] == 23
    assert "Dev speakers" in (out / "README.md").read_text()


def test_fingerprint_and_clip_preparation():
    a = tone(1.0, 16000)
    assert human.fingerprint(a) == human.fingerprint(a * 1.01)
    assert human.fingerprint(a) != human.fingerprint(tone(1.5, 16000))

    def padded(seconds: float, total: float) -> np.ndarray:
        sound = tone(seconds, 16000)
        return np.concatenate([sound, np.zeros(int(total * 16000) - len(sound), np.float32)])

    # Two different short lines padded to one length keep apart; one line padded twice does not.
    assert human.fingerprint(padded(1.0, 10.0)) != human.fingerprint(padded(1.2, 10.0))
    assert human.fingerprint(padded(1.0, 10.0)) == human.fingerprint(padded(1.0, 8.0))
    samples, reason = human.prepare_clip(tone(1.0, 8000), 8000)
    assert reason == "" and len(samples) == 16000
    assert human.prepare_clip(np.zeros(16000, np.float32), 16000) == (None, "silent")
    assert human.prepare_clip(tone(25.0, 8000), 8000) == (None, "too-long")
    assert human.prepare_clip(tone(0.2, 8000), 8000) == (None, "too-short")


class FakeTeacher:
    calls: list[tuple[str, int]] = []

    def __init__(self, name, threads=1):
        self.name = name

    def transcribe(self, samples):
        from asr.prepare.teacher import TeacherResult

        FakeTeacher.calls.append((self.name, len(samples)))
        # tiny mishears everything; base always hears "hello there"
        text = "hello there" if self.name == "base" else "static"
        return TeacherResult(text, -0.3, 0.01, 1.0)


def test_label_runs_tiny_then_base_where_needed_and_resumes(tmp_path, monkeypatch):
    import asr.prepare.teacher as teacher_module

    root, out = tmp_path / "packages", tmp_path / "corpus"
    build_packages(root)
    human.extract(out, root, ["asterisk"])
    monkeypatch.setattr(teacher_module, "Teacher", FakeTeacher)
    FakeTeacher.calls = []
    human.label(out, ["tiny", "base"], 1, 0.0, False, sources=["sky"])
    assert FakeTeacher.calls == []  # --sources: no clip of another source is labelled
    human.label(out, ["tiny", "base"], threads=1, hours=0.0, single_teacher=False)
    # calibration sample (both clips have text) first: tiny, then base where tiny disagreed
    assert [name for name, _ in FakeTeacher.calls] == ["tiny", "tiny", "base", "base"]
    human.label(out, ["tiny", "base"], threads=1, hours=0.0, single_teacher=False)
    assert len(FakeTeacher.calls) == 4  # nothing left to do
    human.write_manifests(out, dev_fraction=0.1, seed=1, single_teacher=False)
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert [(r["text"], r["rule"]) for r in rows] == [("hello there", "text=base")]


def test_label_order_starts_with_a_calibration_sample():
    rows = [{"source": "big", "clip_id": f"b{i}", "source_text": "x" if i % 2 else ""}
            for i in range(300)]  # fmt: skip
    rows += [{"source": "small", "clip_id": f"s{i}", "source_text": "y"} for i in range(5)]
    groups = human._label_order(rows)
    calibration = groups[0]
    assert len(calibration) == human.CALIBRATION_CLIPS + 5
    assert all(r["source_text"] for r in calibration)
    assert [g[0]["source"] for g in groups[1:]] == ["small", "big"]
    assert groups[2][0]["source_text"] and not groups[2][-1]["source_text"]


def test_a_mixed_cast_source_leaves_the_dev_split_alone():
    """Dev voices are ~fraction of the audio of sources with known voices: adding a source that
    is one mixed cast (sky) neither gives dev voices nor moves others out of train."""

    def row(speaker, seconds, known=True):
        return {"speaker": speaker, "duration": seconds, "speaker_known": known}

    rows = [
        row(f"drascula:{name}", s) for name, s in zip("abcdefgh", (400, 60, 50, 40, 30, 30, 25, 25))
    ]
    dev = human.choose_dev_speakers(rows, 0.1, seed=3)
    assert dev and "drascula:a" not in dev  # the main voice stays in train
    assert sum(r["duration"] for r in rows if r["speaker"] in dev) >= 0.1 * 660
    with_cast = rows + [row("sky:cast", 5000, known=False)]
    assert human.choose_dev_speakers(with_cast, 0.1, seed=3) == dev


def test_new_sources_leave_the_dev_set_of_the_original_sources_unchanged():
    """The dev set is drawn from DEV_SOURCES only: rows of the small sources (long known
    voices, even ones that would be chosen) never enter dev nor move an original voice."""

    def row(source, speaker, seconds):
        return {"source": source, "speaker": f"{source}:{speaker}", "duration": seconds,
                "speaker_known": True}  # fmt: skip

    rows = [row("drascula", n, s) for n, s in zip("abcdef", (500, 80, 60, 40, 30, 25))]
    rows += [row("hedgewars", n, s) for n, s in zip("pqrs", (300, 90, 45, 35))]
    dev = human.choose_dev_speakers(rows, 0.08, seed=13)
    assert dev and dev <= {r["speaker"] for r in rows}
    small = [
        row(source, n, s) for source in human.SMALL_SOURCES for n, s in (("x", 900), ("y", 400))
    ]
    for extra in (small, small[:3], [row("kajongg", "male1", 5000), row("kajongg", "male2", 60)]):
        assert human.choose_dev_speakers(rows + extra, 0.08, seed=13) == dev
        assert human.choose_dev_speakers(extra + rows, 0.08, seed=13) == dev
    assert set(human.SOURCES) == set(human.DEV_SOURCES) | set(human.SMALL_SOURCES)
    assert all(s in human.PACKAGES and s in human.LICENCES for s in human.SOURCES)
