"""The PyPI TTS engines (piper, Kokoro, Pico): voices, requests and the venv server protocol,
tested with a stand-in server (the real packages are not installed in CI)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from asr.prepare.tts_engines import EngineError, Voice
from asr.prepare.tts_registry import make_engine
from asr.prepare.tts_venv_engines import KokoroEngine, PicoEngine, VenvEngine, kokoro_mixes
from asr.prepare.tts_voices import dev_voice

# Answers like a real engine server: a 0.1 s 440 Hz WAV at 22.05 kHz for each request, an
# error line for the text "fail", and exits (no answer) on the text "die".
_FAKE_SERVER = r"""
import json, sys, wave
import numpy as np
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    if request["text"] == "die":
        sys.exit(1)
    if request["text"] == "fail":
        print("error ValueError('no voice')", flush=True)
        continue
    tone = np.sin(2 * np.pi * 440 * np.arange(2205) / 22050) * request["gain"]
    with wave.open(request["out"], "wb") as handle:
        handle.setnchannels(1); handle.setsampwidth(2); handle.setframerate(22050)
        handle.writeframes((tone * 32767).astype("<i2").tobytes())
    print("ok", flush=True)
"""


class FakeEngine(VenvEngine):
    name = "fake"
    check = "import numpy"
    server = _FAKE_SERVER

    def voices(self) -> list[Voice]:
        return [Voice("fake", "tone")]

    def request(self, voice: Voice, params: dict) -> dict:
        return {"gain": params["gain"]}


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A stand-in venv whose python is this interpreter."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def test_server_protocol_round_trip_and_errors(venv):
    engine = FakeEngine(venv)
    assert engine.available()
    try:
        audio, rate = engine.synthesize(Voice("fake", "tone"), "hello", {"gain": 0.5})
        assert rate == 22050 and len(audio) == 2205
        assert abs(float(np.max(audio)) - 0.5) < 0.01
        with pytest.raises(EngineError, match="no voice"):
            engine.synthesize(Voice("fake", "tone"), "fail", {"gain": 0.5})
        # The server survives an error line ...
        assert len(engine.synthesize(Voice("fake", "tone"), "again", {"gain": 0.2})[0]) == 2205
        # ... and a dead server is an EngineError, then restarted on the next clip.
        with pytest.raises(EngineError, match="no answer"):
            engine.synthesize(Voice("fake", "tone"), "die", {"gain": 0.5})
        assert len(engine.synthesize(Voice("fake", "tone"), "back", {"gain": 0.2})[0]) == 2205
    finally:
        engine.close()


def test_engines_without_their_venv_are_unavailable(tmp_path):
    for name in ("piper", "kokoro", "pico"):
        engine = make_engine(name, tmp_path / ".tools")
        assert engine.venv == tmp_path / ".tools" / name
        assert not engine.available()
    assert not make_engine("kokoro").available()


def test_kokoro_mixes_are_fixed_distinct_percentages():
    mixes = kokoro_mixes()
    assert len(mixes) == len(set(mixes)) == 150
    assert mixes == kokoro_mixes.__wrapped__()  # drawn again, not the cached tuple
    for mix in mixes:
        parts = [int(p) for p in mix.split("-")]
        assert len(parts) == 5 and sum(parts) == 100 and min(parts) >= 0
    # Most mixes blend voices: the largest share is below 90 % in most of them.
    assert sum(max(int(p) for p in m.split("-")) < 90 for m in mixes) > 100


def test_requests_carry_the_voice_and_clip_settings():
    kokoro, pico = KokoroEngine(), PicoEngine()
    voice = kokoro.voices()[3]
    request = kokoro.request(voice, {"speed": 1.1})
    assert request == {
        "mix": [float(p) for p in voice.variant.split("-")],
        "speed": 1.1,
        "lang": "en-us",
    }
    assert pico.request(Voice("pico", "en-GB", "p1.15"), {"speed": 0.9}) == {
        "lang": "en-GB",
        "pitch": 1.15,
        "speed": 0.9,
    }
    assert len(pico.voices()) == 10
    params = pico.sample_params(np.random.default_rng(0))
    assert 0.8 <= params["speed"] <= 1.2


def test_dev_holds_whole_kokoro_and_pico_voices():
    speakers = [v.speaker for v in KokoroEngine().voices() + PicoEngine().voices()]
    held = [s for s in speakers if dev_voice(s, [])]
    kokoro = [s for s in held if s.startswith("kokoro:")]
    assert len(kokoro) == 15
    # Pinned: a corpus's dev voices must not move when this code changes (voices.json keeps
    # the first run's split, but a new corpus would differ from the card's).
    assert kokoro[:2] == ["kokoro:mix:7-18-40-29-6", "kokoro:mix:56-0-26-12-6"]
    assert [s for s in held if s.startswith("pico:")] == ["pico:en-GB:p1.15"]


def test_every_engine_has_a_share_and_is_a_default():
    from asr.prepare.tts_registry import ENGINE_NAMES
    from asr.prepare.tts_voices import DEFAULT_ENGINES, ENGINE_WEIGHTS

    assert DEFAULT_ENGINES == ENGINE_NAMES == tuple(ENGINE_WEIGHTS)


def test_availability_is_checked_once_per_venv(venv, monkeypatch):
    import subprocess

    calls = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        calls.append(args[0])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    assert all(FakeEngine(venv).available() for _ in range(3))
    assert len(calls) == 1
    broken = type("Broken", (FakeEngine,), {"check": "import no_such_module_here"})
    assert not broken(venv).available() and not broken(venv).available()
    assert len(calls) == 3  # a failing check is never cached: an install may fix it
