"""Red Eclipse (Debian `redeclipse-data`): the announcer and the player taunts.

Audio: `/usr/share/games/redeclipse/data/sounds/announcer/<event>.ogg` (one processed, robotic
announcer voice) and `.../voice/<phrase>[2].ogg` (player taunts, two takes each), Ogg Vorbis.
The file name is the words run together; the tables below restore them. Names that are not
words (`argh`, `haha`, `pzap`, `multikill2`) are left without text (`multikill*`, `spree*`:
teachers only) or skipped (laughs and grunts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "redeclipse-data"
SOUND_DIR = Path("usr/share/games/redeclipse/data/sounds")
ANNOUNCER = {
    "alert": "alert", "breaker": "breaker", "captured": "captured", "checkpoint": "checkpoint",
    "dominating": "dominating", "draw": "draw", "fight": "fight", "firstblood": "first blood",
    "fragged": "fragged", "headshot": "headshot", "oneminute": "one minute remaining",
    "overthrown": "overthrown", "overtime": "overtime", "reset": "reset", "returned": "returned",
    "revenge": "revenge", "score": "score", "secured": "secured", "warning": "warning",
    "youlose": "you lose", "youwin": "you win",
}  # fmt: skip
VOICE = {
    "boom": "boom", "damnit": "damn it", "gogogo": "go go go", "hangon": "hang on",
    "luckyshot": "lucky shot", "niceshot": "nice shot", "no": "no", "noproblem": "no problem",
    "sorry": "sorry", "suckit": "suck it", "thanks": "thanks", "yes": "yes",
}  # fmt: skip
NON_WORDS = {"argh", "haha", "pzap"}


def words_of(folder: str, stem: str) -> tuple[str, bool]:
    """(text, is speech) of a sound file name in `announcer/` or `voice/`."""
    key = re.sub(r"\d+$", "", stem).lower()
    if key in NON_WORDS:
        return "", False
    table = ANNOUNCER if folder == "announcer" else VOICE
    return table.get(key, ""), True


def iter_clips(root: Path) -> Iterator[Clip]:
    for folder in ("announcer", "voice"):
        for path in sorted((root / SOUND_DIR / folder).glob("*.ogg")):
            said, speech = words_of(folder, path.stem)
            if not speech:
                continue
            yield Clip(
                source="redeclipse",
                clip_id=f"{folder}__{path.stem}",
                speaker=f"redeclipse:{folder}",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="filename" if said else "",
                package=PACKAGE,
            )
