import json
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mix_joins_with_absolute_paths_and_repeats(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "m.jsonl").write_text(json.dumps({"audio_filepath": "x.wav", "text": "one"}) + "\n")
    (b / "m.jsonl").write_text(
        json.dumps({"audio_filepath": "/abs/y.wav", "text": "two"})
        + "\n\n"
        + json.dumps({"audio_filepath": "z.wav", "text": "three"})
        + "\n"
    )
    out = tmp_path / "mix.jsonl"
    argv = ["mix_manifests.py", str(out), str(a / "m.jsonl"), f"3@{b / 'm.jsonl'}"]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(ROOT / "data" / "recipes" / "mix_manifests.py"), run_name="__main__")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["text"] for r in rows] == ["one"] + ["two", "three"] * 3
    assert rows[0]["audio_filepath"] == str(a / "x.wav")
    assert rows[1]["audio_filepath"] == "/abs/y.wav"
    assert rows[2]["audio_filepath"] == str(b / "z.wav")


def test_mix_makes_paths_absolute_when_the_manifest_is_named_relatively(tmp_path, monkeypatch):
    """`2@../shared/x.jsonl` from the repo: its clips must not stay relative to the caller."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "m.jsonl").write_text(
        json.dumps({"audio_filepath": "x.wav", "text": "one"}) + "\n"
    )
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    out = tmp_path / "out" / "mix.jsonl"
    out.parent.mkdir()
    monkeypatch.setattr(sys, "argv", ["mix_manifests.py", str(out), "2@../data/m.jsonl"])
    runpy.run_path(str(ROOT / "data" / "recipes" / "mix_manifests.py"), run_name="__main__")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["audio_filepath"] for r in rows] == [str(tmp_path / "data" / "x.wav")] * 2
