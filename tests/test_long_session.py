"""A long session through one `Stream` keeps memory flat (the 8-hour run: bench/long_session.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from streaming import Recognizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from long_session import run_session  # noqa: E402


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc for RSS")
def test_ten_minutes_through_one_stream_keep_memory_flat():
    report = run_session(Recognizer(), hours=10 / 60, block_seconds=1.0, sample_every=120)
    assert report["audio_hours"] == pytest.approx(10 / 60, abs=1e-3)
    assert len(report["rss_samples_mb"]) == 5  # after 2, 4, 6, 8 and 10 minutes
    assert report["finals"] > 200  # endpoints fired all along (shipped model: 276)
    assert report["rss_growth_mb"] <= 1.0, report["rss_samples_mb"]
