"""A recording replayed through `sounddevice.InputStream`'s callback interface: `asr listen
--input FILE` (optionally at real-time pace) and the tests' stand-in for a microphone."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np


class _Flags:
    """Stand-in for sounddevice.CallbackFlags."""

    input_overflow = False

    def __bool__(self) -> bool:
        return False


class FileInputStream:
    """Replays a file through the same callback interface as `sounddevice.InputStream`.

    `realtime=True` paces the blocks at the speed of a real device; otherwise it runs as fast
    as the consumer allows (`room()` says whether the consumer has buffer space)."""

    def __init__(self, path, callback, finished_callback, realtime, block_seconds=0.02, room=None):
        from asr.audio import audio_info

        self.path = Path(path)
        self.samplerate, _ = audio_info(self.path)  # AudioError for a missing/empty file
        self._callback = callback
        self._finished = finished_callback
        self._realtime = realtime
        self._block = max(1, int(self.samplerate * block_seconds))
        self._room = room or (lambda: True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replay", daemon=True)
        self.active = False
        self.exhausted = False
        self.error: BaseException | None = None

    def _blocks(self):
        from asr.audio import iter_audio_blocks

        carry = np.zeros(0, np.float32)
        for chunk in iter_audio_blocks(self.path, 1.0, self.samplerate):
            carry = np.concatenate([carry, chunk])
            while len(carry) >= self._block:
                yield carry[: self._block]
                carry = carry[self._block :]
        if len(carry):
            yield carry

    def _run(self) -> None:
        started = time.monotonic()
        position = 0
        try:
            for block in self._blocks():
                if self._stop.is_set():
                    return
                position += len(block)
                if self._realtime:
                    delay = started + position / self.samplerate - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                else:
                    while not self._room() and not self._stop.is_set():
                        time.sleep(0.002)
                self._callback(block[:, None], len(block), None, _Flags())
            self.exhausted = True
        except Exception as error:  # unreadable file: reported by the session
            self.error = error
        finally:
            self.active = False
            self._finished()

    def start(self) -> None:
        self.active = True
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def close(self) -> None:
        self.stop()
