"""Streaming latency: how long after speech starts does text appear, and after it ends, the final?

Speech onset/end come from a small energy detector on the input audio (independent of the
model). Times are on a caller-chosen clock: the wall clock for `asr listen` (capture time of the
audio vs the time the text was shown) or the audio clock for `asr evaluate` (audio fed so far).
"""

from __future__ import annotations

import numpy as np

from asr.commands.common import latency_figures


class LatencyTracker:
    """Feed every input block with `audio(...)`, then report `text_seen(now)` / `final(now)`."""

    def __init__(self, frame_seconds: float = 0.01, min_db: float = -50.0, margin_db: float = 15.0):
        self.frame_seconds = frame_seconds
        self.min_db = min_db
        self.margin_db = margin_db
        self._floor_db = min_db - margin_db
        self._carry = np.zeros(0, np.float32)
        self._carry_rate = 0
        self._onset: float | None = None  # clock time of the first speech after the last final
        self._speech_end: float | None = None  # clock time where the latest speech frame ended
        self._partial_done = False
        self.first_partial: list[float] = []
        self.final_after_end: list[float] = []

    def audio(self, samples: np.ndarray, sample_rate: int, block_end_clock: float) -> None:
        """A mono block whose last sample was captured (or fed) at `block_end_clock`."""
        if sample_rate != self._carry_rate:
            self._carry, self._carry_rate = np.zeros(0, np.float32), sample_rate
        samples = np.concatenate([self._carry, np.asarray(samples, np.float32)])
        frame = max(1, int(round(self.frame_seconds * sample_rate)))
        count = len(samples) // frame
        self._carry = samples[count * frame :]
        if not count:
            return
        frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
        energy_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
        # End of each frame on the clock: the carried-over tail is the newest audio.
        tail = len(self._carry) / sample_rate
        ends = block_end_clock - tail - (count - 1 - np.arange(count)) * frame / sample_rate
        for level, end in zip(energy_db, ends):
            voiced = level > max(self.min_db, self._floor_db + self.margin_db)
            # The noise floor follows quiet frames at once and creeps up under loud ones.
            if level < self._floor_db:
                self._floor_db = float(level)
            else:
                self._floor_db += 0.002 * (float(level) - self._floor_db)
            if voiced:
                if self._onset is None:
                    self._onset = float(end - frame / sample_rate)
                self._speech_end = float(end)

    def text_seen(self, now: float) -> None:
        """A non-empty partial (or final) is visible at `now`."""
        if self._onset is not None and not self._partial_done:
            self.first_partial.append(max(0.0, now - self._onset))
            self._partial_done = True

    def final(self, now: float) -> None:
        """A final result was emitted at `now`."""
        self.text_seen(now)
        if self._onset is not None and self._speech_end is not None:
            self.final_after_end.append(max(0.0, now - self._speech_end))
        self._onset = None
        self._partial_done = False

    def figures(self) -> dict:
        return {
            **latency_figures("first_partial_latency", self.first_partial),
            **latency_figures("final_latency", self.final_after_end),
        }

    def describe(self) -> str:
        def one(name: str, values: list[float]) -> str:
            if not values:
                return f"{name}: no measurements"
            figures = latency_figures("x", values)
            return (
                f"{name}: mean {figures['x_mean']:.3f} s, p95 {figures['x_p95']:.3f} s "
                f"(n={len(values)})"
            )

        return "; ".join(
            (
                one("first partial after speech onset", self.first_partial),
                one("final after speech end", self.final_after_end),
            )
        )
