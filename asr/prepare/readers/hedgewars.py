"""Hedgewars voice packs (Debian `hedgewars-data`).

Audio: `/usr/share/games/hedgewars/Data/Sounds/voices/<Pack>/<Phrase>.ogg`, Ogg Vorbis. The file
name is the phrase with its spaces removed (`Leavemealone.ogg`); the table below restores the
words for the phrases the game uses. Names ending in a digit are variants (`Jump2`). Packs
suffixed `_xx` or named after a language are not English and are skipped; so are non-word
sounds (`Ooff`, `Laugh`, `PoisonCough`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "hedgewars-data"
VOICE_DIR = Path("usr/share/games/hedgewars/Data/Sounds/voices")
NON_ENGLISH = {"russian", "german", "french", "spanish", "polish", "czech", "ukrainian"}
NON_WORDS = {"ooff", "laugh", "poisoncough", "poisonmoan", "ow", "hmm", "firepunch", "jump"}
PHRASES = {
    "amazing": "amazing", "boring": "boring", "brilliant": "brilliant", "bugger": "bugger",
    "byebye": "bye bye", "comeonthen": "come on then", "coward": "coward",
    "cutitout": "cut it out", "drat": "drat", "enemydown": "enemy down",
    "excellent": "excellent", "fire": "fire", "firstblood": "first blood",
    "flawless": "flawless", "flyaway": "fly away", "gonnagetyou": "gonna get you",
    "grenade": "grenade", "hello": "hello", "hurry": "hurry", "illgetyou": "i'll get you",
    "incoming": "incoming", "justyouwait": "just you wait", "kamikaze": "kamikaze",
    "leavemealone": "leave me alone", "melon": "melon", "missed": "missed", "nooo": "no",
    "nutter": "nutter", "ohdear": "oh dear", "oops": "oops", "ouch": "ouch",
    "reinforcements": "reinforcements", "revenge": "revenge", "runaway": "run away",
    "sameteam": "same team", "solong": "so long", "stupid": "stupid",
    "takecover": "take cover", "thisoneismine": "this one is mine", "traitor": "traitor",
    "uh-oh": "uh oh", "victory": "victory", "watchit": "watch it", "watchthis": "watch this",
    "whatthe": "what the", "yessir": "yes sir", "youllregretthat": "you'll regret that",
}  # fmt: skip


def phrase_of(stem: str) -> str:
    """Words of a voice file name, or '' for non-words and unknown names."""
    key = re.sub(r"\d+$", "", stem).lower()
    if key in NON_WORDS:
        return ""
    return PHRASES.get(key, "")


def is_english_pack(name: str) -> bool:
    return "_" not in name and name.lower() not in NON_ENGLISH


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / VOICE_DIR
    if not folder.is_dir():
        return
    for pack in sorted(p for p in folder.iterdir() if p.is_dir() and is_english_pack(p.name)):
        for path in sorted(pack.glob("*.ogg")):
            said = phrase_of(path.stem)
            if not said:
                continue
            yield Clip(
                source="hedgewars",
                clip_id=f"{pack.name}__{path.stem}",
                speaker=f"hedgewars:{pack.name.lower()}",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="filename",
                package=PACKAGE,
            )
