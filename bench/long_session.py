"""Long-session memory benchmark: hours of audio through one `Stream`, as fast as it decodes.

    python bench/long_session.py [--hours 8] [--model M.onnx] [--block-seconds 0.5]

A one-minute loop of speech (the FSDD clips with pauses between them, so endpoints fire) is fed
again and again to a single `Stream`, as a meeting captioner would over a working day. The
resident set size (RSS, from /proc) is sampled every simulated ten minutes; the figure that
matters is its growth after the first ten minutes of warm-up (target: at most 1 MB over 8 h).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asr.audio import load_audio  # noqa: E402
from streaming import DecodingOptions, Recognizer  # noqa: E402

RATE = 16000
WARMUP_SECONDS = 600.0


def rss_bytes() -> int:
    """Current resident set size (not the peak) from /proc/self/statm."""
    import os

    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def speech_loop(seconds: float = 60.0) -> np.ndarray:
    """About `seconds` of digits with 0.3–1.5 s pauses: endpoints and silence both occur."""
    files = sorted((ROOT / "tests" / "data" / "fsdd").glob("*.wav"))
    rng = np.random.default_rng(0)
    parts, total = [], 0
    while total < seconds * RATE:
        for path in files:
            clip = load_audio(path)
            pause = np.zeros(int(rng.uniform(0.3, 1.5) * RATE), np.float32)
            parts += [clip, pause]
            total += len(clip) + len(pause)
    return np.concatenate(parts)


def run_session(
    recognizer: Recognizer,
    hours: float,
    block_seconds: float = 0.5,
    sample_every: float = WARMUP_SECONDS,
) -> dict:
    """Feed `hours` of audio to one stream; RSS every `sample_every` audio seconds (the first
    sample, after as much warm-up, is the baseline) and counts."""
    audio = speech_loop()
    block = int(block_seconds * RATE)
    stream = recognizer.create_stream()
    samples: list[tuple[float, int]] = []  # (audio seconds, RSS bytes)
    finals = words = 0
    fed = 0.0
    next_sample = sample_every
    started = time.perf_counter()
    total = hours * 3600
    while fed < total:
        for start in range(0, len(audio), block):
            stream.accept_waveform(audio[start : start + block], RATE)
            recognizer.decode_stream(stream)
            fed += min(block, len(audio) - start) / RATE
            for result in stream.pop_finals():
                finals += 1
                words += len(result.words)
            if fed >= next_sample:
                samples.append((fed, rss_bytes()))
                next_sample += sample_every
            if fed >= total:
                break
    finals += len(recognizer.finish(stream))
    wall = time.perf_counter() - started
    baseline = samples[0][1] if samples else rss_bytes()
    return {
        "audio_hours": round(fed / 3600, 3),
        "wall_seconds": round(wall, 1),
        "rtf": round(wall / fed, 5),
        "finals": finals,
        "words": words,
        "rss_after_warmup_mb": round(baseline / 1e6, 2),
        "rss_end_mb": round(rss_bytes() / 1e6, 2),
        "rss_growth_mb": round((max(rss for _, rss in samples) - baseline) / 1e6, 3)
        if samples
        else 0.0,
        "rss_samples_mb": [round(rss / 1e6, 2) for _, rss in samples],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    parser.add_argument("--block-seconds", type=float, default=0.5)
    parser.add_argument("--limit-mb", type=float, default=1.0, help="allowed RSS growth (1 MB)")
    args = parser.parse_args()
    recognizer = Recognizer(args.model, DecodingOptions.greedy_ctc(), provider="cpu", threads=1)
    report = run_session(recognizer, args.hours, args.block_seconds)
    report["limit_mb"] = args.limit_mb
    report["ok"] = report["rss_growth_mb"] <= args.limit_mb
    print(
        f"{report['audio_hours']} h of audio in {report['wall_seconds']} s (RTF {report['rtf']}), "
        f"{report['finals']} finals; RSS {report['rss_after_warmup_mb']} MB after warm-up, "
        f"growth {report['rss_growth_mb']} MB (limit {args.limit_mb} MB): "
        f"{'ok' if report['ok'] else 'TOO MUCH'}"
    )
    print(json.dumps(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
