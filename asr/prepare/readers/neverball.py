"""Neverball / Neverputt (Debian `neverball-common`): the game's spoken callouts.

Audio: `/usr/share/games/neverball/snd/<word>.ogg` (one voice) and `snd/gd/<word>.ogg` (a
second voice), Ogg Vorbis. Only the callouts (table below) are speech; the rest are effects.
`ready`, `set` and `go` are the words themselves; the other callouts' wording ("time's up",
"new record", "hole in one") is not in the package: no text, teachers only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "neverball-common"
SOUND_DIR = Path("usr/share/games/neverball/snd")
CALLOUTS = {
    "ready": "ready", "set": "set", "go": "go", "over": "", "time": "", "record": "",
    "select": "", "fall": "", "goal": "", "success": "", "birdie": "", "bogey": "",
    "eagle": "", "double": "", "one": "", "par": "", "penalty": "", "player1": "",
    "player2": "", "player3": "", "player4": "",
}  # fmt: skip


def iter_clips(root: Path) -> Iterator[Clip]:
    for voice, folder in (("main", root / SOUND_DIR), ("gd", root / SOUND_DIR / "gd")):
        for path in sorted(folder.glob("*.ogg")):
            if path.stem not in CALLOUTS:
                continue
            said = CALLOUTS[path.stem]
            yield Clip(
                source="neverball",
                clip_id=f"{voice}__{path.stem}",
                speaker=f"neverball:{voice}",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="filename" if said else "",
                package=PACKAGE,
            )
