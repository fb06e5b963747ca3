import json

import jiwer
import pytest
from conftest import FSDD

from asr.audio import load_audio
from asr.cli import main
from asr.tokens import normalize_text
from streaming import DecodingOptions, Recognizer, default_lexicon_path, default_lm_path


def _rows(manifest):
    return [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]


@pytest.fixture
def mixed_manifest(tmp_path):
    """Held-out speaker (errors expected) and training clips, absolute paths."""
    rows = _rows(FSDD / "heldout.jsonl") + _rows(FSDD / "train.jsonl")[:8]
    for row in rows:
        row["audio_filepath"] = str(FSDD / row["audio_filepath"])
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path, rows


def _last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_json_has_the_independently_computed_wer(tiny_onnx, mixed_manifest, capsys):
    manifest, rows = mixed_manifest
    # What `asr evaluate` decodes with by default: the beam search with the shipped LM (its tuned
    # values) and the shipped lexicon.
    recognizer = Recognizer(tiny_onnx)  # the commands' default
    refs = [normalize_text(row["text"]) for row in rows]
    hyps = [
        normalize_text(" ".join(r.text for r in recognizer.transcribe_file(row["audio_filepath"])))
        for row in rows
    ]
    measures = jiwer.process_words(refs, hyps)
    assert 0 < measures.wer < 1  # the held-out speaker makes errors: a real number to compare
    code = main(["evaluate", str(manifest), "--model", str(tiny_onnx), "--json", "--worst", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = _last_json(captured.out)
    assert result["mode"] == "streaming"
    assert result["utts"] == len(rows)
    stored = json.loads(default_lm_path().with_suffix("").with_suffix(".json").read_text())
    assert result["decoder"] == {
        "kind": "beam",
        "beam": 32,
        "lm": str(default_lm_path()),
        "lm_weight": stored["lm_weight"],
        "word_bonus": stored["word_bonus"],
        "blank_penalty": stored.get("blank_penalty", 0.0),
        "hotwords": 0,
        "closed_vocabulary": False,
        "lexicon": str(default_lexicon_path()),
        "lexicon_words": len(recognizer.decoders.lexicon),
    }
    assert result["wer"] == pytest.approx(measures.wer, abs=1e-6)
    assert result["cer"] == pytest.approx(jiwer.cer(refs, hyps), abs=1e-6)
    assert result["substitutions"] == measures.substitutions
    assert result["deletions"] == measures.deletions
    assert result["insertions"] == measures.insertions
    assert result["audio_seconds"] == pytest.approx(sum(r["duration"] for r in rows), abs=0.01)
    assert 0 < result["rtf"] < 5
    assert result["first_partial_latency_count"] == len(rows)
    assert 0 <= result["first_partial_latency_mean"] <= result["first_partial_latency_p95"] < 1
    # The human report (on stderr with --json) shows the worst utterances aligned.
    worst = next(i for i, (r, h) in enumerate(zip(refs, hyps)) if r != h)
    assert f"REF: {refs[worst]}\n" in captured.err and f"HYP: {hyps[worst]}\n" in captured.err
    assert "worst 2 utterances" in captured.err


def test_relative_manifest_paths_and_report(tiny_onnx, tmp_path, capsys):
    report = tmp_path / "report.jsonl"
    manifest = FSDD / "train.jsonl"  # relative paths: resolved against the manifest's folder
    code = main(
        ["evaluate", str(manifest), "--model", str(tiny_onnx), "--json", "--report", str(report)]
    )
    result = _last_json(capsys.readouterr().out)
    assert code == 0
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert len(rows) == result["utts"] == 20
    by_name = {row["audio_filepath"].rsplit("/", 1)[-1]: row for row in rows}
    assert by_name["9_jackson_5.wav"]["hypothesis"] == "nine"
    assert by_name["9_jackson_5.wav"]["word_errors"] == 0
    errors = sum(row["word_errors"] for row in rows)
    assert result["wer"] == pytest.approx(errors / 20)


def test_both_modes_report_the_difference(tiny_onnx, mixed_manifest, capsys):
    manifest, rows = mixed_manifest
    recognizer = Recognizer(tiny_onnx, DecodingOptions.greedy_ctc())
    refs = [normalize_text(row["text"]) for row in rows]
    offline = [
        normalize_text(recognizer.offline_transcribe(load_audio(row["audio_filepath"])).text)
        for row in rows
    ]
    streamed = [
        normalize_text(" ".join(r.text for r in recognizer.transcribe_file(row["audio_filepath"])))
        for row in rows
    ]
    code = main(
        ["evaluate", str(manifest), "--model", str(tiny_onnx), "--mode", "both", "--json"]
        + ["--beam", "0"]
    )
    captured = capsys.readouterr()
    result = _last_json(captured.out)
    assert code == 0
    assert result["mode"] == "both" and result["decoder"] == {"kind": "greedy"}
    assert "mode both, cpu, greedy" in captured.err
    assert result["offline_wer"] == pytest.approx(jiwer.wer(refs, offline), abs=1e-6)
    assert result["wer"] == pytest.approx(jiwer.wer(refs, streamed), abs=1e-6)
    difference = jiwer.wer(refs, streamed) - jiwer.wer(refs, offline)
    assert result["wer_difference"] == pytest.approx(difference, abs=2e-6)


def test_bad_clip_is_reported_and_the_rest_scored(tiny_onnx, tmp_path, capsys):
    (tmp_path / "empty.wav").write_bytes(b"")
    lines = [
        {"audio_filepath": str(FSDD / "9_jackson_5.wav"), "duration": 0.58, "text": "Nine!"},
        {"audio_filepath": "empty.wav", "duration": 1.0, "text": "one"},
        {"audio_filepath": str(FSDD / "3_theo_5.wav"), "duration": 0.23, "text": "2"},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines) + "not json\n")
    code = main(["evaluate", str(manifest), "--model", str(tiny_onnx), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    result = _last_json(captured.out)
    # "Nine!" → "nine" is right; "2" → "two" vs "three" is one substitution.
    assert result["utts"] == 2 and result["failures"] == 1
    assert result["wer"] == pytest.approx(0.5)
    assert result["substitutions"] == 1
    assert "empty.wav" in captured.err and "m.jsonl:4" in captured.err
    assert "Traceback" not in captured.err


def test_plot_without_matplotlib_is_a_clear_error(tiny_onnx, tmp_path, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    plot = tmp_path / "plot.png"
    code = main(
        ["evaluate", str(FSDD / "train.jsonl"), "--model", str(tiny_onnx), "--plot", str(plot)]
    )
    assert code == 1
    assert "--plot needs matplotlib" in capsys.readouterr().err
    assert not plot.exists()
