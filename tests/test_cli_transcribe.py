import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import FSDD

from asr.cli import main
from asr.commands.common import FileResult
from asr.commands.formats import MAX_CUE_SECONDS, to_srt, to_vtt
from streaming import Result, Word

ROOT = Path(__file__).resolve().parent.parent
CLIPS = {"9_jackson_5.wav": "nine", "3_theo_5.wav": "three", "7_jackson_5.wav": "seven"}
SRT_CUE = re.compile(
    r"(\d+)\n(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})\n((?:.+\n?)+)"
)
VTT_CUE = re.compile(
    r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n((?:.+\n?)+)"
)


def _seconds(h, m, s, ms):
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_srt(text):
    blocks = [b for b in text.strip().split("\n\n") if b]
    cues = []
    for number, block in enumerate(blocks, start=1):
        match = SRT_CUE.fullmatch(block.strip() + "\n")
        assert match, f"invalid SRT block: {block!r}"
        assert int(match.group(1)) == number
        start, end = _seconds(*match.groups()[1:5]), _seconds(*match.groups()[5:9])
        cues.append((start, end, " ".join(match.group(10).split())))
    return cues


def parse_vtt(text):
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.split("\n\n")[1:]:
        if not block.strip():
            continue
        match = VTT_CUE.fullmatch(block.strip() + "\n")
        assert match, f"invalid VTT block: {block!r}"
        g = match.groups()
        cues.append((_seconds(*g[0:4]), _seconds(*g[4:8]), " ".join(g[8].split())))
    return cues


def assert_valid_cues(cues):
    previous_end = 0.0
    for start, end, text in cues:
        assert previous_end <= start < end, cues
        assert text
        previous_end = end


def test_single_file_prints_its_transcript(tiny_onnx, capsys):
    assert main(["transcribe", str(FSDD / "9_jackson_5.wav"), "--model", str(tiny_onnx)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "nine\n"
    assert "1/1 files" in captured.err and "RTF" in captured.err


def test_every_format_has_the_transcript(tiny_onnx, tmp_path, capsys):
    out = tmp_path / "out"
    paths = [str(FSDD / name) for name in CLIPS]
    code = main(
        [
            "transcribe",
            *paths,
            "--model",
            str(tiny_onnx),
            "--format",
            "all",
            "--output-dir",
            str(out),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == ""  # everything went to files
    for name, text in CLIPS.items():
        stem = name.removesuffix(".wav")
        assert (out / f"{stem}.txt").read_text() == f"{text}\n"
        data = json.loads((out / f"{stem}.json").read_text())
        assert data["text"] == text
        assert data["audio_filepath"].endswith(name)
        assert data["duration"] == pytest.approx(0.6, abs=0.4)
        [segment] = data["segments"]
        assert segment["text"] == text and [w["word"] for w in segment["words"]] == [text]
        assert 0 <= segment["words"][0]["start"] < segment["words"][0]["end"] <= data["duration"]
        lines = (out / f"{stem}.jsonl").read_text().splitlines()
        assert [json.loads(line)["text"] for line in lines] == [text]
        srt = parse_srt((out / f"{stem}.srt").read_text())
        vtt = parse_vtt((out / f"{stem}.vtt").read_text())
        assert [cue[2] for cue in srt] == [text] and srt == vtt
        assert_valid_cues(srt)
        assert srt[0][0] == pytest.approx(segment["words"][0]["start"], abs=0.001)
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_a_failed_write_keeps_the_old_output(tiny_onnx, tmp_path, monkeypatch, capsys):
    """A write that fails half-way (a full disk) leaves the previous output as it was."""
    import errno
    import pathlib

    out = tmp_path / "out"
    out.mkdir()
    old = out / "9_jackson_5.txt"
    old.write_text("the previous transcript\n")
    real_write_text = pathlib.Path.write_text

    def disk_fills_up(path, text, *args, **kwargs):
        if path.parent != out:
            return real_write_text(path, text, *args, **kwargs)
        real_write_text(path, text[: len(text) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pathlib.Path, "write_text", disk_fills_up)
    wav = str(FSDD / "9_jackson_5.wav")
    status = main(["transcribe", wav, "--model", str(tiny_onnx), "--output-dir", str(out)])
    assert status == 1
    assert "No space left on device" in capsys.readouterr().err
    assert old.read_text() == "the previous transcript\n"
    assert [p.name for p in out.iterdir()] == ["9_jackson_5.txt"]  # no temporary left


def test_folder_with_corrupt_and_empty_files_transcribes_the_rest(tiny_onnx, tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(FSDD / "9_jackson_5.wav", folder / "a.wav")
    shutil.copy(FSDD / "3_theo_5.wav", folder / "sub" / "b.wav")
    (folder / "empty.wav").write_bytes(b"")
    (folder / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage" * 100)
    (folder / "notes.txt").write_text("not audio")
    out = tmp_path / "out"
    code = main(
        [
            "transcribe",
            str(folder),
            "--model",
            str(tiny_onnx),
            "--output-dir",
            str(out),
            "--jobs",
            "2",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert (out / "a.txt").read_text() == "nine\n"
    assert (out / "sub" / "b.txt").read_text() == "three\n"
    assert sorted(p.name for p in out.rglob("*.txt")) == ["a.txt", "b.txt"]
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, captured.err
    assert any("empty.wav" in line and "empty" in line.split("empty.wav")[1] for line in errors)
    assert any("corrupt.wav" in line and "readable" in line for line in errors)
    assert "Traceback" not in captured.err
    assert "2/4 files" in captured.err and "2 failed" in captured.err


def test_manifest_glob_and_missing_path(tiny_onnx, tmp_path, capsys):
    code = main(
        [
            "transcribe",
            str(FSDD / "train.jsonl"),
            str(FSDD / "8_*.wav"),
            str(tmp_path / "missing.wav"),
            "--model",
            str(tiny_onnx),
            "--format",
            "json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1  # the missing path is a failure, the rest is transcribed
    rows = [json.loads(line) for line in captured.out.splitlines()]
    by_name = {row["audio_filepath"].rsplit("/", 1)[-1]: row["text"] for row in rows}
    # train.jsonl has 20 clips (relative paths); the glob adds no duplicates of them.
    assert len(rows) == 20
    assert by_name["9_jackson_5.wav"] == "nine" and by_name["8_theo_5.wav"] == "eight"
    assert "missing.wav: no such file or folder" in captured.err


def test_missing_default_model_is_one_clear_line(monkeypatch, tmp_path, capsys):
    import streaming

    monkeypatch.setattr(streaming, "default_model_path", lambda: tmp_path / "default.onnx")
    assert main(["transcribe", str(FSDD / "9_jackson_5.wav")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: no default model at {tmp_path / 'default.onnx'}: pass --model"


def test_srt_needs_output_dir_for_several_files(tiny_onnx, capsys):
    paths = [str(FSDD / name) for name in CLIPS]
    assert main(["transcribe", *paths, "--model", str(tiny_onnx), "--format", "srt"]) == 1
    assert "pass --output-dir" in capsys.readouterr().err


def test_long_segments_become_valid_subtitle_cues():
    words = [Word(f"word{i}", 0.5 + i * 0.4, 0.5 + i * 0.4 + 0.3, 0.9) for i in range(40)]
    segments = [
        Result(" ".join(w.word for w in words[:30]), words[:30], True, 0.0, 12.6),
        Result(" ".join(w.word for w in words[30:]), words[30:], True, 12.6, 17.0),
        Result("", [], True, 17.0, 18.0),
    ]
    result = FileResult(FSDD / "long.wav", segments, 18.0)
    srt, vtt = parse_srt(to_srt(result)), parse_vtt(to_vtt(result))
    assert srt == vtt
    assert_valid_cues(srt)
    assert " ".join(cue[2] for cue in srt) == " ".join(w.word for w in words)
    assert all(end - start <= MAX_CUE_SECONDS + 0.31 for start, end, _ in srt)
    assert len(srt) >= 4 and srt[0][0] == pytest.approx(0.5)
    for line in to_srt(result).splitlines():
        assert len(line) <= 42


def test_transcribe_runs_where_torch_cannot_be_imported(tiny_onnx):
    script = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ModuleNotFoundError(f'{name} is blocked', name=name)\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "from asr.cli import main\n"
        "code = main(['transcribe', sys.argv[1], '--model', sys.argv[2]])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('torch', 'export')]\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(FSDD / "3_theo_5.wav"), str(tiny_onnx)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "three\n"


def _digits_wav(path, clips=("9_jackson_5.wav", "3_theo_5.wav", "7_jackson_5.wav")):
    samples = np.concatenate([sf.read(str(FSDD / name), dtype="int16")[0] for name in clips])
    sf.write(str(path), samples, 8000, subtype="PCM_16")
    return path.read_bytes()


def test_truncated_and_random_data_files_are_warned_and_counted(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    data = _digits_wav(tmp_path / "whole.wav")
    (folder / "a_truncated.wav").write_bytes(data[: len(data) // 3])
    noise = np.random.default_rng(0).bytes(len(data) - 44)
    (folder / "b_noise.wav").write_bytes(data[:44] + noise)  # a valid header, random samples
    shutil.copy(FSDD / "9_jackson_5.wav", folder / "c_good.wav")

    code = main(["transcribe", str(folder), "--format", "json", "--beam", "0"])
    captured = capsys.readouterr()
    assert code == 0
    rows = {
        Path(row["audio_filepath"]).name: row for row in map(json.loads, captured.out.splitlines())
    }
    declared = (len(data) - 44) / 2 / 8000
    [truncated] = rows["a_truncated.wav"]["warnings"]
    assert "truncated" in truncated and f"declares {declared:.2f} s" in truncated
    assert rows["a_truncated.wav"]["text"] == "nine"  # what is there is still transcribed
    [garbage] = rows["b_noise.wav"]["warnings"]
    assert "white noise" in garbage
    assert rows["c_good.wav"]["warnings"] == []
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and "a_truncated.wav" in warnings[0] and "b_noise.wav" in warnings[1]
    assert "3/3 files" in captured.err and "2 with warnings" in captured.err


def test_txt_on_stdout_has_one_line_per_segment(tmp_path, capsys):
    rate = 8000
    silence = np.zeros(int(1.5 * rate), np.float32)
    parts = [sf.read(str(FSDD / name), dtype="float32")[0] for name in CLIPS]
    two_pauses = np.concatenate([parts[0], silence, parts[1], silence, parts[2], silence])
    sf.write(str(tmp_path / "three.wav"), two_pauses, rate)
    shutil.copy(FSDD / "9_jackson_5.wav", tmp_path / "one.wav")

    assert main(["transcribe", str(tmp_path / "three.wav"), "--beam", "0"]) == 0
    assert capsys.readouterr().out == "nine\nthree\nseven\n"
    assert main(["transcribe", str(tmp_path), "--beam", "0"]) == 0
    three, one = tmp_path / "three.wav", tmp_path / "one.wav"
    assert (
        capsys.readouterr().out == f"{one}\tnine\n{three}\tnine\n{three}\tthree\n{three}\tseven\n"
    )


def test_readme_first_command_prints_what_the_readme_says(tmp_path, monkeypatch, capsys):
    """`asr transcribe data/samples` (shipped model, default decoder: beam search with the
    shipped LM and lexicon) prints one line per clip with the words the README quotes, and the
    README's digits grammar gives its."""
    monkeypatch.chdir(ROOT)
    clips = [Path("data/samples") / p.name for p in sorted((ROOT / "data/samples").glob("*.wav"))]
    readme = " ".join((ROOT / "README.md").read_text().split())
    default = grammar = ["zero", "three", "five", "eight"]
    assert "the shipped model writes " + ", ".join(f"`{w}`" for w in default) in readme
    assert "a digits grammar, see Beam search: " + ", ".join(f"`{w}`" for w in grammar) in readme
    assert main(["transcribe", "data/samples"]) == 0
    assert capsys.readouterr().out == "".join(f"{c}\t{w}\n" for c, w in zip(clips, default))
    digits = tmp_path / "digits.txt"
    digits.write_text("\n".join("zero one two three four five six seven eight nine".split()))
    arpa = tmp_path / "digits.arpa"
    assert main(["lm", "build", "--text", str(digits), "--order", "1", "-o", str(arpa)]) == 0
    capsys.readouterr()
    argv = ["transcribe", "data/samples", "--beam", "8", "--lm", str(arpa), "--closed-vocabulary"]
    assert main(argv) == 0
    assert capsys.readouterr().out == "".join(f"{c}\t{w}\n" for c, w in zip(clips, grammar))
