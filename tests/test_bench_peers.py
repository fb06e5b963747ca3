"""The peer benchmark's own logic: set parsing, clip selection, scoring, ratios and the table
(no peer recogniser is needed)."""

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from peer_table import Row, markdown, ratios, score  # noqa: E402
from peer_worker import select  # noqa: E402
from peers import parse_set  # noqa: E402


def _row(system: str, wer: float, rtf: float, size: float, rss: float, set_name="s") -> Row:
    return Row(set_name, system, 10, 20.0, wer, wer / 2, rtf, None, None, size, rss)


def test_parse_set_with_and_without_limit():
    assert parse_set("fsdd=a/b.jsonl") == ("fsdd", Path("a/b.jsonl"), None)
    assert parse_set("tts:200=x=y.jsonl") == ("tts", Path("x=y.jsonl"), 200)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_set("no-manifest")
    with pytest.raises(argparse.ArgumentTypeError):
        parse_set("tts:lots=x.jsonl")


def test_select_spreads_clips_through_the_manifest():
    entries = list(range(10))
    assert select(entries, 5) == [0, 2, 4, 6, 8]
    assert select(entries, 3) == [0, 3, 6]
    assert select(entries, None) == entries
    assert select(entries, 50) == entries


def test_score_uses_the_project_normaliser_and_skips_failed_clips():
    result = {
        "size_bytes": 2_500_000,
        "peak_rss_mb": 200.0,
        "utterances": [
            {
                "reference": "Mr. Smith paid $5",
                "hypothesis": "mister smith paid five dollars",
                "duration": 2.0,
                "compute_seconds": 0.1,
                "first_partial_latency": 0.2,
                "final_latency": None,
            },
            {
                "reference": "one two",
                "hypothesis": "one",
                "duration": 3.0,
                "compute_seconds": 0.4,
                "first_partial_latency": 0.4,
                "final_latency": 0.3,
            },
            {"reference": "lost", "error": "unreadable"},
        ],
    }
    row = score("dev", "greedy", result)
    assert (row.clips, row.failures) == (2, 1)
    assert row.wer == pytest.approx(1 / 7)  # one deletion in 5 + 2 words
    assert row.rtf == pytest.approx(0.5 / 5.0)
    assert row.first_partial_latency == pytest.approx(0.3)
    assert row.final_latency == pytest.approx(0.3)
    assert row.size_mb == pytest.approx(2.5)


def test_ratios_are_row_over_peer_and_none_for_a_zero_peer():
    ours, peer = _row("greedy", 0.2, 0.01, 2.6, 200), _row("whisper", 0.1, 0.2, 78.0, 250)
    got = ratios(ours, peer)
    assert got["wer"] == pytest.approx(2.0)
    assert got["rtf"] == pytest.approx(0.05)
    assert got["size_mb"] == pytest.approx(2.6 / 78)
    assert got["peak_rss_mb"] == pytest.approx(0.8)
    assert ratios(ours, _row("whisper", 0.0, 0.2, 78.0, 250))["wer"] is None


def test_markdown_has_a_ratio_column_per_peer_on_the_same_set():
    rows = [
        _row("greedy", 0.2, 0.01, 2.6, 200),
        _row("pocketsphinx", 0.4, 0.2, 38.0, 130),
        _row("whisper", 0.1, 0.2, 78.0, 250),
        _row("greedy", 0.5, 0.01, 2.6, 200, set_name="other"),
    ]
    lines = markdown(rows).splitlines()
    assert "÷ PocketSphinx 5, en-us" in lines[0] and "÷ Whisper tiny.en, int8" in lines[0]
    assert len(lines) == 2 + len(rows)
    greedy = lines[2].split(" | ")
    assert greedy[3] == "20.0 %"
    assert greedy[-2] == "0.5 / 0.05 / 0.0684 / 1.54"
    assert greedy[-1].rstrip(" |") == "2 / 0.05 / 0.0333 / 0.8"
    assert lines[3].split(" | ")[-2] == "—"  # a peer is not compared with itself
    assert lines[5].split(" | ")[-1].rstrip(" |") == "—"  # no peer ran on "other"
