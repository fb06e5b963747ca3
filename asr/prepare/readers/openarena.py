"""OpenArena (Debian `openarena-data`): the team-chat voice `rott` (by RottKing).

Audio: `sound/voices/rott/<name>.ogg` inside the zip `/usr/share/games/openarena/missionpack/
mp-pak0.pk3`, Ogg Vorbis, 16 kHz. The other voice there, `festivoxmale`, is Festival speech
synthesis, not a human: skipped. Text: the voice script `scripts/male1.voice` in the same zip
pairs each file with its chat line (`sound\\voices\\rott\\haveflag.ogg "I have the flag!"`); the
script is shared with other voices, so the actor may word a line his own way (game text). The
nine files the script does not list get their words from the file name (table below).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_bytes

PACKAGE = "openarena-data"
PAK = Path("usr/share/games/openarena/missionpack/mp-pak0.pk3")
VOICE = "sound/voices/rott/"
SCRIPT = "scripts/male1.voice"
_LINE = re.compile(r'voices[\\/]rott[\\/](\w+)\.ogg\s+"([^"]*)"')
NAMES = {
    "gettheflag": "get the flag", "gofortheflag": "go for the flag",
    "goingonpatrol": "going on patrol", "incomingfire": "incoming fire",
    "iwanttopatrol": "i want to patrol", "ok": "okay", "ondefense": "on defense",
    "rogerthat": "roger that", "whereareyou": "where are you",
}  # fmt: skip


def parse_voice_script(text: str) -> dict[str, str]:
    """File stem -> chat line of the `rott` entries of a `.voice` script."""
    return {stem: said.strip() for stem, said in _LINE.findall(text)}


def iter_clips(root: Path) -> Iterator[Clip]:
    pak = root / PAK
    if not pak.is_file():
        return
    with zipfile.ZipFile(pak) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith(VOICE) and n.endswith(".ogg"))
        script = {}
        if SCRIPT in archive.namelist():
            script = parse_voice_script(archive.read(SCRIPT).decode("latin-1"))
    for name in names:
        stem = name[len(VOICE) : -4]
        said, kind = (script[stem], "game-text") if stem in script else (NAMES.get(stem, ""), "")
        yield Clip(
            source="openarena",
            clip_id=stem,
            speaker="openarena:rott",
            load=lambda name=name: _load(pak, name),
            text=said,
            text_kind=kind or ("filename" if said else ""),
            package=PACKAGE,
        )


def _load(pak: Path, name: str):
    with zipfile.ZipFile(pak) as archive:
        return decode_bytes(archive.read(name))
