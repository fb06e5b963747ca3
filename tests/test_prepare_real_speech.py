"""`asr prepare speechocean` and `asr prepare picovoice` on fake corpus folders of FSDD clips."""

from __future__ import annotations

import json
import shutil

from conftest import FSDD

from asr.cli import main
from asr.manifest import read_manifest
from asr.prepare import picovoice, speechocean

CLIPS = sorted(path.name for path in FSDD.glob("*.wav"))


def _jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def fake_speechocean(folder, speakers: int = 262) -> None:
    """One clip per speaker, ids 0001..N, the first half in train.jsonl, the rest in test.jsonl
    (as the real corpus splits its speakers); plus two bad lines in train, one in test."""
    (folder / "audio").mkdir(parents=True)
    for name in CLIPS:
        shutil.copy(FSDD / name, folder / "audio" / name)
    halves: dict[str, list] = {"train": [], "test": []}
    for n in range(1, speakers + 1):
        halves["train" if n <= speakers // 2 else "test"].append(
            {
                "audio_filepath": f"audio/{CLIPS[n % len(CLIPS)]}",
                "duration": 0.5,
                "text": "LOOK AT ANN'S 2 PANTS" if n == 1 else "ZERO THREE FIVE ONE",
                "speaker": f"speechocean762:{n:04d}",
                "source": "speechocean762",
                "age": 6 + n % 30,
                "gender": "mf"[n % 2],
            }
        )
    halves["train"] += [
        {"audio_filepath": "audio/missing.wav", "duration": 1.0, "text": "A", "speaker": "x"},
        {"audio_filepath": f"audio/{CLIPS[0]}", "duration": 0, "text": "A", "speaker": "y"},
    ]
    for half, rows in halves.items():
        _jsonl(folder / f"{half}.jsonl", rows)
    with (folder / "test.jsonl").open("a") as manifest:
        manifest.write("{not json\n")


def test_speechocean_dev_rule_and_manifests(tmp_path):
    source, out = tmp_path / "speechocean762", tmp_path / "corpus"
    fake_speechocean(source)
    logged: list[str] = []
    summary = speechocean.prepare_speechocean(source, out, log=logged.append)

    # spk = sorted(ids of both halves) = 0001..0262; spk[5::12] = 0006, 0018, ..., 0258 (22
    # speakers), of which the first 20 go to dev.
    expected_dev = {f"speechocean762:{n:04d}" for n in range(6, 235, 12)}
    assert len(expected_dev) == 20
    dev, train = _lines(out / "dev.jsonl"), _lines(out / "train.jsonl")
    assert {row["speaker"] for row in dev} == expected_dev
    assert len(dev) == 20 and len(train) == 262 - 20
    assert "speechocean762:0246" in {row["speaker"] for row in train}  # the 21st: train
    assert summary["dev"]["speakers"] == 20 and summary["train"]["speakers"] == 242

    first = next(row for row in train if row["speaker"] == "speechocean762:0001")
    assert first["text"] == "look at ann's two pants"
    assert (first["age"], first["gender"], first["corpus_split"]) == (7, "f", "train")
    assert {row["corpus_split"] for row in dev} == {"train", "test"}
    assert all(row["text"] == "zero three five one" for row in dev)

    # Paths are absolute and every line reads back with its audio.
    for name in ("train.jsonl", "dev.jsonl"):
        entries, skipped = read_manifest(out / name)
        assert skipped == [] and all(entry.audio_path.is_absolute() for entry in entries)

    # The three bad source lines are reported one line each, naming file and line.
    assert len(logged) == 3
    assert any("train.jsonl:132: audio file not found" in line for line in logged)
    assert any("train.jsonl:133: duration must be a number > 0" in line for line in logged)
    assert any("test.jsonl:132: not valid JSON" in line for line in logged)

    card = (out / "README.md").read_text()
    assert "0.04 h in 262 clips by 262 speakers" in card
    assert "CC BY 4.0" in card and "Zhang et al." in card and "corpus transcript" in card
    assert "Children (under 13): 62 speakers, 24% of the clips" in card


def test_speechocean_rerun_writes_the_same_files(tmp_path):
    source, out = tmp_path / "speechocean762", tmp_path / "corpus"
    fake_speechocean(source, speakers=30)
    assert main(["prepare", "speechocean", "--out", str(out), "--source", str(source)]) == 0
    first = {name: (out / name).read_bytes() for name in ("train.jsonl", "dev.jsonl", "README.md")}
    assert main(["prepare", "speechocean", "--out", str(out), "--source", str(source)]) == 0
    assert {name: (out / name).read_bytes() for name in first} == first
    assert len(_lines(out / "dev.jsonl")) == 3  # 30 speakers: spk[5::12] = 0006, 0018, 0030


def test_missing_source_is_one_line_error(tmp_path, capsys):
    status = main(["prepare", "speechocean", "--out", str(tmp_path / "o"), "--source", "/nope"])
    assert status == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: /nope/train.jsonl: not found") and "\n" not in error
    assert not (tmp_path / "o" / "train.jsonl").exists()


def fake_picovoice(folder) -> None:
    (folder / "audio").mkdir(parents=True)
    for name in CLIPS[:6]:
        shutil.copy(FSDD / name, folder / "audio" / name)
    _jsonl(
        folder / picovoice.WAKE_WORDS,
        [
            {"audio_filepath": f"audio/{CLIPS[0]}", "duration": 3.0, "text": "alexa"},
            {"audio_filepath": f"audio/{CLIPS[1]}", "duration": 3.6, "text": "View Glass"},
        ],
    )

    def order(clip: str, checked: bool, text: str | None) -> dict:
        return {"audio_filepath": f"audio/{clip}", "duration": 6.0, "intent": "orderDrink",
                "slots_in_teacher_text": checked, "text": text}  # fmt: skip

    _jsonl(
        folder / picovoice.INTENTS,
        [
            order(CLIPS[2], True, "can i have a light roast 12 ounce coffee"),
            order(CLIPS[3], False, None),
            order(CLIPS[4], False, "a large rose coffee"),  # a slot missed: left out
            order(CLIPS[5], True, None),
        ],
    )


def test_picovoice_keeps_keywords_and_slot_checked_orders_all_train(tmp_path):
    source, out = tmp_path / "picovoice", tmp_path / "corpus"
    fake_picovoice(source)
    assert main(["prepare", "picovoice", "--out", str(out), "--source", str(source)]) == 0
    rows = _lines(out / "train.jsonl")
    assert [(row["text"], row["label"]) for row in rows] == [
        ("alexa", "corpus-keyword"),
        ("view glass", "corpus-keyword"),
        ("can i have a light roast twelve ounce coffee", "teacher-slot-checked"),
    ]
    assert rows[2]["intent"] == "orderDrink"
    assert not (out / "dev.jsonl").exists()
    entries, skipped = read_manifest(out / "train.jsonl")
    assert len(entries) == 3 and skipped == []
    card = (out / "README.md").read_text()
    assert "Apache-2.0" in card and "Train only." in card
    assert "0.00 h in 3 clips" in card and "3 orders without such a label" in card
