"""`Recognizer`: one loaded model shared by many cheap `Stream`s, decoded in batches."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.audio import iter_audio_blocks, to_mono
from asr.ctc.decoder import DecoderFactory
from asr.ctc.options import DecodingOptions
from asr.features import mel_filterbank, tail_silence, utterance_features
from streaming.endpoint import EndpointConfig
from streaming.model import ModelError, OnnxAcousticModel
from streaming.result import Result, make_result
from streaming.stream import Stream

MIN_CHUNK_MS, MAX_CHUNK_MS = 10, 2000
DEFAULT_CHUNK_MS = 120


@dataclass(frozen=True)
class FileBlock:
    """One block of a file `Recognizer.transcribe_file` has decoded (empty after the end)."""

    stream: Stream
    samples: np.ndarray  # at the model's sample rate
    position: float  # seconds of audio fed so far
    finals: list[Result]  # final results this block ended
    compute_seconds: float  # features + model for this block (reading the file excluded)

    @property
    def partial(self) -> str:
        """The hypothesis of the utterance in progress ("" after the end)."""
        return self.stream.partial().text if len(self.samples) else ""


class Recognizer:
    """Load a model once (`model=None`: the shipped English model) and create streams from it.

    `decoding`: how CTC output becomes text (default: beam search with the shipped word LM and
    lexicon, as every command decodes; `DecodingOptions.greedy_ctc()` is the fastest).
    `endpoint`: when an utterance ends. `provider`: "auto" (CUDA when onnxruntime can use it,
    else CPU), "cuda" or "cpu"; `self.device` says which one really runs. `chunk_ms`: audio per
    model call (latency vs throughput; 40–320 ms is the useful range).
    """

    def __init__(
        self,
        model: str | Path | None = None,
        decoding: DecodingOptions | None = None,
        endpoint: EndpointConfig | None = None,
        *,
        provider: str = "auto",
        threads: int = 1,
        chunk_ms: int = DEFAULT_CHUNK_MS,
    ):
        if not MIN_CHUNK_MS <= chunk_ms <= MAX_CHUNK_MS:
            raise ValueError(f"chunk_ms must be within {MIN_CHUNK_MS}..{MAX_CHUNK_MS}")
        self.model = OnnxAcousticModel(model, provider=provider, threads=threads)
        if not self.model.info.vocabulary.written:
            raise ModelError(
                f"{self.model.path}: a phoneme model; the recogniser decodes character models "
                "only (phoneme models are a trial: data/recipes/phoneme_trial.py)"
            )
        self.decoding = decoding or DecodingOptions()
        self.endpoint = endpoint or EndpointConfig()
        self.decoders = DecoderFactory.create(self.decoding)
        # Build the mel filterbank now (it imports librosa): not inside the first audio chunk.
        mel_filterbank(self.model.info.feature_config)
        step = self.model.info.feature_config.frame_shift_seconds
        self.chunk_steps = max(1, round(chunk_ms / 1000 / step))

    @property
    def device(self) -> str:
        return self.model.device

    @property
    def chunk_seconds(self) -> float:
        return self.chunk_steps * self.model.info.feature_config.frame_shift_seconds

    def create_stream(self) -> Stream:
        """A new stream: feed it with `stream.accept_waveform`, decode it with `decode_stream`
        (or many at once with `decode_streams`), end it with `finish`."""
        return Stream(
            self.model.info,
            self.decoders.new(self.model.info.vocabulary),
            self.endpoint,
            self.model.init_state(1),
        )

    def decode_stream(self, stream: Stream) -> None:
        """Decode every chunk the stream has ready (its results: `partial()`, `pop_finals()`)."""
        self.decode_streams([stream])

    def finish(self, stream: Stream) -> list[Result]:
        """End of input: decode the tail, finalise the last utterance, return remaining finals."""
        if not stream.finished:
            stream.input_finished()
        self.decode_streams([stream])
        stream.end_utterance()
        return stream.pop_finals()

    def decode_streams(self, streams: Iterable[Stream]) -> None:
        """Run the model on every chunk the streams have ready, batching streams whose next
        chunk has the same length; each stream keeps its own state, so results equal decoding
        each stream alone."""
        streams = list(streams)
        while True:
            groups: dict[int, list[Stream]] = defaultdict(list)
            for stream in streams:
                steps = stream.ready_steps(self.chunk_steps)
                if steps:
                    groups[steps].append(stream)
            if not groups:
                return
            for steps, group in groups.items():
                self._run_batch(group, steps)

    def _run_batch(self, group: list[Stream], steps: int) -> None:
        features = np.stack([s.take_steps(steps) for s in group])
        h = np.concatenate([s.h for s in group], axis=1)
        c = np.concatenate([s.c for s in group], axis=1)
        log_probs, h_out, c_out = self.model.run(features, h, c)
        for index, stream in enumerate(group):
            stream.accept_output(
                log_probs[index], h_out[:, index : index + 1], c_out[:, index : index + 1]
            )

    # ---- conveniences on top of streams ----------------------------------------------------
    def transcribe_file(
        self,
        path: str | Path,
        block_seconds: float = 1.0,
        on_block: Callable[[FileBlock], None] | None = None,
    ) -> list[Result]:
        """All final results of a file, streamed through one `Stream` in bounded memory (the
        loop of every command that reads files). `on_block` sees every block as it is decoded
        and once more after the end (an empty block): progress bars, latency measurement.
        Raises `AudioError`/`ValueError` for unusable audio."""
        stream = self.create_stream()
        finals: list[Result] = []
        sample_rate = self.model.info.feature_config.sample_rate
        received = 0
        for block in iter_audio_blocks(path, block_seconds, sample_rate):
            started = time.perf_counter()
            stream.accept_waveform(block, sample_rate)
            self.decode_streams([stream])
            new = stream.pop_finals()
            compute = time.perf_counter() - started
            finals.extend(new)
            received += len(block)
            if on_block:
                on_block(FileBlock(stream, block, received / sample_rate, new, compute))
        started = time.perf_counter()
        new = self.finish(stream)
        compute = time.perf_counter() - started
        finals.extend(new)
        if on_block:
            empty = np.zeros(0, np.float32)
            on_block(FileBlock(stream, empty, received / sample_rate, new, compute))
        return finals

    def offline_transcribe(self, samples: np.ndarray) -> Result:
        """Whole-utterance decoding (one model call, no endpointing): the reference that
        streaming must equal, and the `offline` mode of `asr evaluate`."""
        info = self.model.info
        log_probs = self.utterance_log_probs(samples)
        if len(log_probs) == 0:
            return Result(text="", is_final=True)
        decoder = self.decoders.new(info.vocabulary)
        decoder.accept(log_probs)
        return make_result(
            decoder.finalize(),
            info.vocabulary,
            info.feature_config.frame_shift_seconds,
            0,
            len(log_probs),
            len(samples) / info.feature_config.sample_rate,
            is_final=True,
        )

    def utterance_log_probs(self, samples: np.ndarray) -> np.ndarray:
        """The model's CTC log-probabilities `[T, V]` for a whole utterance (tail included),
        e.g. to decode the same clip many times while tuning the LM weight."""
        return utterance_log_probs(self.model, samples)


def utterance_log_probs(model: OnnxAcousticModel, samples: np.ndarray) -> np.ndarray:
    """`Recognizer.utterance_log_probs` for any model, phoneme models included."""
    info = model.info
    config = info.feature_config
    samples = np.clip(to_mono(samples), -1.0, 1.0)  # as `Stream` does
    features = utterance_features(
        np.concatenate([samples, tail_silence(config)]), config, info.stats
    )
    if len(features) == 0:
        return np.zeros((0, len(info.vocabulary)), np.float32)
    h, c = model.init_state(1)
    return model.run(features[None], h, c)[0][0]
