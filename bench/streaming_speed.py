"""Streaming speed benchmark: real-time factor, per-chunk latency and peak memory.

    python bench/streaming_speed.py [--model M.onnx ...] [--audio FILE_OR_MANIFEST] [--seconds 120]

Every model (default: the shipped one) decodes the same audio through one `Stream` on one CPU
thread, fed chunk by chunk as a microphone would. When torch is importable, a randomly
initialised 4×512 LSTM is exported and measured in the same run as the baseline, and every row
is also printed as a ratio to it. RTF = compute time (features + model) / audio time.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asr.audio import load_audio  # noqa: E402
from asr.manifest import read_manifest  # noqa: E402
from streaming import DecodingOptions, Recognizer, default_model_path  # noqa: E402


def test_audio(source: Path | None, seconds: float) -> np.ndarray:
    if source is None:
        files = sorted((ROOT / "tests" / "data" / "fsdd").glob("*.wav"))
    elif source.suffix == ".jsonl":
        files = [entry.audio_path for entry in read_manifest(source, require_text=False)[0]]
    else:
        files = [source]
    clips, total = [], 0
    while total < seconds * 16000:
        for path in files:
            clip = load_audio(path)
            clips += [clip, np.zeros(8000, np.float32)]
            total += len(clip) + 8000
    return np.concatenate(clips)[: int(seconds * 16000)]


def measure(model: Path, audio: np.ndarray, chunk_ms: int, threads: int) -> dict:
    recognizer = Recognizer(
        model, DecodingOptions.greedy_ctc(), provider="cpu", threads=threads, chunk_ms=chunk_ms
    )
    config = recognizer.model.info.feature_config
    stream = recognizer.create_stream()
    chunk = int(recognizer.chunk_seconds * 16000)
    stream.accept_waveform(audio[:chunk], 16000)  # warm-up
    recognizer.decode_stream(stream)
    stream = recognizer.create_stream()
    latencies = []
    for start in range(0, len(audio), chunk):
        began = time.perf_counter()
        stream.accept_waveform(audio[start : start + chunk], 16000)
        recognizer.decode_stream(stream)
        latencies.append(time.perf_counter() - began)
    began = time.perf_counter()
    recognizer.finish(stream)
    total = sum(latencies) + time.perf_counter() - began
    window_ms = (config.win_length - config.hop_length) / config.sample_rate * 1000
    stacking_ms = (config.stack - 1) * config.hop_length / config.sample_rate * 1000
    return {
        "model": str(model),
        "size_mb": round(model.stat().st_size / 1e6, 2),
        "rtf": total / (len(audio) / 16000),
        "chunk_ms": round(recognizer.chunk_seconds * 1000),
        "chunk_p50_ms": float(np.percentile(latencies, 50) * 1000),
        "chunk_p95_ms": float(np.percentile(latencies, 95) * 1000),
        "algorithmic_latency_ms": round(recognizer.chunk_seconds * 1000 + window_ms + stacking_ms),
    }


def baseline_model(directory: Path) -> Path | None:
    """A random 4×512 LSTM (the size the issue quotes), exported like ours."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    from asr.model import LstmCtcModel, ModelConfig
    from export.metadata import write_metadata
    from export.onnx_export import export_onnx

    model = LstmCtcModel(ModelConfig(input_dim=240, proj_dim=512, hidden_size=512, num_layers=4))
    path = directory / "baseline-4x512.onnx"
    export_onnx(model, path)
    from asr.features import FeatureConfig, FeatureStats
    from asr.tokens import Vocabulary

    write_metadata(
        path,
        {
            "lstm_asr_format": "1",
            "feature_config": json.dumps(FeatureConfig().to_dict()),
            "feature_stats": json.dumps(FeatureStats.identity(80).to_dict()),
            "vocabulary": json.dumps(Vocabulary().to_list()),
            "model_config": json.dumps(model.config.to_dict()),
        },
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, action="append", help="ONNX model(s) to measure")
    parser.add_argument("--audio", type=Path, help="audio file or manifest (default: test clips)")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--chunk-ms", type=int, default=120)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    audio = test_audio(args.audio, args.seconds)
    models = args.model or [default_model_path()]
    with tempfile.TemporaryDirectory() as tmp:
        baseline = None if args.no_baseline else baseline_model(Path(tmp))
        rows = [measure(m, audio, args.chunk_ms, args.threads) for m in models]
        reference = measure(baseline, audio, args.chunk_ms, args.threads) if baseline else None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(audio) / 16000:.0f} s of audio, {args.threads} thread(s), peak RSS {peak_mb:.0f} MB"
    )
    header = f"{'model':40s} {'MB':>6s} {'RTF':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'algo ms':>8s}"
    print(header + ("  RTF vs 4x512" if reference else ""))
    for row in rows + ([reference] if reference else []):
        ratio = f"  {row['rtf'] / reference['rtf']:.2f}x" if reference else ""
        print(
            f"{Path(row['model']).name:40s} {row['size_mb']:6.2f} {row['rtf']:8.4f} "
            f"{row['chunk_p50_ms']:8.2f} {row['chunk_p95_ms']:8.2f} "
            f"{row['algorithmic_latency_ms']:8d}{ratio}"
        )
    print(json.dumps({"rows": rows, "baseline": reference, "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
