"""Audio durations from file headers (nothing is decoded), remembered between runs.

`soundfile.info` reads WAV, FLAC, OGG/Vorbis/Opus and, with libsndfile >= 1.1 (the soundfile
wheels bundle 1.2), MP3: for MP3 libsndfile walks the frame headers, which is exact and still
no decoding. Where the installed libsndfile has no MP3 support, MP3 durations come from
`audioread` (a librosa dependency; needs ffmpeg, GStreamer or MAD on the system).

Every file read is appended to a JSONL log (path, size, mtime, duration or problem), so a rerun
reads only new or changed files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf


@dataclass(frozen=True)
class Header:
    duration: float  # seconds
    sample_rate: int


@dataclass(frozen=True)
class AudioProblem:
    reason: str  # a short category, counted in the summary
    detail: str


def _soundfile_reads_mp3() -> bool:
    return "MP3" in sf.available_formats()


def _audioread_duration(path: Path) -> Header:
    import audioread

    with audioread.audio_open(str(path)) as handle:
        return Header(float(handle.duration), int(handle.samplerate))


def read_header(path: Path) -> Header | AudioProblem:
    """Duration and sample rate of `path`, or the reason it cannot be used."""
    try:
        size = path.stat().st_size
    except OSError as error:
        return AudioProblem("missing audio", error.strerror or "cannot stat")
    if size == 0:
        return AudioProblem("empty audio", "0 bytes")
    try:
        info = sf.info(str(path))
        header = Header(info.frames / info.samplerate, int(info.samplerate))
    except Exception as error:
        if path.suffix.lower() == ".mp3" and not _soundfile_reads_mp3():
            try:
                header = _audioread_duration(path)
            except Exception as fallback:
                return AudioProblem("unreadable audio", f"audioread: {type(fallback).__name__}")
        else:
            message = getattr(error, "error_string", None) or str(error)
            return AudioProblem("unreadable audio", message.strip().rstrip("."))
    if header.duration <= 0:
        return AudioProblem("empty audio", "no samples")
    return header


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


class HeaderLog:
    """Header facts of files read before (in `log_path`), keyed by path, size and mtime."""

    def __init__(self, log_path: Path):
        self.path = log_path
        self.known: dict[str, dict] = {}
        if log_path.is_file():
            for line in log_path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.known[row["path"]] = row
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short by an interrupted run
        self.reused = 0
        self.read = 0

    def _lookup(self, path: Path) -> tuple[Header | AudioProblem, dict | None, bool]:
        """(header or problem, new log row or None, whether the log already knew it)."""
        stamp = _stamp(path)
        row = self.known.get(str(path))
        if stamp and row and (row["size"], row["mtime_ns"]) == stamp:
            if row.get("problem"):
                return AudioProblem(row["problem"], row["detail"]), None, True
            return Header(row["duration"], row["sample_rate"]), None, True
        result = read_header(path)
        if not stamp:
            return result, None, False  # a missing file: nothing to remember
        new = {"path": str(path), "size": stamp[0], "mtime_ns": stamp[1]}
        if isinstance(result, Header):
            new.update(duration=result.duration, sample_rate=result.sample_rate)
        else:
            new.update(problem=result.reason, detail=result.detail)
        return result, new, False

    def headers(
        self,
        paths: Sequence[Path],
        jobs: int = 4,
        on_progress: Callable[[], None] | None = None,
    ) -> Iterator[Header | AudioProblem]:
        """Headers of `paths` in order; new ones are appended to the log as they are read."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (
            open(self.path, "a", encoding="utf-8") as log,
            ThreadPoolExecutor(max(1, jobs)) as pool,
        ):
            for result, new, known in pool.map(self._lookup, paths):
                self.reused += known
                if new is not None:
                    self.read += 1
                    self.known[new["path"]] = new
                    log.write(json.dumps(new) + "\n")
                if on_progress:
                    on_progress()
                yield result
            log.flush()
            os.fsync(log.fileno())
