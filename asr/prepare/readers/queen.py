"""Flight of the Amazon Queen (Debian `flight-of-the-amazon-queen`), CD talkie `queen.1c`.

Container (ScummVM `engines/queen/resource.cpp: readTableCompResource/readTableEntries`):

    "QTBL" | 6-byte version ("CEM10\\0" = English CD) | 2 obsolete bytes | u8 compression
    | u16be entry count | entries of: 12-byte NUL-padded name, u8 bundle, u32be offset,
    u32be size (offsets are from the start of the file)

Speech entries are `*.SB`; in this (compression 1) build each is a plain MP3 stream (MPEG-2.5
Layer III, 11,025 Hz mono) from byte 0.

Dialogue text lives in the `*.DOG` entries (ScummVM `engines/queen/talk.cpp: Talk::load`,
`findDialogueString`, `getString`, `speakSegment`). After a 20-byte header:

    s16be levelMax (sign = can quit) | s16be uniqueKey | s16be talkKey | s16be jMax | s16be pMax
    | 2 x (s16be gameState, testValue, itemNumber) | u16be person1Off | u16be cutawayOff
    | u16be person2Off | dialogue tree (levelMax * 96 bytes from offset 32)
    Joe's lines start at 32 + levelMax * 96, the other person's at person1Off; each list has
    jMax / pMax items of: 2 bytes, s16be id, string. A string is a u8 length + bytes, the next
    field aligned to 4 bytes. Joe's first item (id 0) is his opening line.
    person2Off holds two strings (aligned to 2): the person's and Joe's line for a second visit.

A line is split into segments at `*` commands (`*` + 2 characters, `*XY` + 11 more), and
segment k (from 1) of a line is the voice file `"%2d%4x%c%x" % (talkKey, id, who, k)` with
spaces as zeros, who = J (Joe) or P (the person of this DOG file); the opening and second-visit
lines use `SSSS` / `XXXX` in place of the id.

Joe's responses and object descriptions (ScummVM `engines/queen/logic.cpp: readQueenJas,
makeJoeSpeak`): `QUEEN2.JAS` is a CRLF text file of lines; `QUEEN.JAS` (after a 20-byte bank
header) starts with u16be numRooms, numNames, numObjects, numDescriptions. Description n
(from 1) is line n - 1; Joe's response n (1..40) is line numDescriptions + numNames + numRooms
+ 12 + n - 1. Voice file `JOE%04d%x` = (n for a response, 40 + n for a description, segment).
Cutaway lines (`C*.SB`) come without paired text here.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asr.prepare.readers import Clip, decode_bytes

PACKAGE = "flight-of-the-amazon-queen"
DEFAULT_FILE = Path("usr/share/scummvm/flight-of-the-amazon-queen/queen.1c")
DOG_HEADER_SIZE = 20
JAS_HEADER_SIZE = 20
JOE_RESPONSE_MAX = 40
_COMMAND_LENGTH = {"XY": 13}


class QueenError(ValueError):
    """The resource file is not in the expected layout."""


@dataclass(frozen=True)
class Entry:
    name: str
    bundle: int
    offset: int
    size: int


def parse_table(data: bytes) -> tuple[str, list[Entry]]:
    """(version string, entries) of a compressed `queen.1c` resource file."""
    if data[:4] != b"QTBL":
        raise QueenError("missing QTBL header")
    version = data[4:10].split(b"\0")[0].decode("ascii", "replace")
    (count,) = struct.unpack_from(">H", data, 13)
    entries = []
    pos = 15
    for _ in range(count):
        if pos + 21 > len(data):
            raise QueenError("truncated resource table")
        name = data[pos : pos + 12].split(b"\0")[0].decode("ascii", "replace")
        bundle = data[pos + 12]
        offset, size = struct.unpack_from(">II", data, pos + 13)
        entries.append(Entry(name, bundle, offset, size))
        pos += 21
    return version, entries


def _get_string(data: bytes, pos: int, align: int) -> tuple[str, int]:
    length = data[pos]
    pos += 1
    text = data[pos : pos + length].decode("latin-1")
    if length:
        pos = (pos + length + align - 1) & ~(align - 1)
    return text, pos


def split_segments(line: str) -> list[str]:
    """Text of each voice segment of a line (the `*` stage commands removed)."""
    segments = []
    start = i = 0
    while i < len(line):
        if line[i] == "*":
            segments.append(line[start:i])
            i += 1
            i += _COMMAND_LENGTH.get(line[i : i + 2], 2)
            start = i
        else:
            i += 1
    if start != len(line):
        segments.append(line[start:])
    return segments


def parse_dog(data: bytes) -> dict[str, tuple[str, str]]:
    """Voice file name (without `.SB`) -> (who: 'J' or 'P', text) for one DOG entry."""
    body = data[DOG_HEADER_SIZE:]

    def s16(pos: int) -> int:
        return struct.unpack_from(">h", body, pos)[0]

    level_max = abs(s16(0))
    talk_key, j_max, p_max = s16(4), s16(6), s16(8)
    person1, _cutaway, person2 = struct.unpack_from(">HHH", body, 22)

    def items(pos: int, count: int) -> list[tuple[int, str]]:
        out = []
        for _ in range(count):
            pos += 2
            ident = s16(pos)
            pos += 2
            text, pos = _get_string(body, pos, 4)
            out.append((ident, text))
        return out

    lines: list[tuple[str, str, str]] = []  # (id field, who, text)
    joe = items(32 + level_max * 96, j_max)
    for index, (ident, text) in enumerate(joe):
        lines.append(("SSSS" if index == 0 else f"{ident & 0xFFFF:4x}", "J", text))
    for ident, text in items(person1, p_max):
        lines.append((f"{ident & 0xFFFF:4x}", "P", text))
    second_person, pos = _get_string(body, person2, 2)
    second_joe, _ = _get_string(body, pos, 2)
    lines.append(("XXXX", "P", second_person))
    lines.append(("XXXX", "J", second_joe))

    voices: dict[str, tuple[str, str]] = {}
    for ident, who, text in lines:
        for k, segment in enumerate(split_segments(text), start=1):
            name = f"{talk_key:2d}{ident}{who}{k:x}".replace(" ", "0").upper()
            voices.setdefault(name, (who, segment))
    return voices


def parse_joe_lines(jas: bytes, jas2: bytes) -> dict[str, str]:
    """Voice file name (without `.SB`) -> text for Joe's responses and object descriptions."""
    rooms, names, _objects, descriptions = struct.unpack_from(">HHHH", jas, JAS_HEADER_SIZE)
    lines = jas2.decode("latin-1").replace("\r\n", "\n").split("\n")
    numbered: dict[int, str] = {}
    for n in range(1, descriptions + 1):
        if n - 1 < len(lines):
            numbered[JOE_RESPONSE_MAX + n] = lines[n - 1]
    first_response = descriptions + names + rooms + 12
    for n in range(1, JOE_RESPONSE_MAX + 1):
        if first_response + n - 1 < len(lines):
            numbered[n] = lines[first_response + n - 1]
    voices = {}
    for number, line in numbered.items():
        for k, segment in enumerate(split_segments(line), start=1):
            voices[f"JOE{number:04d}{k:x}".upper()] = segment
    return voices


def speaker_of(name: str, dog_speaker: dict[str, str]) -> tuple[str, bool]:
    """(speaker, known) for a voice file name."""
    if name.startswith("JOE"):
        return "joe", True
    if name.startswith("C"):
        return "cutaway", False
    if len(name) >= 7 and name[6] == "J":
        return "joe", True
    talk = name[:2]
    if talk in dog_speaker:
        return dog_speaker[talk], True
    return "other", False


def iter_clips(root: Path) -> Iterator[Clip]:
    path = root / DEFAULT_FILE
    if not path.is_file():
        return
    data = path.read_bytes()
    _version, entries = parse_table(data)
    voices: dict[str, tuple[str, str]] = {}
    dog_speaker: dict[str, str] = {}
    for entry in entries:
        if entry.name.upper().endswith(".DOG"):
            dog = data[entry.offset : entry.offset + entry.size]
            (talk_key,) = struct.unpack_from(">h", dog, DOG_HEADER_SIZE + 4)
            # APE2.DOG -> "ape": the person of the dialogue, shared by all its files.
            dog_speaker.setdefault(f"{talk_key:02d}", re.sub(r"\d+$", "", entry.name[:-4]).lower())
            for name, value in parse_dog(dog).items():
                voices.setdefault(name, value)
    by_name = {entry.name.upper(): entry for entry in entries}
    if "QUEEN.JAS" in by_name and "QUEEN2.JAS" in by_name:
        jas, jas2 = (by_name[n] for n in ("QUEEN.JAS", "QUEEN2.JAS"))
        joe_lines = parse_joe_lines(
            data[jas.offset : jas.offset + jas.size], data[jas2.offset : jas2.offset + jas2.size]
        )
        for name, text in joe_lines.items():
            voices.setdefault(name, ("J", text))
    for entry in entries:
        if not entry.name.upper().endswith(".SB"):
            continue
        stem = entry.name[:-3].upper()
        _who, text = voices.get(stem, ("", ""))
        speaker, known = speaker_of(stem, dog_speaker)
        blob = (entry.offset, entry.size)
        yield Clip(
            source="queen",
            clip_id=stem,
            speaker=f"queen:{speaker}",
            load=lambda blob=blob: decode_bytes(_read(path, *blob)),
            text=text.strip(),
            text_kind="game-text" if text.strip() else "",
            speaker_known=known,
            package=PACKAGE,
        )


def _read(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(size)
