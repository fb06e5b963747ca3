import json
import runpy
import sys
import tarfile
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
FSDD = ROOT / "tests" / "data" / "fsdd"


def test_pack_encodes_each_clip_once_and_rewrites_manifests(tmp_path, monkeypatch):
    clips = sorted(FSDD.glob("*.wav"))[:3]
    rows = [
        {"audio_filepath": str(c), "duration": sf.info(c).duration, "text": c.stem} for c in clips
    ]
    train, dev = tmp_path / "train.jsonl", tmp_path / "dev.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in rows + rows[:1]))  # one repeated
    dev.write_text(json.dumps(rows[2]) + "\n")
    out = tmp_path / "pack"
    argv = [
        "pack_for_device.py",
        str(out),
        str(dev),
        str(train),
        "--part-mib",
        "0.003",
        "--jobs",
        "1",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(ROOT / "data" / "recipes" / "pack_for_device.py"), run_name="__main__")
    packed = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    assert [r["text"] for r in packed] == [c.stem for c in clips] + [clips[0].stem]
    # dev first: its clip is named first, and the same clip in train points to the same file
    assert json.loads((out / "dev.jsonl").read_text())["audio_filepath"] == "audio/0000000.opus"
    assert packed[2]["audio_filepath"] == "audio/0000000.opus"
    assert packed[0]["audio_filepath"] == packed[3]["audio_filepath"]
    assert len(list((out / "audio").iterdir())) == 3
    for row in packed:
        decoded = sf.info(out / row["audio_filepath"])
        assert abs(decoded.duration - row["duration"]) < 0.03
    # tiny parts: the manifests ride in part 1, every clip in exactly one part
    members = []
    for part in sorted(out.glob("part*.tar.gz")):
        with tarfile.open(part) as tar:
            members.append(tar.getnames())
    assert "train.jsonl" in members[0] and "dev.jsonl" in members[0]
    audio = [name for names in members for name in names if name.startswith("audio/")]
    assert sorted(audio) == sorted({r["audio_filepath"] for r in packed})
    assert len(members) >= 2
