import _thread
import importlib.abc
import json
import re
import signal
import sys
import threading
import types

import numpy as np
import pytest
import soundfile as sf
from conftest import FSDD

from asr.cli import main
from asr.commands import listen
from streaming import Recognizer

RATE = 8000  # the FSDD clips' native rate: the Stream resamples inside
BLOCK = 160  # 20 ms device blocks


def _clip(name):
    samples, rate = sf.read(FSDD / name, dtype="float32")
    assert rate == RATE
    return samples


def _audio(*names, gap=0.9):
    parts = []
    for name in names:
        parts += [_clip(name), np.zeros(int(gap * RATE), np.float32)]
    return np.concatenate(parts)


class Flags:
    """sounddevice.CallbackFlags look-alike: true when any flag is set."""

    def __init__(self, input_overflow=False):
        self.input_overflow = input_overflow

    def __bool__(self):
        return self.input_overflow


class FakeInputStream:
    """sounddevice.InputStream look-alike: a thread calls the callback with audio blocks."""

    audio = np.zeros(0, np.float32)
    overflow_at = 3  # this block carries the input_overflow flag
    ending = "interrupt"  # after the audio: "interrupt" (Ctrl-C) or "device-error"
    fail_after = None  # blocks delivered before a device error
    instances: list = []

    def __init__(self, device=None, channels=1, dtype="float32", callback=None, **kwargs):
        assert channels == 1 and dtype == "float32"
        self.device = device
        self.samplerate = float(RATE)
        self.callback = callback
        self.finished_callback = kwargs.get("finished_callback")
        self.active = False
        self.delivered = 0
        self.stopped = False
        type(self).instances.append(self)

    def start(self):
        self.active = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        count = 0
        for start in range(0, len(self.audio), BLOCK):
            if self.stopped:
                return
            if self.fail_after is not None and count == self.fail_after:
                self.active = False  # what PortAudio does when the device goes away
                self.finished_callback()
                return
            block = self.audio[start : start + BLOCK][:, None].copy()
            status = Flags(input_overflow=count == self.overflow_at)
            self.callback(block, len(block), None, status)
            self.delivered += len(block)
            count += 1
        if self.ending == "interrupt":
            _thread.interrupt_main()  # the user presses Ctrl-C
        else:
            self.active = False
            self.finished_callback()

    def stop(self):
        self.stopped = True

    def close(self):
        self.stopped = True


@pytest.fixture
def fake_device(monkeypatch):
    class Device(FakeInputStream):
        instances = []

    monkeypatch.setattr(listen, "_sounddevice", lambda: types.SimpleNamespace(InputStream=Device))
    # A terminal delivers Ctrl-C; a shell running the tests as a background job (CI, nohup) may
    # ignore SIGINT, and then a simulated Ctrl-C would be lost and the command would wait forever.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield Device
    signal.signal(signal.SIGINT, previous)


def _finals(stdout):
    return re.findall(r"^\[(\d\d:\d\d:\d\d\.\d\d) - (\d\d:\d\d:\d\d\.\d\d)\] (.+)$", stdout, re.M)


def test_fake_device_delivers_the_finals_and_survives_an_overflow(
    tiny_onnx, fake_device, tmp_path, capsys
):
    fake_device.audio = _audio("3_theo_5.wav", "9_jackson_5.wav", "7_jackson_5.wav")
    expected_file = tmp_path / "expected.wav"
    sf.write(expected_file, fake_device.audio, RATE)
    # `asr listen` decodes like `asr transcribe`: beam search with the shipped LM by default.
    expected = Recognizer(tiny_onnx).transcribe_file(expected_file)
    output, saved = tmp_path / "live.jsonl", tmp_path / "live.wav"
    code = main(
        [
            "listen",
            "--model",
            str(tiny_onnx),
            "--device",
            "2",
            "--output",
            str(output),
            "--save-audio",
            str(saved),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [device] = fake_device.instances
    assert device.device == 2 and device.stopped
    finals = _finals(captured.out)
    # The same Stream as `asr transcribe`: the same finals, with their times.
    assert [text for _, _, text in finals] == [r.text for r in expected]
    assert finals[0][2] == "three"
    assert finals[0][0] == "00:00:00.00"
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [row["text"] for row in rows] == [r.text for r in expected]
    assert [(row["start"], row["end"]) for row in rows] == [(r.start, r.end) for r in expected]
    recorded, rate = sf.read(saved, dtype="float32")
    assert rate == RATE and len(recorded) == len(fake_device.audio)
    np.testing.assert_allclose(recorded, fake_device.audio, atol=1e-4)
    assert "1 input overflow," in captured.err
    assert "stopped by Ctrl-C" in captured.err
    assert "Traceback" not in captured.err


def test_device_error_keeps_what_was_transcribed(tiny_onnx, fake_device, tmp_path, capsys):
    fake_device.audio = _audio("3_theo_5.wav", "9_jackson_5.wav", gap=1.0)
    first_clip_blocks = (len(_clip("3_theo_5.wav")) + int(0.5 * RATE)) // BLOCK
    fake_device.fail_after = first_clip_blocks
    output = tmp_path / "live.txt"
    # No blank penalty: the shipped one is tuned for the shipped model; with it this tiny test
    # model spells a letter into the pause before the failure.
    flags = ["--model", str(tiny_onnx), "--blank-penalty", "0", "--output", str(output)]
    code = main(["listen", *flags])
    captured = capsys.readouterr()
    assert code == 1
    assert [text for _, _, text in _finals(captured.out)] == ["three"]
    assert output.read_text() == "three\n"
    assert "stopped unexpectedly" in captured.err and "kept what was transcribed" in captured.err
    assert fake_device.instances[0].delivered == first_clip_blocks * BLOCK


def test_device_that_cannot_open_is_one_line(tiny_onnx, monkeypatch, capsys):
    def broken(**kwargs):
        raise RuntimeError("Error querying device -1")

    sounddevice = types.SimpleNamespace(InputStream=broken, query_devices=lambda: [MICROPHONE])
    monkeypatch.setattr(listen, "_sounddevice", lambda: sounddevice)
    assert main(["listen", "--model", str(tiny_onnx)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "error: input device (default): Error querying device -1"


MICROPHONE = {"name": "USB mic", "max_input_channels": 1, "max_output_channels": 0}
SPEAKERS = {"name": "HDMI", "max_input_channels": 0, "max_output_channels": 2}


class FakeDeviceList(list):
    """sounddevice.DeviceList look-alike: a list of dicts printed as a table."""

    def __str__(self):
        return "\n".join(
            f"{i} {d['name']} ({d['max_input_channels']} in)" for i, d in enumerate(self)
        )


def _machine(monkeypatch, *devices):
    """A fake sounddevice module on a machine with these devices (PortAudio's behaviour)."""

    def input_stream(**kwargs):
        raise RuntimeError("Error querying device -1")  # sounddevice.PortAudioError

    sounddevice = types.ModuleType("sounddevice")
    sounddevice.query_devices = lambda: FakeDeviceList(devices)
    sounddevice.InputStream = input_stream
    monkeypatch.setitem(sys.modules, "sounddevice", sounddevice)


@pytest.mark.parametrize("devices", [(), (SPEAKERS,)])
def test_no_input_device_says_so_and_what_to_do(monkeypatch, capsys, devices):
    _machine(monkeypatch, *devices)
    assert main(["listen", "--list-devices"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: no input devices found")
    assert "--input FILE" in captured.err and "PulseAudio" in captured.err
    assert "ALSA" in captured.err
    assert main(["listen"]) == 1  # without --list-devices: the same advice, not PortAudio's -1
    assert capsys.readouterr().err.startswith("error: no input devices found")


def test_list_devices_prints_them_when_there_is_a_microphone(monkeypatch, capsys):
    _machine(monkeypatch, SPEAKERS, MICROPHONE)
    assert main(["listen", "--list-devices"]) == 0
    assert capsys.readouterr().out == "0 HDMI (0 in)\n1 USB mic (1 in)\n"


class _NoPortAudio(importlib.abc.MetaPathFinder):
    """Importing sounddevice fails as it does where the PortAudio library is not installed."""

    def find_spec(self, name, path, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_missing_portaudio_names_the_package_to_install(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])
    assert main(["listen", "--list-devices"]) == 1
    err = capsys.readouterr().err
    assert "PortAudio library not found" in err and "apt install libportaudio2" in err
    assert "--input FILE" in err


def test_realtime_replay_prints_latency(tiny_onnx, tmp_path, capsys):
    path = tmp_path / "nine.wav"
    sf.write(path, _audio("9_jackson_5.wav", gap=1.2), RATE)
    code = main(["listen", "--model", str(tiny_onnx), "--input", str(path), "--realtime"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # The tiny test model (trained on tightly trimmed clips) may babble in the silence after the
    # endpoint resets its state; the spoken word is the first final.
    assert [text for _, _, text in _finals(captured.out)][0] == "nine"
    match = re.search(
        r"first partial after speech onset: mean ([\d.]+) s, p95 ([\d.]+) s \(n=1\); "
        r"final after speech end: mean ([\d.]+) s, p95 ([\d.]+) s \(n=1\)",
        captured.err,
    )
    assert match, captured.err
    first, _, final, _ = map(float, match.groups())
    # The partial shows within a few chunks of speech onset; the final waits for the endpoint's
    # trailing silence (0.8 s after the last character; the energy detector's speech end is a
    # little later) and comes before the replay's 1.2 s of silence are over.
    assert 0.0 < first < 1.0
    assert 0.2 < final < 1.3


def test_realtime_needs_an_input_file(capsys):
    assert main(["listen", "--realtime"]) == 1
    assert "pass --input FILE" in capsys.readouterr().err
