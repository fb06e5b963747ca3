"""Beneath a Steel Sky, CD version (Debian `beneath-a-steel-sky`): every spoken line.

Container: `sky.dnr` lists the files of `sky.dsk` (a 32-bit count, then 8 bytes per file:
16-bit number, 24-bit offset, 24-bit size and flags, little-endian). Files 50000-59999 are the
speech: a 22-byte header (its 7th 16-bit word is the size with header) then unsigned 8-bit PCM
at 11,025 Hz, most of them RNC-packed (`asr.prepare.readers.rnc`). The game's text is
Huffman-coded with tables of the engine's and is not read, so the clips have no own text: the
teachers label them, and only where both agree. The lines carry no speaker, so the voices are
one mixed group (train only).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from asr.prepare.readers import Clip, decode_unsigned_8bit
from asr.prepare.readers.rnc import unpack

PACKAGE = "beneath-a-steel-sky"
GAME_DIR = Path("usr/share/scummvm/beneath-a-steel-sky")
SPEECH_FILES = range(50000, 60000)
FILE_HEADER_BYTES = 22
SAMPLE_RATE = 11025


def dinner_table(dnr: bytes) -> dict[int, tuple[int, int, int]]:
    """File number → (offset, size, flags) from `sky.dnr`."""
    (count,) = struct.unpack_from("<I", dnr)
    if len(dnr) < 4 + 8 * count:
        raise ValueError(f"sky.dnr: {count} entries announced, file too short")
    table = {}
    for index in range(count):
        entry = dnr[4 + 8 * index : 12 + 8 * index]
        number = entry[0] | entry[1] << 8
        offset = int.from_bytes(entry[2:5], "little")
        flags = int.from_bytes(entry[5:8], "little")
        if offset >> 23 & 1:  # offsets of the CD version are stored in 16-byte units
            offset = (offset & 0x7FFFFF) << 4
        table[number] = (offset, flags & 0x3FFFFF, flags)
    return table


def unpack_file(stored: bytes, flags: int) -> bytes:
    """One file of `sky.dsk` as stored there (`flags` from its dinner-table entry), unpacked,
    with its 22-byte header."""
    header_flag = stored[0] | stored[1] << 8
    if flags >> 23 & 1 or not header_flag >> 7 & 1:  # stored plain
        return stored
    body = unpack(stored[FILE_HEADER_BYTES:])
    if flags >> 22 & 1:  # the header was packed with the data
        return body
    return stored[:FILE_HEADER_BYTES] + body


def speech_samples(file_data: bytes) -> np.ndarray:
    total = struct.unpack_from("<H", file_data, 12)[0]  # s_tot_size, header included
    return decode_unsigned_8bit(file_data[FILE_HEADER_BYTES:total])


def iter_clips(root: Path) -> Iterator[Clip]:
    folder = root / GAME_DIR
    if not (folder / "sky.dnr").is_file() or not (folder / "sky.dsk").is_file():
        return
    table = dinner_table((folder / "sky.dnr").read_bytes())
    dsk_path = folder / "sky.dsk"
    for number in sorted(n for n in table if n in SPEECH_FILES):

        def load(number: int = number) -> tuple[np.ndarray, int]:
            offset, size, flags = table[number]
            with open(dsk_path, "rb") as handle:
                handle.seek(offset)
                stored = handle.read(size)
            return speech_samples(unpack_file(stored, flags)), SAMPLE_RATE

        yield Clip(
            source="sky",
            clip_id=f"speech_{number}",
            speaker="sky:cast",
            load=load,
            speaker_known=False,
            package=PACKAGE,
        )
