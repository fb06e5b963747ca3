"""`asr listen`: live transcription from a microphone (or a file replayed as if it were one).

The audio callback only enqueues (it never blocks and never raises); a worker thread feeds the
`Stream`, redraws the partial hypothesis in place and prints each final with its times. A
device error or Ctrl-C finalises the pending utterance and keeps everything transcribed so far.

The sounddevice boundary is one class with `sounddevice.InputStream`'s interface
(`samplerate`, `start/stop/close`, `active`, `callback(indata, frames, time, status)`,
`finished_callback()`), so tests pass a fake one to `run(args, stream_class=...)`.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.markup import escape

from asr.commands.common import (
    CommandError,
    FileResult,
    add_model_arguments,
    format_clock,
    load_recognizer,
)
from asr.commands.file_input_stream import FileInputStream
from asr.commands.live_output import AudioRecorder, Display
from asr.progress import console

if TYPE_CHECKING:
    from streaming import Result

QUEUE_BLOCKS = 4000  # blocks buffered between the callback and the worker before dropping
POLL_SECONDS = 0.05


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "listen",
        help="live transcription from a microphone",
        description="Transcribe the microphone live: the partial hypothesis is redrawn in place "
        "and each final line is printed with its times when an endpoint fires. Ctrl-C ends "
        "cleanly. --input FILE --realtime replays a file as if it came from the microphone and "
        "prints latency figures at exit.",
    )
    parser.add_argument("--device", help="input device number or name (default: system input)")
    parser.add_argument("--list-devices", action="store_true", help="list audio devices and exit")
    add_model_arguments(parser)
    parser.add_argument("--input", type=Path, help="replay this audio file instead of a device")
    parser.add_argument(
        "--realtime", action="store_true", help="with --input: replay at real-time speed"
    )
    parser.add_argument("--save-audio", type=Path, help="also record the input audio (wav/flac)")
    parser.add_argument(
        "--output", type=Path, help="write the finals here (txt/json/jsonl/srt/vtt by suffix)"
    )
    parser.set_defaults(handler=run)


# ---- sources --------------------------------------------------------------------------------
NO_INPUT_DEVICES = (
    "no input devices found: PortAudio sees no microphone on this machine. Transcribe a "
    "recording with --input FILE (--realtime replays it as a microphone), or make a device "
    "visible: a PulseAudio/PipeWire server (in a container, share the host's socket) or an "
    "ALSA capture device (`arecord -l` lists them)"
)


def _sounddevice():
    try:
        import sounddevice
    except OSError as error:  # PortAudio missing: no devices at all on this machine
        raise CommandError(
            f"cannot use audio devices ({error}); install PortAudio (Debian/Ubuntu: "
            "apt install libportaudio2) or use --input FILE"
        ) from error
    return sounddevice


def _input_devices(sd) -> list:
    return [device for device in sd.query_devices() if device["max_input_channels"] > 0]


def _has_no_input_device(sd) -> bool:
    """True only when PortAudio answers that it has no input device at all."""
    try:
        return not _input_devices(sd)
    except Exception:  # cannot even ask: keep the error that brought us here
        return False


def _device(value: str | None):
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


# ---- the session ----------------------------------------------------------------------------
class ListenSession:
    """Callback → queue → worker → Stream. Public counters are read after `close()`."""

    def __init__(self, recognizer, sample_rate: int, display: Display, recorder=None):
        from asr.commands.latency import LatencyTracker

        self.recognizer = recognizer
        self.sample_rate = int(sample_rate)
        self.display = display
        self.recorder = recorder
        self.stream = recognizer.create_stream()
        self.latency = LatencyTracker()
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_BLOCKS)
        self.finals: list[Result] = []
        self.overflows = 0  # the device reported lost input
        self.dropped = 0  # blocks dropped because the worker fell behind
        self.samples = 0
        self.error: BaseException | None = None
        self.on_final = None  # called after every final (e.g. rewrite --output)
        self._worker = threading.Thread(target=self._work, name="listen-worker", daemon=True)
        self._worker.start()

    # Runs on the audio thread: copy, enqueue, count. Never blocks, never raises.
    def callback(self, indata, frames, time_info, status) -> None:
        try:
            if status and getattr(status, "input_overflow", False):
                self.overflows += 1
            self.queue.put_nowait((np.array(indata, dtype=np.float32), time.monotonic()))
        except queue.Full:
            self.dropped += 1
        except Exception:
            self.dropped += 1

    def room(self) -> bool:
        return self.queue.qsize() < QUEUE_BLOCKS // 2

    def _work(self) -> None:
        from asr.audio import to_mono

        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue  # keep draining so the callback never sees a full queue
            block, captured = item
            try:
                mono = to_mono(block)
                if self.recorder:
                    self.recorder.write(mono)
                self.stream.accept_waveform(mono, self.sample_rate)
                self.recognizer.decode_stream(self.stream)
                self.samples += len(mono)
                self.latency.audio(mono, self.sample_rate, captured)
                self._emit(self.stream.pop_finals())
                partial = self.stream.partial().text
                if partial:
                    self.latency.text_seen(time.monotonic())
                self.display.partial(partial)
            except Exception as error:
                self.error = error

    def _emit(self, finals: list[Result]) -> None:
        for result in finals:
            self.latency.final(time.monotonic())
            self.finals.append(result)
            self.display.final(result)
            if self.on_final:
                self.on_final()

    def close(self) -> None:
        """Drain the queue, finalise the pending utterance, close the recording."""
        self.queue.put(None)
        self._worker.join()
        try:
            if self.error is None:
                self._emit(self.recognizer.finish(self.stream))
        finally:
            self.display.clear()
            if self.recorder:
                self.recorder.close()

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0


def _list_devices() -> int:
    sd = _sounddevice()
    if not _input_devices(sd):
        raise CommandError(NO_INPUT_DEVICES)
    sys.stdout.write(f"{sd.query_devices()}\n")
    return 0


def run(args: argparse.Namespace, stream_class=None) -> int:
    """`stream_class`: a class with sounddevice.InputStream's interface (default: the real one)."""
    if args.list_devices:
        return _list_devices()
    if args.realtime and args.input is None:
        raise CommandError("--realtime replays a file: pass --input FILE")
    if args.input is not None and args.device is not None:
        raise CommandError("pass either --device or --input, not both")
    if args.input is not None and not args.input.is_file():
        raise CommandError(f"{args.input}: no such file")
    recognizer = load_recognizer(args)
    display = Display(sys.stdout, live=sys.stderr.isatty())
    finished = threading.Event()
    holder: dict = {}

    def callback(indata, frames, time_info, status):
        session = holder.get("session")
        if session is not None:
            session.callback(indata, frames, time_info, status)

    if args.input is not None:
        source = FileInputStream(
            args.input,
            callback,
            finished.set,
            args.realtime,
            room=lambda: holder["session"].room() if "session" in holder else True,
        )
        label = str(args.input)
    else:
        sd = _sounddevice() if stream_class is None else None
        if sd is not None:
            stream_class = sd.InputStream
        try:
            source = stream_class(
                device=_device(args.device),
                channels=1,
                dtype="float32",
                callback=callback,
                finished_callback=finished.set,
            )
        except CommandError:
            raise
        except Exception as error:
            if sd is not None and _has_no_input_device(sd):  # PortAudio: "querying device -1"
                raise CommandError(NO_INPUT_DEVICES) from error
            raise CommandError(f"input device {args.device or '(default)'}: {error}") from error
        label = f"device {args.device or '(default)'}"
    rate = int(source.samplerate)
    recorder = AudioRecorder(args.save_audio, rate) if args.save_audio else None
    session = ListenSession(recognizer, rate, display, recorder)
    holder["session"] = session
    if args.output:
        session.on_final = lambda: _write_output(args.output, session, label)

    device_error: str | None = None
    interrupted = False
    console.print(escape(f"listening to {label} at {rate} Hz (Ctrl-C to stop)"))
    try:
        source.start()
        while not finished.wait(POLL_SECONDS):
            if session.error is not None:
                break
            if not getattr(source, "active", True):
                break
    except KeyboardInterrupt:
        interrupted = True
    except Exception as error:  # e.g. PortAudioError from start()
        device_error = f"input {label}: {error}"
    finally:
        for method in ("stop", "close"):
            try:
                getattr(source, method)()
            except Exception as error:
                device_error = device_error or f"input {label}: {error}"
        session.close()

    if getattr(source, "error", None) is not None:
        device_error = f"{source.error}"
    elif not interrupted and device_error is None and not getattr(source, "exhausted", False):
        if session.error is None:
            device_error = f"input {label} stopped unexpectedly"
    if args.output:
        _write_output(args.output, session, label)
    _print_summary(session, args, interrupted)
    if session.error is not None:
        raise CommandError(f"recognition failed: {session.error}")
    if device_error:
        console.print(f"[red]error:[/] {escape(device_error)} (kept what was transcribed so far)")
        return 1
    return 0


def _write_output(path: Path, session: ListenSession, label: str) -> None:
    from asr.commands.formats import format_for_path, render
    from asr.fileio import atomic_write_text

    result = FileResult(Path(label), list(session.finals), session.seconds)
    atomic_write_text(path, render(format_for_path(path), result))


def _print_summary(session: ListenSession, args: argparse.Namespace, interrupted: bool) -> None:
    parts = [
        f"{format_clock(session.seconds)} of audio",
        f"{len(session.finals)} final{'s' if len(session.finals) != 1 else ''}",
        f"{session.overflows} input overflow{'s' if session.overflows != 1 else ''}",
    ]
    if session.dropped:
        parts.append(f"{session.dropped} blocks dropped (recogniser too slow)")
    if interrupted:
        parts.append("stopped by Ctrl-C")
    console.print(escape(", ".join(parts)))
    if args.input is not None or session.latency.first_partial:
        console.print(escape(f"latency: {session.latency.describe()}"))
    if args.save_audio:
        console.print(escape(f"saved audio to {args.save_audio}"))
