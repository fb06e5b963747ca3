"""Wrappers around the offline Debian TTS engines: espeak-ng, flite and festival. (Piper, Kokoro
and SVOX Pico come from PyPI, each in its own venv: `tts_venv_engines.py`; all of them by name:
`tts_registry.py`.)

Each engine lists its voices and turns `(voice, text, params)` into mono float32 audio at its own
sample rate. `params` are drawn per clip by `Engine.sample_params(rng)` (rate, pitch, ...), so a
clip is reproducible from its manifest row. Engines that keep a process alive (festival and the
PyPI engines) start it on first use, one per worker process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from asr.audio import to_mono

APT_PACKAGES = (
    "espeak-ng",
    "flite",
    "festival",
    "festvox-kallpc16k",
    "festvox-kdlpc16k",
    "festvox-us-slt-hts",
)
TEXT_PACKAGES = ("wordnet-base", "fortunes", "bible-kjv")


class EngineError(Exception):
    """An engine that failed to produce audio for a text."""


@dataclass(frozen=True, order=True)
class Voice:
    engine: str  # espeak, flite, festival, piper, kokoro, pico
    name: str  # en-us, slt, cmu_us_slt_arctic_hts, joe
    variant: str = "default"  # espeak variant (Alicia, m3, ...) or "default"

    @property
    def speaker(self) -> str:
        return f"{self.engine}:{self.name}:{self.variant}"

    @staticmethod
    def from_speaker(speaker: str) -> Voice:
        engine, name, variant = speaker.split(":", 2)
        return Voice(engine, name, variant)


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as error:
        raise EngineError(f"engine wrote no readable audio ({error})") from error
    samples = to_mono(samples)
    if samples.size == 0 or not np.any(samples):
        raise EngineError("engine wrote silent or empty audio")
    return samples, int(rate)


def _run(command: list[str], timeout: float = 120.0) -> None:
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EngineError(f"{command[0]} failed: {error}") from error
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise EngineError(f"{command[0]} exited {result.returncode}: {message[-1:] or ''}")


class Engine:
    name = ""

    def available(self) -> bool:
        raise NotImplementedError

    def voices(self) -> list[Voice]:
        raise NotImplementedError

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {}

    def synthesize(self, voice: Voice, text: str, params: dict) -> tuple[np.ndarray, int]:
        raise NotImplementedError

    def close(self) -> None:
        pass


# ----------------------------------------------------------------------------- espeak-ng


class EspeakEngine(Engine):
    """espeak-ng: every native English voice × every variant (`-v en-us+Alicia`); rate (words per
    minute) and pitch (0–99) drawn per clip. MBROLA voices are skipped (not in Debian main)."""

    name = "espeak"
    binary = "espeak-ng"

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def _list(self, kind: str) -> list[tuple[str, str]]:
        out = subprocess.run(
            [self.binary, f"--voices={kind}"], capture_output=True, text=True, check=True
        ).stdout
        rows = []
        for line in out.splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 5:
                rows.append((fields[1], fields[4]))  # language, file
        return rows

    def voices(self) -> list[Voice]:
        bases = sorted(
            {
                lang
                for lang, file in self._list("en")
                if lang != "variant" and not file.startswith("mb/")
            }
        )
        variants = sorted({file.split("/")[-1] for _, file in self._list("variant")})
        return [
            Voice(self.name, base, variant) for base in bases for variant in ("default", *variants)
        ]

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {
            "rate": int(rng.integers(125, 226)),
            "pitch": int(rng.integers(20, 81)),
            "gap": int(rng.choice([0, 0, 0, 1, 2])),
        }

    def synthesize(self, voice: Voice, text: str, params: dict) -> tuple[np.ndarray, int]:
        name = voice.name if voice.variant == "default" else f"{voice.name}+{voice.variant}"
        with tempfile.TemporaryDirectory(prefix="espeak-") as tmp:
            wav = Path(tmp) / "out.wav"
            command = [self.binary, "-v", name, "-w", str(wav)]
            command += ["-s", str(params.get("rate", 175)), "-p", str(params.get("pitch", 50))]
            if "gap" in params:
                command += ["-g", str(params["gap"])]
            command += ["--", text]
            _run(command)
            return _read_wav(wav)


# ----------------------------------------------------------------------------- flite


class FliteEngine(Engine):
    """flite's built-in voices kal16, awb, rms, slt (all 16 kHz); duration stretch and mean F0
    per clip."""

    name = "flite"
    binary = "flite"
    VOICES = ("awb", "kal16", "rms", "slt")
    F0 = {"awb": 100, "kal16": 100, "rms": 95, "slt": 170}

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def voices(self) -> list[Voice]:
        out = subprocess.run([self.binary, "-lv"], capture_output=True, text=True).stdout
        listed = set(out.replace("Voices available:", "").split())
        return [Voice(self.name, name) for name in self.VOICES if name in listed]

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {
            "stretch": round(float(rng.uniform(0.8, 1.3)), 3),
            "f0_scale": round(float(rng.uniform(0.8, 1.25)), 3),
        }

    def synthesize(self, voice: Voice, text: str, params: dict) -> tuple[np.ndarray, int]:
        f0 = self.F0.get(voice.name, 110) * float(params.get("f0_scale", 1.0))
        with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
            wav = Path(tmp) / "out.wav"
            _run(
                [
                    self.binary,
                    "-voice",
                    voice.name,
                    "--setf",
                    f"duration_stretch={params.get('stretch', 1.0)}",
                    "--setf",
                    f"int_f0_target_mean={f0:.1f}",
                    "-t",
                    text,
                    "-o",
                    str(wav),
                ]  # fmt: skip
            )
            return _read_wav(wav)


# ----------------------------------------------------------------------------- festival


class _PipedEngine(Engine):
    """An engine driven through one long-lived child process and a temporary folder."""

    _process: subprocess.Popen | None = None
    _tmp: Path | None = None

    def close(self) -> None:
        if self._process is not None:
            try:
                if self._process.stdin:
                    self._process.stdin.close()
                self._process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
            self._process = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


class FestivalEngine(_PipedEngine):
    """festival with the Debian voices (kal and ked diphones, CMU ARCTIC slt HTS), driven through
    one long-lived `festival --pipe` per worker; duration stretch per clip."""

    name = "festival"
    binary = "festival"
    VOICES = ("cmu_us_slt_arctic_hts", "kal_diphone", "ked_diphone")
    VOICE_ROOT = Path("/usr/share/festival/voices")

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._tmp: Path | None = None
        self._current: str | None = None
        self._counter = 0

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def voices(self) -> list[Voice]:
        found = {path.name for path in self.VOICE_ROOT.glob("*/*") if path.is_dir()}
        return [Voice(self.name, name) for name in self.VOICES if name in found]

    def sample_params(self, rng: np.random.Generator) -> dict:
        return {"stretch": round(float(rng.uniform(0.8, 1.3)), 3)}

    def _start(self) -> None:
        self.close()
        self._tmp = Path(tempfile.mkdtemp(prefix="festival-"))
        self._process = subprocess.Popen(
            [self.binary, "--pipe"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._current = None

    def _command(self, scheme: str, timeout: float = 120.0) -> None:
        """Send one Scheme command; festival then creates a marker file (its stdout is block
        buffered, so the file is how we know it finished)."""
        if self._process is None or self._process.poll() is not None:
            self._start()
        assert self._process is not None and self._process.stdin is not None and self._tmp
        self._counter += 1
        marker = self._tmp / f"done{self._counter}"
        try:
            self._process.stdin.write(f'{scheme}\n(fclose (fopen "{marker}" "w"))\n')
            self._process.stdin.flush()
        except OSError as error:
            self.close()
            raise EngineError(f"festival died ({error})") from error
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise EngineError("festival died or hung")
            time.sleep(0.003)
        marker.unlink()

    def synthesize(self, voice: Voice, text: str, params: dict) -> tuple[np.ndarray, int]:
        if self._process is None or self._process.poll() is not None or self._current != voice.name:
            self._command(f"(voice_{voice.name})")
            self._current = voice.name
        assert self._tmp is not None
        wav = self._tmp / "out.wav"
        wav.unlink(missing_ok=True)
        quoted = text.replace("\\", " ").replace('"', " ")
        stretch = float(params.get("stretch", 1.0))
        self._command(
            f"(Parameter.set 'Duration_Stretch {stretch})"
            f'(utt.save.wave (utt.synth (Utterance Text "{quoted}")) "{wav}" \'riff)'
        )
        return _read_wav(wav)


# ----------------------------------------------------------------------------- installation


def _missing_debian(packages: tuple[str, ...]) -> list[str]:
    missing = []
    for package in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
        )
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def install_debian(packages: tuple[str, ...], log=print) -> list[str]:
    """apt-get install the packages that are missing (as root); returns those still missing."""
    if shutil.which("dpkg-query") is None:
        return list(packages)
    missing = _missing_debian(packages)
    if not missing:
        return []
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        log(f"cannot install {' '.join(missing)}: not root or no apt-get")
        return missing
    log(f"installing {' '.join(missing)} (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(command, capture_output=True, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env)
        subprocess.run(command, capture_output=True, env=env)
    return _missing_debian(missing)
