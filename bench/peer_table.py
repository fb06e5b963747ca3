"""Scores and the Markdown table of `bench/peers.py`: one row per set and system, and for every
row its ratios to each peer measured on the same set (row ÷ peer: below 1 is better for all)."""

from __future__ import annotations

from dataclasses import dataclass

NAMES = {
    # `--model` (the shipped model by default, int8 weights) and `--int8-model` (a second
    # export to compare, e.g. `asr export --int8-dynamic`).
    "greedy": "ours, greedy",
    "greedy-int8": "ours, greedy, --int8-model",
    "beam": "ours, beam",
    "beam-int8": "ours, beam, --int8-model",
    "beam-lm": "ours, beam + LM",
    "beam-lm-int8": "ours, beam + LM, --int8-model",
    "pocketsphinx": "PocketSphinx 5, en-us",
    "whisper": "Whisper tiny.en, int8",
}
PEERS = ("pocketsphinx", "whisper")
RATIOS = ("wer", "rtf", "size_mb", "peak_rss_mb")  # the figures compared with each peer


@dataclass
class Row:
    set: str
    system: str
    clips: int
    audio_seconds: float
    wer: float | None
    cer: float | None
    rtf: float | None
    first_partial_latency: float | None  # mean seconds, streaming systems only
    final_latency: float | None
    size_mb: float
    peak_rss_mb: float
    failures: int = 0


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _rate(counts) -> float | None:
    rate = counts.rate
    return None if rate == float("inf") else rate


def score(set_name: str, system: str, result: dict) -> Row:
    """A row from one worker's output; WER/CER with the project normaliser on both sides."""
    from asr.wer import ErrorCounts, char_errors, word_errors

    scored = [u for u in result["utterances"] if "error" not in u]
    words = sum((word_errors(u["reference"], u["hypothesis"]) for u in scored), ErrorCounts())
    chars = sum((char_errors(u["reference"], u["hypothesis"]) for u in scored), ErrorCounts())
    audio = sum(u["duration"] for u in scored)
    compute = sum(u["compute_seconds"] for u in scored)
    return Row(
        set=set_name,
        system=system,
        clips=len(scored),
        audio_seconds=audio,
        wer=_rate(words),
        cer=_rate(chars),
        rtf=compute / audio if audio else None,
        first_partial_latency=_mean([u["first_partial_latency"] for u in scored]),
        final_latency=_mean([u["final_latency"] for u in scored]),
        size_mb=result["size_bytes"] / 1e6,
        peak_rss_mb=result["peak_rss_mb"],
        failures=len(result["utterances"]) - len(scored),
    )


def ratios(row: Row, peer: Row) -> dict[str, float | None]:
    """row ÷ peer for each figure in RATIOS; None where either side is missing or the peer's
    figure is zero."""
    out: dict[str, float | None] = {}
    for name in RATIOS:
        mine, theirs = getattr(row, name), getattr(peer, name)
        out[name] = None if mine is None or not theirs else mine / theirs
    return out


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def markdown(rows: list[Row]) -> str:
    """The table: measurements, then one 'vs PEER' column per peer present in the rows."""
    peers = [p for p in PEERS if any(r.system == p for r in rows)]
    by_set = {(r.set, r.system): r for r in rows}
    header = [
        "set",
        "system",
        "clips",
        "WER",
        "CER",
        "RTF",
        "first partial",
        "final",
        "size MB",
        "peak RSS MB",
    ]
    header += [f"÷ {NAMES[p]} (WER / RTF / size / RSS)" for p in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [
            row.set,
            NAMES.get(row.system, row.system),
            str(row.clips),
            _percent(row.wer),
            _percent(row.cer),
            "n/a" if row.rtf is None else f"{row.rtf:.4f}",
            _seconds(row.first_partial_latency),
            _seconds(row.final_latency),
            f"{row.size_mb:.1f}",
            f"{row.peak_rss_mb:.0f}",
        ]
        for peer in peers:
            other = by_set.get((row.set, peer))
            if other is None or peer == row.system:
                cells.append("—")
            else:
                cells.append(" / ".join(_ratio(v) for v in ratios(row, other).values()))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
