"""The corpus recipes on tiny fixtures of each layout, built from FSDD clips in the test.

Each fixture has one broken audio file and one transcript the vocabulary cannot spell; both
must be skipped with one line naming the file, and everything else must land in the manifest of
its split with its header duration and normalised text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from conftest import FSDD, TINY_CONFIG

from asr.cli import main
from asr.prepare import librispeech
from asr.prepare.corpus import HEADER_LOG, prepare_corpus
from asr.prepare.transcripts import check_transcript
from asr.train_config import TrainConfig

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
BROKEN = b"this is not audio " * 40


def _copy(clip: str, target: Path, format: str | None = None) -> float:
    """Write FSDD `clip` at `target` (format from the suffix unless given); its duration."""
    samples, rate = sf.read(FSDD / clip)
    target.parent.mkdir(parents=True, exist_ok=True)
    sf.write(target, samples, rate, format=format)
    return round(len(samples) / rate, 3)


def _broken(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(BROKEN)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _by_id(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in _rows(path)}


def test_transcript_check_uses_the_one_normaliser_and_rejects_unspellable_letters():
    assert check_transcript("Naïve café, 7 o'clock!") == ("naive cafe seven o'clock", "", "")
    assert check_transcript("HE HOPED THERE WOULD BE STEW")[0] == "he hoped there would be stew"
    for raw in ("ΑΛΦΑ", "Straße", "costs ¥5", "Ærø"):
        text, reason, detail = check_transcript(raw)
        assert (text, reason) == ("", "out-of-vocabulary transcript"), raw
    assert check_transcript("... !")[1] == "empty transcript"


def test_prepare_help_lists_the_five_corpus_recipes(capsys):
    with pytest.raises(SystemExit):
        main(["prepare", "--help"])
    listed = capsys.readouterr().out
    for name in ("librispeech", "commonvoice", "ljspeech", "kaldi", "folder"):
        assert f"    {name}" in listed


def test_a_folder_in_the_wrong_layout_is_one_line_error(tmp_path, capsys):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "metadata.csv").write_bytes(b"LJ001-0001|caf\xe9|\n")  # Latin-1, not UTF-8
    assert main(["prepare", "librispeech", str(tmp_path / "stuff")]) == 1
    assert main(["prepare", "ljspeech", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "stuff: no LibriSpeech subset found" in err
    assert "metadata.csv: not UTF-8 text" in err
    assert "Traceback" not in err


# ---- LibriSpeech ---------------------------------------------------------------------------


def _librispeech(root: Path) -> dict[str, float]:
    """train-clean-100 (speakers 19, 26) and dev-clean (84); durations by utterance id."""
    durations = {}
    layout = {
        ("train-clean-100", "19", "198"): [f"{d}_jackson_5.wav" for d in range(4)],
        ("train-clean-100", "26", "495"): [f"{d}_theo_5.wav" for d in range(4)],
        ("dev-clean", "84", "121123"): ["1_lucas_7.wav", "4_lucas_7.wav"],
    }
    for (subset, speaker, chapter), clips in layout.items():
        folder = root / "LibriSpeech" / subset / speaker / chapter
        lines = []
        for n, clip in enumerate(clips):
            utt = f"{speaker}-{chapter}-{n:04d}"
            durations[utt] = _copy(clip, folder / f"{utt}.flac")
            lines.append(f"{utt} {WORDS[int(clip[0])].upper()}")
        if speaker == "19":
            _broken(folder / f"{speaker}-{chapter}-0004.flac")
            lines.append(f"{speaker}-{chapter}-0004 FOUR")
        if speaker == "26":
            lines[3] = f"{speaker}-{chapter}-0003 ΑΛΦΑ"  # audio fine, text unspellable
        (folder / f"{speaker}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n")
    return durations


def test_librispeech_manifests_per_subset_skip_broken_audio_and_oov_text(tmp_path, capsys):
    durations = _librispeech(tmp_path / "corpus")
    out = tmp_path / "manifests"
    assert main(["prepare", "librispeech", str(tmp_path / "corpus"), "--out", str(out)]) == 0
    err = capsys.readouterr().err.replace("\n", "")
    train = _by_id(out / "train-clean-100.jsonl")
    assert sorted(train) == [f"19-198-{n:04d}" for n in range(4)] + [
        f"26-495-{n:04d}" for n in range(3)
    ]
    row = train["19-198-0002"]
    assert row["text"] == "two"
    assert row["duration"] == durations["19-198-0002"]
    assert (row["speaker"], row["chapter"]) == ("19", "198")
    assert Path(row["audio_filepath"]).is_absolute()
    assert Path(row["audio_filepath"]).name == "19-198-0002.flac"
    dev = _by_id(out / "dev-clean.jsonl")
    assert {k: (r["text"], r["duration"]) for k, r in dev.items()} == {
        "84-121123-0000": ("one", durations["84-121123-0000"]),
        "84-121123-0001": ("four", durations["84-121123-0001"]),
    }
    assert "19-198-0004.flac: unreadable audio" in err
    assert "26-495-0003.flac: out-of-vocabulary transcript" in err
    assert "Traceback" not in err
    assert "train-clean-100: 7 utterances" in err
    assert "skipped 2 (out-of-vocabulary transcript 1, unreadable audio 1)" in err
    card = (out / "README.md").read_text()
    assert "| train-clean-100 | 7 |" in card and "CC BY 4.0" in card
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_rerun_reads_only_new_or_changed_headers(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    durations = _librispeech(root)
    out = tmp_path / "manifests"
    prepare_corpus(librispeech.RECIPE, root, out, jobs=2, log=lambda _: None)
    first = (out / "train-clean-100.jsonl").read_text()
    with open(out / HEADER_LOG, "a") as log:
        log.write('{"path": "/cut/short by a kill')  # an interrupted run's last line

    reads = []
    real_info = sf.info
    monkeypatch.setattr(sf, "info", lambda path: reads.append(path) or real_info(path))
    lines: list[str] = []
    prepare_corpus(librispeech.RECIPE, root, out, jobs=2, log=lines.append)
    assert reads == []
    assert (out / "train-clean-100.jsonl").read_text() == first
    assert "headers: 0 read, 10 known from an earlier run" in lines

    changed = root / "LibriSpeech/train-clean-100/19/198/19-198-0001.flac"
    _copy("9_jackson_5.wav", changed)
    os.utime(changed, ns=(1, 1))  # a different mtime whatever the clock's resolution
    prepare_corpus(librispeech.RECIPE, root, out, jobs=2, log=lines.append)
    assert [Path(p).name for p in reads] == ["19-198-0001.flac"]
    new = _by_id(out / "train-clean-100.jsonl")["19-198-0001"]["duration"]
    assert new == _copy("9_jackson_5.wav", tmp_path / "x.flac") != durations["19-198-0001"]


def test_asr_train_runs_on_a_recipe_manifest(tmp_path, capsys):
    _librispeech(tmp_path / "corpus")
    out = tmp_path / "manifests"
    prepare_corpus(librispeech.RECIPE, tmp_path / "corpus", out, jobs=2, log=lambda _: None)
    config = tmp_path / "config.json"
    two_batches = {"max_epochs": 1, "batch_seconds": 60.0, "max_batch_size": 4}
    config.write_text(json.dumps({**TINY_CONFIG, **two_batches}))
    run = tmp_path / "run"
    status = main(
        ["train", str(out / "train-clean-100.jsonl"), "--dev", str(out / "dev-clean.jsonl")]
        + ["--out", str(run), "--config", str(config)]
    )
    assert status == 0
    assert "train: 7 utterances" in capsys.readouterr().err
    payload = torch.load(run / "last.pt", weights_only=True)
    assert payload["epoch"] == 1
    assert payload["step"] == 2  # 7 clips in batches of at most 4


def test_scale_out_config_is_a_valid_5x768_training_config():
    config = TrainConfig.from_file(Path(__file__).parent.parent / "configs/librispeech-5x768.json")
    assert (config.num_layers, config.hidden_size, config.speeds, config.noise) == (
        5,
        768,
        (1.0,),
        False,
    )


# ---- Common Voice --------------------------------------------------------------------------

CV_COLUMNS = "client_id path sentence up_votes down_votes age gender accents locale segment"


@pytest.mark.skipif("MP3" not in sf.available_formats(), reason="libsndfile without MP3")
def test_commonvoice_keeps_its_validated_split_and_votes(tmp_path, capsys):
    root = tmp_path / "en"
    plan = {
        "train": [("a1", "0_jackson_5.wav", "Zero!"), ("a1", "1_jackson_5.wav", "One.")],
        "dev": [("b2", "2_theo_5.wav", "Two")],
        "test": [("c3", "7_lucas_7.wav", "seven")],
    }
    durations = {}
    tables = {}
    for split, clips in plan.items():
        rows = []
        for n, (speaker, clip, sentence) in enumerate(clips):
            name = f"common_voice_en_{split}{n}.mp3"
            durations[name] = _copy(clip, root / "clips" / name, format="MP3")
            rows.append(f"{speaker}\t{name}\t{sentence}\t{n + 2}\t{n}\t\t\t\ten\t")
        tables[split] = rows
    _copy("3_jackson_5.wav", root / "clips" / "oov.mp3", format="MP3")
    _broken(root / "clips" / "broken.mp3")
    tables["train"] += ["a1\toov.mp3\tDie Straße\t2\t0\t\t\t\ten\t"]
    tables["train"] += ["a1\tbroken.mp3\tthree\t2\t0\t\t\t\ten\t"]
    tables["invalidated"] = ["z9\tcommon_voice_en_train0.mp3\tnot validated\t0\t3\t\t\t\ten\t"]
    for split, rows in tables.items():
        header = CV_COLUMNS.replace(" ", "\t")
        (root / f"{split}.tsv").write_text("\n".join([header, *rows]) + "\n")
    out = tmp_path / "out"
    assert main(["prepare", "commonvoice", str(root), "--out", str(out)]) == 0
    err = capsys.readouterr().err.replace("\n", "")
    train = _by_id(out / "train.jsonl")
    assert sorted(train) == ["common_voice_en_train0", "common_voice_en_train1"]
    row = train["common_voice_en_train0"]
    assert (row["text"], row["speaker"], row["up_votes"], row["down_votes"]) == ("zero", "a1", 2, 0)
    assert row["duration"] == pytest.approx(durations["common_voice_en_train0.mp3"], abs=0.002)
    assert [r["text"] for r in _rows(out / "dev.jsonl")] == ["two"]
    assert [r["text"] for r in _rows(out / "test.jsonl")] == ["seven"]
    assert not (out / "invalidated.jsonl").exists()
    assert "broken.mp3: unreadable audio" in err and "oov.mp3: out-of-vocabulary transcript" in err


# ---- LJ Speech -----------------------------------------------------------------------------


def test_ljspeech_holds_out_whole_chapters(tmp_path, capsys):
    root = tmp_path / "LJSpeech-1.1"
    lines = []
    durations = {}
    for utt, clip, text, normalised in [
        ("LJ001-0001", "0_theo_5.wav", "Zero.", "Zero."),
        ("LJ002-0001", "1_theo_5.wav", "One.", "One."),
        ("LJ003-0001", "7_theo_5.wav", "7", ""),  # no normalised text: the raw text, spelled
        ("LJ003-0002", "8_theo_5.wav", "8th", "Eight."),
        ("LJ004-0001", "9_theo_5.wav", "Ærø", "Ærø"),
    ]:
        durations[utt] = _copy(clip, root / "wavs" / f"{utt}.wav")
        lines.append(f"{utt}|{text}|{normalised}")
    _broken(root / "wavs" / "LJ004-0002.wav")
    lines.append("LJ004-0002|Two.|Two.")
    (root / "metadata.csv").write_text("\n".join(lines) + "\n")
    assert main(["prepare", "ljspeech", str(root)]) == 0
    out = root / "manifests"
    assert [(r["id"], r["text"]) for r in _rows(out / "test.jsonl")] == [("LJ001-0001", "zero")]
    assert [(r["id"], r["text"]) for r in _rows(out / "dev.jsonl")] == [("LJ002-0001", "one")]
    train = _by_id(out / "train.jsonl")
    assert {k: r["text"] for k, r in train.items()} == {
        "LJ003-0001": "seven",
        "LJ003-0002": "eight",
    }
    assert train["LJ003-0002"]["duration"] == durations["LJ003-0002"]
    assert train["LJ003-0002"]["audio_filepath"].endswith("wavs/LJ003-0002.wav")
    err = capsys.readouterr().err.replace("\n", "")
    assert "LJ004-0002.wav: unreadable audio" in err
    assert "LJ004-0001.wav: out-of-vocabulary transcript" in err
    assert "train: 2 utterances" in err


# ---- Kaldi ---------------------------------------------------------------------------------


def test_kaldi_data_dirs_with_plain_paths_pipes_and_segments(tmp_path, capsys):
    data = tmp_path / "data"
    wavs = tmp_path / "wavs"
    train = data / "train"
    train.mkdir(parents=True)
    scp, text, spk = [], [], []
    for n, clip in enumerate(["0_jackson_5.wav", "5_jackson_5.wav", "6_theo_5.wav"]):
        utt = f"spk{n % 2}-utt{n}"
        _copy(clip, wavs / f"{utt}.wav")
        scp.append(f"{utt} {wavs / f'{utt}.wav'}")
        text.append(f"{utt} {WORDS[int(clip[0])].upper()} [noise]")
        spk.append(f"{utt} spk{n % 2}")
    _broken(wavs / "broken.wav")
    _copy("2_theo_5.wav", wavs / "oov.wav")
    scp += [
        f"broken {wavs / 'broken.wav'}",
        f"oov {wavs / 'oov.wav'}",
        "piped sox a.wav -t wav - |",
    ]
    text += ["broken TWO", "oov ΠΙ", "piped THREE"]
    for name, lines in (("wav.scp", scp), ("text", text), ("utt2spk", spk)):
        (train / name).write_text("\n".join(lines) + "\n")

    dev = data / "dev"
    dev.mkdir()
    first, rate = sf.read(FSDD / "3_theo_5.wav")
    second, _ = sf.read(FSDD / "4_theo_5.wav")
    sf.write(wavs / "session.wav", np.concatenate([first, second]), rate)
    cut = len(first) / rate
    (dev / "wav.scp").write_text(f"session {wavs / 'session.wav'}\n")
    (dev / "segments").write_text(f"s-a session 0 {cut}\ns-b session {cut} -1\n")
    (dev / "text").write_text("s-a THREE\ns-b <unk> FOUR\n")

    out = tmp_path / "out"
    assert main(["prepare", "kaldi", str(data), "--out", str(out)]) == 0
    rows = _by_id(out / "train.jsonl")
    assert {k: (r["text"], r["speaker"]) for k, r in rows.items()} == {
        "spk0-utt0": ("zero", "spk0"),
        "spk1-utt1": ("five", "spk1"),
        "spk0-utt2": ("six", "spk0"),
    }
    segments = _by_id(out / "dev.jsonl")
    assert segments["s-a"]["text"] == "three" and segments["s-b"]["text"] == "four"
    assert segments["s-a"]["duration"] == round(cut, 3)
    assert segments["s-b"]["duration"] == round(len(second) / rate, 3)
    assert segments["s-b"]["audio_filepath"] == "audio/dev/s-b.flac"  # below OUT: relative
    assert sf.info(out / "audio/dev/s-b.flac").frames == len(second)
    err = capsys.readouterr().err.replace("\n", "")
    assert "broken.wav: unreadable audio" in err
    assert "oov.wav: out-of-vocabulary transcript" in err
    assert "wav.scp (piped): piped wav.scp entry" in err


# ---- folder --------------------------------------------------------------------------------


def test_folder_of_audio_with_transcripts_beside(tmp_path, capsys):
    root = tmp_path / "recordings"
    durations = {}
    for rel, clip, text in [
        ("train/anna/a.flac", "1_jackson_5.wav", "One."),
        ("train/anna/b.wav", "2_jackson_5.wav", "Two"),
        ("dev/c.wav", "7_lucas_7.wav", "SEVEN"),
        ("misc/d.flac", "9_lucas_7.wav", "nine"),
        ("e.wav", "5_theo_5.wav", "Ωmega [/i]"),  # printed as is, not as rich markup
    ]:
        durations[rel] = _copy(clip, root / rel)
        (root / rel).with_suffix(".txt").write_text(text + "\n")
    _copy("6_theo_5.wav", root / "train/no-transcript.wav")
    _broken(root / "train/broken.flac")
    (root / "train/broken.txt").write_text("eight")
    assert main(["prepare", "folder", str(root)]) == 0
    out = root / "manifests"
    train = _by_id(out / "train.jsonl")
    assert {k: r["text"] for k, r in train.items()} == {
        "train/anna/a": "one",
        "train/anna/b": "two",
    }
    assert train["train/anna/a"]["duration"] == durations["train/anna/a.flac"]
    assert [r["id"] for r in _rows(out / "dev.jsonl")] == ["dev/c"]
    assert [r["id"] for r in _rows(out / "all.jsonl")] == ["misc/d"]
    err = capsys.readouterr().err.replace("\n", "")
    assert "no-transcript.wav: no transcript" in err
    assert "broken.flac: unreadable audio" in err
    assert "e.wav: out-of-vocabulary transcript" in err
    assert "train: 2 utterances, 0.00 h; skipped 2 (no transcript 1, unreadable audio 1)" in err
