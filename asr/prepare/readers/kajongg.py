"""Kajongg (Debian `kajongg`): mahjongg tile calls and claims, four English voices.

Audio: `/usr/share/kajongg/voices/<voice>/<name>.ogg`, Ogg Vorbis; the English voices are the
folders directly under `voices/` (`female1`, `female2`, `male1`, `male2`); `voices/de/` is
German and skipped. The file name is the game's tile or claim code: `b1`..`b9` bamboo,
`c1`..`c9` character, `s1`..`s9` circle (the game's "stone" suit; the voices say "circle"),
`db`/`dg`/`dr` dragons (the white dragon is said "blue dragon"), `we`/`ws`/`ww`/`wn` the
winds (said as one word), and claims (`pung`, `nochoice`, ...). Words checked against Whisper
`base` on a sample of each voice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "kajongg"
VOICE_DIR = Path("usr/share/kajongg/voices")
SUITS = {"b": "bamboo", "c": "character", "s": "circle"}
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
CALLS = {
    "db": "blue dragon", "dg": "green dragon", "dr": "red dragon",
    "we": "east", "ws": "south", "ww": "west", "wn": "north",
    "chow": "chow", "pung": "pung", "kong": "kong", "mahjongg": "mahjong",
    "nochoice": "no choice", "dangerousgame": "dangerous game", "originalcall": "original call",
    "violatesoriginalcall": "violates original call",
}  # fmt: skip


def words_of(stem: str) -> str:
    """Words of a voice file name, or '' for a name the game does not use."""
    if len(stem) == 2 and stem[0] in SUITS and stem[1] in "123456789":
        return f"{SUITS[stem[0]]} {NUMBERS[int(stem[1]) - 1]}"
    return CALLS.get(stem, "")


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / VOICE_DIR
    if not folder.is_dir():
        return
    for voice in sorted(p for p in folder.iterdir() if (p / "s1.ogg").is_file()):
        for path in sorted(voice.glob("*.ogg")):
            said = words_of(path.stem)
            if not said:
                continue
            yield Clip(
                source="kajongg",
                clip_id=f"{voice.name}__{path.stem}",
                speaker=f"kajongg:{voice.name}",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="filename",
                package=PACKAGE,
            )
