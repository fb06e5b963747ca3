"""Pieces shared by the user commands: model options, file results, summaries."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.markup import escape

from asr.commands.decoding_options import add_decoder_arguments, decoding_options
from asr.commands.errors import CommandError
from asr.progress import console
from streaming.recognizer import DEFAULT_CHUNK_MS, MAX_CHUNK_MS, MIN_CHUNK_MS

if TYPE_CHECKING:
    from streaming import Recognizer, Result
    from streaming.recognizer import FileBlock


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", type=Path, help="ONNX model from `asr export` (default: the shipped model)"
    )
    parser.add_argument(
        "--provider",
        choices=("auto", "cuda", "cpu"),
        default="auto",
        help="onnxruntime provider (default auto: CUDA when available)",
    )
    parser.add_argument(
        "--chunk-ms",
        type=int,
        default=DEFAULT_CHUNK_MS,
        help=f"audio per model call in ms: latency vs throughput (default {DEFAULT_CHUNK_MS})",
    )
    add_decoder_arguments(parser)


def model_path(model: Path | None) -> Path:
    """The model to load: `--model`, or the shipped default (which must exist)."""
    from streaming import default_model_path

    if model is not None:
        return model
    path = default_model_path()
    if not path.is_file():
        raise CommandError(f"no default model at {path}: pass --model")
    return path


def load_recognizer(args: argparse.Namespace, threads: int = 1) -> Recognizer:
    from asr.ctc.lm import LmError
    from streaming import Recognizer

    options = decoding_options(args)
    if not MIN_CHUNK_MS <= args.chunk_ms <= MAX_CHUNK_MS:
        raise CommandError(f"--chunk-ms: chunk_ms must be within {MIN_CHUNK_MS}..{MAX_CHUNK_MS}")
    try:
        return Recognizer(
            model_path(args.model),
            options,
            provider=args.provider,
            threads=threads,
            chunk_ms=args.chunk_ms,
        )
    except (LmError, ValueError) as error:
        raise CommandError(str(error)) from error


@dataclass
class FileResult:
    """What one audio file gave: final segments, audio duration and compute time."""

    path: Path
    segments: list[Result] = field(default_factory=list)
    duration: float = 0.0  # seconds of audio
    compute_seconds: float = 0.0  # features + model (resampling included), not file decoding
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # decoded, but the file looks corrupt

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments if segment.text)


def stream_file(
    recognizer: Recognizer,
    path: Path,
    block_seconds: float = 1.0,
    on_block: Callable[[FileBlock], None] | None = None,
) -> FileResult:
    """`Recognizer.transcribe_file` as a `FileResult`: segments, duration, compute time, and
    warnings for a file that decoded but looks corrupt. `on_block` sees every decoded block (see
    `FileBlock`). Raises `AudioError`/`ValueError` for unusable audio."""
    from asr.audio_check import NoiseMeter, length_warning, read_header

    sample_rate = recognizer.model.info.feature_config.sample_rate
    header = read_header(path)
    noise = NoiseMeter(sample_rate, header.sample_rate / 2 if header.sample_rate else None)
    result = FileResult(path)

    def record(block: FileBlock) -> None:
        if len(block.samples):
            noise.add(block.samples)
        result.compute_seconds += block.compute_seconds
        result.duration = block.position
        if on_block:
            on_block(block)

    result.segments = recognizer.transcribe_file(path, block_seconds, record)
    warnings = (header.warning or length_warning(header.seconds, result.duration), noise.warning())
    result.warnings = [f"{path}: {warning}" for warning in warnings if warning]
    return result


def describe_error(path: Path | str, error: BaseException) -> str:
    """One line naming the file and the problem."""
    from asr.audio import AudioError

    if isinstance(error, AudioError):
        return str(error)
    message = str(error) or type(error).__name__
    return message if str(path) in message else f"{path}: {message}"


def report_failure(message: str) -> None:
    console.print(f"[red]error:[/] {escape(message)}")


def report_warning(message: str) -> None:
    console.print(f"[yellow]warning:[/] {escape(message)}")


def format_clock(seconds: float) -> str:
    """1:02:03.5-style duration for summaries."""
    seconds = max(0.0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{int(hours)}:{int(minutes):02d}:{secs:04.1f}"
    if minutes:
        return f"{int(minutes)}:{secs:04.1f}"
    return f"{secs:.1f} s"


def summary_line(
    files: int,
    failures: int,
    audio_seconds: float,
    wall_seconds: float,
    compute_seconds: float,
    warned: int = 0,
) -> str:
    rtf = compute_seconds / audio_seconds if audio_seconds else 0.0
    wall_rtf = wall_seconds / audio_seconds if audio_seconds else 0.0
    line = (
        f"{files - failures}/{files} files, {format_clock(audio_seconds)} of audio in "
        f"{format_clock(wall_seconds)} (RTF {rtf:.3f} compute, {wall_rtf:.3f} wall)"
    )
    if failures:
        line += f", {failures} failed"
    if warned:
        line += f", {warned} with warnings (corrupt?)"
    return line


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None

    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def latency_figures(name: str, values: list[float]) -> dict:
    """{name_mean, name_p95, name_count}, in seconds (None without measurements)."""
    mean = sum(values) / len(values) if values else None
    p95 = percentile(values, 95)
    return {
        f"{name}_mean": None if mean is None else round(mean, 4),
        f"{name}_p95": None if p95 is None else round(p95, 4),
        f"{name}_count": len(values),
    }
