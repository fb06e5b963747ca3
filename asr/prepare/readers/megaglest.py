"""MegaGlest (Debian `megaglest-data`): the units' short replies when selected or ordered.

Audio: `/usr/share/games/megaglest/techs/megapack/{commondata,factions/<f>/units/<u>}/sounds/
<unit>_select<N>.wav` and `<unit>_ack<N>.wav` (WAV, some Ogg): "Yes?", "At your command",
"What do you want?". No text: labelled by the two teachers only. Animals and monsters
(`cow`, `daemon`, `golem`, ...) are skipped. The actors are not named per unit and one may
voice several: each unit is a speaker, marked not known (train only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "megaglest-data"
TECH_DIR = Path("usr/share/games/megaglest/techs/megapack")
_REPLY = re.compile(r"^(\w+?)_(select|ack)\d*[a-z]?$")
NOT_HUMAN = {
    "behemoth", "bull", "chicken", "cow", "daemon", "dr", "dragon", "eagle", "evil_dragon",
    "golem", "pig", "sheep", "thunderbird",
}  # fmt: skip


def unit_of(stem: str) -> str:
    """The unit of a reply file name (`archer_select3` -> `archer`), '' for other sounds."""
    match = _REPLY.match(stem.lower())
    if not match or match.group(1) in NOT_HUMAN:
        return ""
    return match.group(1)


def iter_clips(root: Path) -> Iterator[Clip]:
    tech = root / TECH_DIR
    if not tech.is_dir():
        return
    paths = sorted(p for p in tech.rglob("*") if p.suffix in (".wav", ".ogg"))
    for path in paths:
        unit = unit_of(path.stem)
        if not unit or path.parent.name != "sounds":
            continue
        yield Clip(
            source="megaglest",
            clip_id=path.relative_to(tech).with_suffix("").as_posix().replace("/", "__"),
            speaker=f"megaglest:{unit}",
            load=lambda path=path: decode_file(path),
            speaker_known=False,
            package=PACKAGE,
        )
