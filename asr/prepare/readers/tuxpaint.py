"""Tux Paint stamps (Debian `tuxpaint-stamps-default`): the English name of a stamp, spoken.

Audio: `/usr/share/tuxpaint/stamps/<theme>/.../<stamp>_desc.ogg`, Ogg Vorbis (44.1 kHz, a few
8 kHz); `<stamp>_desc_<lang>.ogg` are other languages and `<stamp>.ogg` the stamp's sound
effect (both skipped). The `<stamp>.txt` beside it holds a caption ("A red kangaroo.", "Two
wild boars."), but the recordings say the bare name (Whisper `base` on all 66: "kangaroo",
"wild boar", "nandu" where the caption says "A rhea."), so the text is the file name, with
the run-together and French-spelt names written as said. Several voices, not named: one
mixed group (train only).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "tuxpaint-stamps-default"
STAMP_DIR = Path("usr/share/tuxpaint/stamps")
SUFFIX = "_desc"
RESPELL = {
    "mountaingoat": "mountain goat", "wildboar": "wild boar", "tucan": "toucan",
    "nandou": "nandu",
}  # fmt: skip


def words_of(stem: str) -> str:
    name = stem.removesuffix(SUFFIX).lower()
    return RESPELL.get(name, " ".join(name.replace("_", " ").replace("-", " ").split()))


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / STAMP_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob(f"*{SUFFIX}.ogg")):
        yield Clip(
            source="tuxpaint",
            clip_id=path.relative_to(folder).with_suffix("").as_posix().replace("/", "__"),
            speaker="tuxpaint:stamps",
            load=lambda path=path: decode_file(path),
            text=words_of(path.stem),
            text_kind="filename",
            speaker_known=False,
            package=PACKAGE,
        )
