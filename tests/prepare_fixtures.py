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
