"""Every TTS engine by name: the Debian ones (`tts_engines`) and the PyPI ones, each in its own
venv (`tts_venv_engines`)."""

from __future__ import annotations

from pathlib import Path

from asr.prepare.tts_engines import Engine, EspeakEngine, FestivalEngine, FliteEngine
from asr.prepare.tts_venv_engines import VENV_ENGINES

ENGINE_NAMES = ("espeak", "flite", "festival", "piper", "kokoro", "pico")


def make_engine(name: str, tools: Path | None = None) -> Engine:
    """The engine called `name`; PyPI engines live in their own venv, `tools / name`."""
    if name == "espeak":
        return EspeakEngine()
    if name == "flite":
        return FliteEngine()
    if name == "festival":
        return FestivalEngine()
    if name in VENV_ENGINES:
        return VENV_ENGINES[name](None if tools is None else tools / name)
    raise ValueError(f"unknown TTS engine {name!r} (choose from {', '.join(ENGINE_NAMES)})")
