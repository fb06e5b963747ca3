"""`Stream`: one audio stream's incremental state (resampler, features, LSTM state, decoder).

A stream is passive: it buffers features and keeps state, and its `Recognizer` owns the decode
loop (as in sherpa-onnx), so one model call can serve many streams."""

from __future__ import annotations

from collections import deque

import numpy as np

from asr.audio import StreamingResampler, to_mono
from asr.ctc.beam_search import BeamSearchDecoder
from asr.ctc.decoding import GreedyDecoder
from asr.features import FeaturePipeline, tail_silence
from streaming.endpoint import EndpointConfig, endpoint_reached
from streaming.model import ModelInfo
from streaming.result import Result, make_result


class Stream:
    """Feed audio at any rate with `accept_waveform`, let the `Recognizer` decode it
    (`decode_stream`, or `decode_streams` for many), read `partial()` and `pop_finals()`, and
    `Recognizer.finish(stream)` at the end. Created by `Recognizer.create_stream()`."""

    def __init__(
        self,
        info: ModelInfo,
        decoder: GreedyDecoder | BeamSearchDecoder,
        endpoint: EndpointConfig,
        initial_state: tuple[np.ndarray, np.ndarray],
    ):
        self._endpoint = endpoint
        self._initial_state = initial_state  # never changed in place: the model returns new arrays
        self._vocabulary = info.vocabulary
        self._step_seconds = info.feature_config.frame_shift_seconds
        self._sample_rate = info.feature_config.sample_rate
        self._tail_silence = tail_silence(info.feature_config)
        self._pipeline = FeaturePipeline(info.feature_config, info.stats)
        self._resampler: StreamingResampler | None = None
        self._pending = np.zeros((0, info.input_dim), np.float32)
        self.h, self.c = initial_state
        self._decoder = decoder
        self._utterance_start = 0  # absolute model step where the current utterance began
        self.steps_done = 0  # absolute model steps decoded
        self.samples_received = 0  # at the model's sample rate
        self._finals: deque[Result] = deque()
        self.finished = False

    # ---- input -----------------------------------------------------------------------------
    def accept_waveform(self, samples: np.ndarray, sample_rate: int) -> None:
        """Add mono (or [frames, channels]) audio at `sample_rate` Hz: float in [-1, 1], or
        int16/int32/uint8 PCM (scaled to [-1, 1]); other sample types raise `ValueError`."""
        if self.finished:
            raise RuntimeError("this stream is finished; create a new one")
        samples = to_mono(samples)
        if not np.all(np.isfinite(samples)):
            raise ValueError("audio contains NaN or infinite samples")
        # Full scale, as an ADC clips (`offline_transcribe` does the same): a huge value would
        # overflow the float32 power spectrum and poison the LSTM state until the next endpoint.
        samples = np.clip(samples, -1.0, 1.0)
        if self._resampler is None or self._resampler.in_rate != int(sample_rate):
            self._flush_resampler()
            self._resampler = StreamingResampler(int(sample_rate), self._sample_rate)
        self._push(self._resampler.process(samples))

    def _push(self, samples: np.ndarray, padding: bool = False) -> None:
        if len(samples) == 0:
            return
        if not padding:
            self.samples_received += len(samples)
        steps = self._pipeline.accept(samples)
        if len(steps):
            self._pending = np.concatenate([self._pending, steps])

    def _flush_resampler(self) -> None:
        if self._resampler is not None:
            self._push(self._resampler.process(np.zeros(0, np.float32), last=True))

    def input_finished(self) -> None:
        """No more audio will come: the remaining steps may be decoded as a short chunk."""
        self._flush_resampler()
        self._resampler = None
        self._push(self._tail_silence, padding=True)
        self.finished = True

    # ---- decoding (driven by the Recognizer) -----------------------------------------------
    def ready_steps(self, chunk_steps: int) -> int:
        """How many steps to decode next: a full chunk, or the tail once input has finished."""
        if len(self._pending) >= chunk_steps:
            return chunk_steps
        return len(self._pending) if self.finished else 0

    def take_steps(self, count: int) -> np.ndarray:
        chunk, self._pending = self._pending[:count], self._pending[count:]
        return chunk

    def accept_output(self, log_probs: np.ndarray, h: np.ndarray, c: np.ndarray) -> None:
        """Model output for the steps last taken: decode, then check for an endpoint."""
        self.h, self.c = h, c
        self._decoder.accept(log_probs)
        self.steps_done += len(log_probs)
        tokens = self._decoder.tokens
        utterance_steps = self._decoder.frames_seen
        last_token = tokens.frames[-1] + 1 if tokens.ids else 0
        if endpoint_reached(
            self._endpoint,
            has_text=bool(self.partial().text),
            trailing_silence=(utterance_steps - last_token) * self._step_seconds,
            utterance_length=utterance_steps * self._step_seconds,
        ):
            self.end_utterance()

    def end_utterance(self) -> None:
        """Finalise the current utterance (if anything was decoded) and start a new one."""
        if not self._decoder.frames_seen:
            return
        result = self._result(is_final=True)
        if result.text:
            self._finals.append(result)
        # The next utterance starts from a zero state, as every training clip did: memory stays
        # bounded over hours of audio (models need leading silence in training for this).
        self._decoder.reset()
        self._utterance_start = self.steps_done
        self.h, self.c = self._initial_state

    # ---- output ------------------------------------------------------------------------------
    def _result(self, is_final: bool) -> Result:
        tokens = self._decoder.finalize() if is_final else self._decoder.tokens
        return make_result(
            tokens,
            self._vocabulary,
            self._step_seconds,
            self._utterance_start,
            self._decoder.frames_seen,
            self.seconds_received,
            is_final,
        )

    def partial(self) -> Result:
        """The hypothesis of the current (not yet final) utterance."""
        return self._result(is_final=False)

    def pop_finals(self) -> list[Result]:
        """Final results produced by endpoints since the last call."""
        finals = list(self._finals)
        self._finals.clear()
        return finals

    @property
    def seconds_received(self) -> float:
        return self.samples_received / self._sample_rate
