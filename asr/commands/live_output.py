"""Where live transcription goes: the terminal (`Display`: partials redrawn in place, finals as
timed lines; `asr listen` and `asr client`) and, with `--save-audio`, a recording written
atomically (`AudioRecorder`)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from asr.commands.common import CommandError

if TYPE_CHECKING:
    from streaming import Result


class AudioRecorder:
    """Writes the input as it arrives to a temporary file renamed over the target at `close`."""

    def __init__(self, path: Path, sample_rate: int):
        import soundfile as sf

        self.path = path
        fmt = path.suffix.lstrip(".").upper() or "WAV"
        if fmt not in sf.available_formats():
            raise CommandError(f"{path}: --save-audio format {fmt.lower()} is not supported")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        self._file = sf.SoundFile(tmp, "w", sample_rate, 1, format=fmt)
        self.frames = 0

    def write(self, samples: np.ndarray) -> None:
        self._file.write(samples)
        self.frames += len(samples)

    def close(self) -> None:
        self._file.close()
        os.replace(self._tmp, self.path)


class Display:
    """Partial redrawn in place on a terminal (stderr); finals as lines on stdout."""

    def __init__(self, out, live: bool):
        self.out = out
        self.live = live
        self._shown = ""

    def partial(self, text: str) -> None:
        if not self.live or text == self._shown:
            return
        width = max(10, shutil.get_terminal_size().columns - 1)
        sys.stderr.write("\r\x1b[K" + text[-width:])
        sys.stderr.flush()
        self._shown = text

    def clear(self) -> None:
        if self.live and self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = ""

    def final(self, result: Result) -> None:
        self.clear()
        self.out.write(f"[{_clock(result.start)} - {_clock(result.end)}] {result.text}\n")
        self.out.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:02d}:{minutes:02d}:{secs:05.2f}"
