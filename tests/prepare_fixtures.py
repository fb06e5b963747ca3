"""Builders of small synthetic package files in the documented layouts (tests only)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf


def tone(seconds: float, rate: int, freq: float = 220.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.minimum(1.0, np.minimum(t, t[::-1] if len(t) else t) * 20 + 0.05)
    return (amp * envelope * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def audio_bytes(samples: np.ndarray, rate: int, fmt: str = "WAV") -> bytes:
    buffer = io.BytesIO()
    subtype = "VORBIS" if fmt == "OGG" else "PCM_16"
    sf.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


# --- drascula.dat ---------------------------------------------------------------------------


def drascula_block(strings: list[str]) -> bytes:
    """Strings laid out as loadTexts reads them: string i at offset s_i, the u16be at s_i - 2 is
    the size of its region (text, NUL, and the next string's u16); s_0 = 4."""
    out = bytearray(b"\0\0")
    for text in strings:
        encoded = text.encode("latin-1") + b"\0"
        out += struct.pack(">H", len(encoded) + 2) + encoded
    return bytes(out + b"\0\0")


def drascula_dat(tables: dict[str, list[str]], languages: int = 2) -> bytes:
    from asr.prepare.readers.drascula import _RECORD_SIZES, TABLE_NAMES

    out = bytearray(b"DRASCULA" + bytes([6]))
    for size in _RECORD_SIZES:  # one record each, to check they are skipped by size
        out += struct.pack(">H", 1) + b"\x07" * size
    out += struct.pack(">H", languages)
    for name in TABLE_NAMES:
        strings = tables.get(name, ["", "x"])
        out += struct.pack(">H", len(strings))
        for lang in range(languages):
            block = drascula_block(strings if lang == 0 else ["", *["otro"] * (len(strings) - 1)])
            out += struct.pack(">H", len(block)) + block
    return bytes(out)


# --- queen.1c -------------------------------------------------------------------------------


def _pascal(text: str, pos: int, align: int) -> bytes:
    """u8 length + bytes, padded so the next field (at pos + result) is aligned."""
    raw = bytes([len(text)]) + text.encode("latin-1")
    if text:
        end = pos + len(raw)
        raw += b"\0" * ((-end) % align)
    return raw


def queen_dog(talk_key: int, joe: list[tuple[int, str]], person: list[tuple[int, str]],
              second: tuple[str, str]) -> bytes:  # fmt: skip
    level_max = 1
    body = bytearray(32 + level_max * 96)
    joe_items = bytearray()
    pos = len(body)
    for ident, text in joe:
        item = b"\0\0" + struct.pack(">h", ident)
        item += _pascal(text, pos + len(item), 4)
        joe_items += item
        pos += len(item)
    body += joe_items
    person1 = len(body)
    for ident, text in person:
        item = b"\0\0" + struct.pack(">h", ident)
        item += _pascal(text, len(body) + len(item), 4)
        body += item
    person2 = len(body)
    body += _pascal(second[0], len(body), 2)
    body += _pascal(second[1], len(body), 2)
    cutaway = len(body)
    body += b"\0" * 8
    header = struct.pack(">hhhhh", level_max, 1, talk_key, len(joe), len(person))
    header += b"\0" * 12 + struct.pack(">HHH", person1, cutaway, person2)
    body[: len(header)] = header
    return b"\0" * 20 + bytes(body)


def queen_container(files: dict[str, bytes]) -> bytes:
    header = b"QTBL" + b"CEM10\0" + b"\0\0" + bytes([1]) + struct.pack(">H", len(files))
    offset = len(header) + 21 * len(files)
    table, blobs = bytearray(), bytearray()
    for name, data in files.items():
        table += name.encode().ljust(12, b"\0") + bytes([1])
        table += struct.pack(">II", offset + len(blobs), len(data))
        blobs += data
    return header + bytes(table) + bytes(blobs)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


class _RncBits:
    """Writes an RNC method-1 bit stream: bits fill 16-bit little-endian words, lowest first;
    a word's two bytes are reserved when its first bit is written, and literal bytes go to the
    end of the output, i.e. just after the word being filled (as the unpacker reads them)."""

    def __init__(self):
        self.out = bytearray()
        self.word_at = -1
        self.used = 16

    def bits(self, value: int, count: int) -> None:
        for i in range(count):
            if self.used == 16:
                self.word_at, self.used = len(self.out), 0
                self.out += b"\0\0"
            if value >> i & 1:
                word = self.out[self.word_at] | self.out[self.word_at + 1] << 8
                word |= 1 << self.used
                self.out[self.word_at : self.word_at + 2] = word.to_bytes(2, "little")
            self.used += 1

    def value(self, number: int) -> None:
        """A run length, distance or length: symbol s (2-bit code), then s-1 extra bits."""
        symbol = number if number < 2 else number.bit_length()
        code = int(f"{symbol:02b}"[::-1], 2)  # four symbols, 2-bit canonical codes, reversed
        self.bits(code, 2)
        if symbol >= 2:
            self.bits(number - (1 << (symbol - 1)), symbol - 1)


def rnc_pack(steps: list[tuple[bytes, tuple[int, int] | None]]) -> bytes:
    """RNC method 1 data of one block: each step is (literal bytes, (distance, length) or None
    for the last step). Every table has four symbols of 2 bits (values below 8)."""
    from asr.prepare.readers.rnc import crc16

    bits = _RncBits()
    bits.bits(0, 2)  # lock, key
    for _table in range(3):
        bits.bits(4, 5)
        for _symbol in range(4):
            bits.bits(2, 4)
    bits.bits(len(steps), 16)
    out = bytearray()
    for literal, match in steps:
        bits.value(len(literal))
        bits.out += literal
        out += literal
        if match is not None:
            distance, length = match
            bits.value(distance - 1)
            bits.value(length - 2)
            for _ in range(length):
                out.append(out[-distance])
    body = bytes(bits.out)
    header = b"RNC\x01" + struct.pack(">IIHH", len(out), len(body), crc16(bytes(out)), crc16(body))
    return header + b"\0\x01" + body


def sky_header(pcm_bytes: int, packed: bool) -> bytes:
    """A 22-byte data file header: flag (bit 7: RNC-packed), ..., s_tot_size (header included)."""
    words = [0x81 if packed else 0, 0, 0, 0, 0, 0, 22 + pcm_bytes, 0, 0, 0, 0]
    return struct.pack("<11H", *words)


def sky_files(
    plain: dict[int, bytes], packed: dict[int, list[tuple[bytes, tuple[int, int] | None]]]
) -> tuple[bytes, bytes]:
    """(sky.dnr, sky.dsk): `plain` files stored as header + PCM, `packed` ones as header + RNC
    data of their steps, at 16-byte aligned offsets (the CD version's layout)."""
    stored = {n: sky_header(len(pcm), False) + pcm for n, pcm in plain.items()}
    for number, steps in packed.items():
        pcm_bytes = sum(len(lit) + (m[1] if m else 0) for lit, m in steps)
        stored[number] = sky_header(pcm_bytes, True) + rnc_pack(steps)
    dnr = bytearray(struct.pack("<I", len(stored)))
    dsk = bytearray()
    for number, data in stored.items():
        dsk += bytes(-len(dsk) % 16)
        flags = len(data) | (0 if number in packed else 1 << 23)
        offset = len(dsk) >> 4 | 1 << 23
        dnr += (
            struct.pack("<H", number) + offset.to_bytes(3, "little") + flags.to_bytes(3, "little")
        )
        dsk += data
    return bytes(dnr), bytes(dsk)
