"""The commands' transcripts of the sample and test clips with the shipped model, pinned.

A refactor must leave them identical. A model or decoder change that is meant to change them
rewrites the golden file in its own commit: `python tests/test_golden_transcripts.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden_transcripts.json"
CLIPS = sorted((ROOT / "data" / "samples").glob("*.wav")) + sorted(
    (ROOT / "tests" / "data" / "fsdd").glob("*.wav")
)
# The commands' default decoder (beam + shipped LM) and greedy CTC.
DECODERS = {"default": [], "greedy": ["--beam", "0"]}
CONF_TOLERANCE = 0.002  # confidences are rounded to 3 decimals; allow one last-digit flip


def transcripts(flags: list[str], capsys) -> dict[str, dict]:
    """`asr transcribe --format json` of every clip: {path relative to the repo: transcript}."""
    from asr.cli import main

    assert main(["transcribe", "--format", "json", *flags, *map(str, CLIPS)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {str(Path(row.pop("audio_filepath")).relative_to(ROOT)): row for row in rows}


def _without_conf(transcript: dict) -> tuple[dict, list[float]]:
    confs = []
    segments = []
    for segment in transcript["segments"]:
        words = []
        for word in segment["words"]:
            confs.append(word["conf"])
            words.append({k: v for k, v in word.items() if k != "conf"})
        segments.append({**segment, "words": words})
    return {**transcript, "segments": segments}, confs


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_commands_transcripts_match_the_golden_file(decoder, capsys):
    golden = json.loads(GOLDEN.read_text())[decoder]
    current = transcripts(DECODERS[decoder], capsys)
    assert sorted(current) == sorted(golden)
    assert len(current) >= 28
    for path, expected in golden.items():
        got, got_confs = _without_conf(current[path])
        want, want_confs = _without_conf(expected)
        assert got == want, path
        assert got_confs == pytest.approx(want_confs, abs=CONF_TOLERANCE), path


def test_python_api_decodes_like_the_commands_by_default():
    """`Recognizer()` and `asr transcribe` share one default decoder (beam + shipped LM)."""
    from streaming import Recognizer

    golden = json.loads(GOLDEN.read_text())
    recognizer = Recognizer()
    for path in CLIPS:
        text = " ".join(r.text for r in recognizer.transcribe_file(path) if r.text)
        assert text == golden["default"][str(path.relative_to(ROOT))]["text"], path
    assert golden["default"] != golden["greedy"]  # the test can tell the two decoders apart


class _Capture:
    """Just enough of pytest's capsys to regenerate the file from the command line."""

    def readouterr(self):
        import io

        text = sys.stdout.getvalue()
        sys.stdout = io.StringIO()
        return type("Captured", (), {"out": text})()


if __name__ == "__main__":
    import io

    sys.path.insert(0, str(ROOT))
    sys.stdout, real_stdout = io.StringIO(), sys.stdout
    golden = {name: transcripts(flags, _Capture()) for name, flags in DECODERS.items()}
    sys.stdout = real_stdout
    GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
