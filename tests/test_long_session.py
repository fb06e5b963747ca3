"""A long session through one `Stream` keeps memory flat (the 8-hour run: bench/long_session.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from streaming import DecodingOptions, Recognizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from long_session import run_session  # noqa: E402


def _greedy() -> Recognizer:
    return Recognizer(decoding=DecodingOptions.greedy_ctc())


def _beam_with_lm() -> Recognizer:
    """What the API and the commands decode with by default: beam 8, shipped LM and lexicon."""
    return Recognizer()


# The beam + LM decoder costs ~3x greedy's time, so it runs 6 minutes (RSS sampled every 72 s;
# the first sample is the baseline). A decoder that kept each 120 ms chunk's float64 log-probs
# (~1 kB, 30 MB an hour) grows ~2 MB in that time: caught (3 runs of 3); a leak of half that is
# within the noise of RSS.
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc for RSS")
@pytest.mark.parametrize(
    "make_recognizer, minutes, min_finals",
    [(_greedy, 10, 200), (_beam_with_lm, 6, 120)],
    ids=["greedy", "beam+lm"],
)
def test_a_long_session_through_one_stream_keeps_memory_flat(make_recognizer, minutes, min_finals):
    report = run_session(
        make_recognizer(), hours=minutes / 60, block_seconds=1.0, sample_every=minutes * 12.0
    )
    assert report["audio_hours"] == pytest.approx(minutes / 60, abs=1e-3)
    assert len(report["rss_samples_mb"]) == 5  # after each fifth of the session
    assert report["finals"] > min_finals  # endpoints fired all along (10 min greedy: 276)
    assert report["rss_growth_mb"] <= 1.0, report["rss_samples_mb"]
