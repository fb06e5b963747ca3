"""Drascula: The Vampire Strikes Back (Debian `drascula`), English talkie.

Speech: `/usr/share/scummvm/drascula/en/<PREFIX><N>.ALS`, headerless unsigned 8-bit mono PCM at
11,025 Hz. Text: `drascula.dat` (ScummVM engine data, format read by ScummVM's
`engines/drascula/drascula.cpp: loadDrasculaDat/loadTexts`):

    "DRASCULA" | u8 version | 13 tables of fixed-size records, each `u16be count` + count*size
    | u16be number of languages | 15 text tables
    text table: u16be count, then per language: u16be block length + block;
    inside a block string i starts at s_i = s_(i-1) + u16be(at s_(i-1) - 2) with s_0 = 4, and
    ends at a NUL (the engine reads string 0, which is unused, from offset 0 instead).

English is language 0. The engine plays `<prefix><N>.als` while showing string N of the
prefix's table (`engines/drascula/talk.cpp`): no prefix = John Hacker (`_text`), D = Drascula
(`_textd`; the blind man's lines share this table), B = the drunk (`_textb`), BJ = B.J.
(`_textbj`), E = the hanged man (`_texte`), I = Igor (`_texti`), L = the werewolf (`_textl`),
P = the pianist (`_textp`), T = the bartender (`_textt`), VB = Von Braun (`_textvb`). S files
are sound effects and are skipped; other prefixes have no table (text left empty).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_unsigned_8bit

SAMPLE_RATE = 11025
PACKAGE = "drascula"
DEFAULT_DIR = Path("usr/share/scummvm/drascula/en")

# Record sizes of the non-text tables that precede the texts (charMap, itemLocations, polX/Y,
# verbBarX, x1d/y1d menu, frameX, candleX/Y, pianistX, drunkX, roomPreUpdates, roomUpdates,
# roomActions, talkSequences).
_RECORD_SIZES = (4, 4, 4, 2, 4, 2, 4, 2, 2, 20, 20, 10, 8)
TABLE_NAMES = (
    "text", "textd", "textb", "textbj", "texte", "texti", "textl", "textp", "textt", "textvb",
    "textsys", "texthis", "textverbs", "textmisc", "textd1",
)  # fmt: skip
# File prefix -> (text table, speaker).
PREFIXES = {
    "": ("text", "john"),
    "D": ("textd", "drascula"),
    "B": ("textb", "drunk"),
    "BJ": ("textbj", "bj"),
    "E": ("texte", "hanged-man"),
    "I": ("texti", "igor"),
    "L": ("textl", "werewolf"),
    "P": ("textp", "pianist"),
    "T": ("textt", "bartender"),
    "VB": ("textvb", "von-braun"),
}
SKIP_PREFIXES = {"S"}
_NAME = re.compile(r"^([A-Z]*)(\d+)\.ALS$", re.IGNORECASE)


class DatError(ValueError):
    """drascula.dat is not in the expected layout."""


def parse_dat(data: bytes, language: int = 0) -> dict[str, list[str]]:
    """Text tables of `drascula.dat` for one language: table name -> list of strings."""
    if data[:8] != b"DRASCULA":
        raise DatError("missing DRASCULA magic")
    pos = 9  # magic + version byte

    def u16() -> int:
        nonlocal pos
        if pos + 2 > len(data):
            raise DatError("truncated file")
        (value,) = struct.unpack_from(">H", data, pos)
        pos += 2
        return value

    for size in _RECORD_SIZES:
        count = u16()
        pos += count * size
    languages = u16()
    if not 0 <= language < languages:
        raise DatError(f"language {language} not in file ({languages} languages)")
    tables: dict[str, list[str]] = {}
    for name in TABLE_NAMES:
        count = u16()
        for lang in range(languages):
            length = u16()
            block = data[pos : pos + length]
            pos += length
            if lang == language:
                tables[name] = _split_block(block, count)
    return tables


def _split_block(block: bytes, count: int) -> list[str]:
    starts = [0]
    pos = 4
    for _ in range(1, count):
        pos -= 2
        (length,) = struct.unpack_from(">H", block, pos)
        pos += 2 + length
        starts.append(pos)
    out = []
    for start in starts:
        end = block.find(b"\0", start)
        out.append(block[start : end if end >= 0 else len(block)].decode("latin-1"))
    return out


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / DEFAULT_DIR
    dat = folder / "drascula.dat"
    if not dat.is_file():
        return
    tables = parse_dat(dat.read_bytes())
    for path in sorted(folder.iterdir()):
        match = _NAME.match(path.name)
        if not match:
            continue
        prefix, number = match.group(1).upper(), int(match.group(2))
        if prefix in SKIP_PREFIXES:
            continue
        table, speaker = PREFIXES.get(prefix, ("", f"other-{prefix.lower()}"))
        strings = tables.get(table, [])
        text = strings[number] if 0 < number < len(strings) else ""
        yield Clip(
            source="drascula",
            clip_id=f"{prefix or 'H'}{number:03d}",
            speaker=f"drascula:{speaker}",
            load=lambda path=path: (decode_unsigned_8bit(path.read_bytes()), SAMPLE_RATE),
            text=text,
            text_kind="game-text" if text else "",
            speaker_known=prefix in PREFIXES and prefix != "D",
            package=PACKAGE,
        )
