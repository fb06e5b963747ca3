"""Which engines voice an `asr prepare tts` corpus, in what shares, and which voices are held out
for its dev set (so dev voices never occur in train)."""

from __future__ import annotations

# Share of clips per engine (renormalised over the engines that have voices in a split); every
# engine of `tts_registry.ENGINE_NAMES` (a test keeps them equal).
ENGINE_WEIGHTS = {
    "espeak": 0.45,
    "flite": 0.15,
    "festival": 0.15,
    "piper": 0.25,
    "kokoro": 0.3,
    "pico": 0.1,
}
DEFAULT_ENGINES = tuple(ENGINE_WEIGHTS)  # all of them; those that do not install are skipped
DEV_FRACTION = 0.06
# Voices held out for the dev set: a whole espeak accent, one espeak variant in twelve (on every
# accent), one flite voice, one Kokoro mix in ten and one Pico voice (en-GB at one pitch).
# Festival and piper have too few voices to spare one.
DEV_ESPEAK_BASE = "en-gb-x-gbcwmd"
DEV_FLITE = "rms"
DEV_PICO = "pico:en-GB:p1.15"


def dev_voice(speaker: str, espeak_variants: list[str]) -> bool:
    engine, name, variant = speaker.split(":", 2)
    if engine == "espeak":
        held = set(sorted(espeak_variants)[5::12])
        return name == DEV_ESPEAK_BASE or variant in held
    if engine == "kokoro":
        from asr.prepare.tts_venv_engines import kokoro_mixes

        return variant in kokoro_mixes()[9::10]
    return (engine == "flite" and name == DEV_FLITE) or speaker == DEV_PICO
