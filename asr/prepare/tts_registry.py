"""Every TTS engine by name: the Debian ones (`tts_engines`) and the PyPI ones, each in its own
venv (`tts_venv_engines`)."""

from __future__ import annotations

from pathlib import Path

from asr.prepare.tts_engines import Engine, EspeakEngine, FestivalEngine, FliteEngine
from asr.prepare.tts_venv_engines import VENV_ENGINES

DEBIAN_ENGINES: dict[str, type[Engine]] = {
    "espeak": EspeakEngine,
    "flite": FliteEngine,
    "festival": FestivalEngine,
}
ENGINE_NAMES = (*DEBIAN_ENGINES, *VENV_ENGINES)


def make_engine(name: str, tools: Path | None = None) -> Engine:
    """The engine called `name`; PyPI engines live in their own venv, `tools / name`."""
    if name in DEBIAN_ENGINES:
        return DEBIAN_ENGINES[name]()
    if name in VENV_ENGINES:
        return VENV_ENGINES[name](None if tools is None else tools / name)
    raise ValueError(f"unknown TTS engine {name!r} (choose from {', '.join(ENGINE_NAMES)})")
