"""RNC ProPack method 1 decompression (the packer of Revolution's Beneath a Steel Sky files).

A packed block: "RNC\\x01", unpacked and packed length (big-endian 32-bit), unpacked and packed
CRC-16, a leeway byte and the number of blocks, then a bit stream read from little-endian
16-bit words, lowest bit first. Each block starts with three canonical Huffman tables (literal
run lengths, match distances, match lengths; a 5-bit count, then 4 bits per code length) and
a 16-bit count of steps. A step is a run of literal bytes, copied from the byte position just
after the 16-bit word the bit reader is in, then (except in the last step) a match copied from
the output. Written from the format description; pure Python, one file at a time.
"""

from __future__ import annotations

import struct

SIGNATURE = b"RNC\x01"
HEADER_BYTES = 18
MIN_MATCH = 2


class RncError(ValueError):
    pass


def _crc16_table() -> list[int]:
    table = []
    for byte in range(256):
        value = byte
        for _ in range(8):
            value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
        table.append(value)
    return table


_CRC_TABLE = _crc16_table()


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


class _BitReader:
    """Bits from 16-bit little-endian words, lowest first; `pos` is the byte after the word
    in use, where literal bytes are read from."""

    def __init__(self, data: bytes, pos: int):
        self.data = data + b"\0\0\0\0"
        self.pos = pos
        self.word = 0  # the unread bits of the current word
        self.left = 0  # how many there are

    def _following_word(self) -> int:
        return self.data[self.pos] | self.data[self.pos + 1] << 8

    def peek16(self) -> int:
        """The next 16 bits without consuming them."""
        return (self.word | self._following_word() << self.left) & 0xFFFF

    def read(self, count: int) -> int:
        value = got = 0
        while count:
            if not self.left:
                self.word, self.left = self._following_word(), 16
                self.pos += 2
            take = min(count, self.left)
            value |= (self.word & ((1 << take) - 1)) << got
            self.word >>= take
            self.left -= take
            got += take
            count -= take
        return value

    def literal(self, count: int) -> bytes:
        chunk = self.data[self.pos : self.pos + count]
        if len(chunk) < count:
            raise RncError("literal run past the end of the packed data")
        self.pos += count
        return chunk


def _huffman_table(bits: _BitReader) -> list[tuple[int, int, int, int]]:
    """(mask, code, length, symbol) per symbol: canonical codes, bit-reversed for LSB-first."""
    count = bits.read(5)
    lengths = [bits.read(4) for _ in range(count)]
    table = []
    code = 0
    for length in range(1, 17):
        for symbol, symbol_length in enumerate(lengths):
            if symbol_length != length:
                continue
            prefix = code >> (16 - length)
            reversed_prefix = int(f"{prefix:0{length}b}"[::-1], 2)
            table.append(((1 << length) - 1, reversed_prefix, length, symbol))
            code += 1 << (16 - length)
    return table


def _value(bits: _BitReader, table: list[tuple[int, int, int, int]]) -> int:
    window = bits.peek16()
    for mask, code, length, symbol in table:
        if window & mask == code:
            bits.read(length)
            if symbol < 2:
                return symbol
            return (1 << (symbol - 1)) | bits.read(symbol - 1)
    raise RncError("bad Huffman code")


def unpack(packed: bytes) -> bytes:
    """The unpacked bytes of one RNC method-1 block (CRCs checked)."""
    if packed[:4] != SIGNATURE:
        raise RncError("not RNC method 1 data")
    unpacked_length, packed_length = struct.unpack(">II", packed[4:12])
    crc_unpacked, crc_packed = struct.unpack(">HH", packed[12:16])
    blocks = packed[17]
    body = packed[HEADER_BYTES : HEADER_BYTES + packed_length]
    if len(body) != packed_length or crc16(body) != crc_packed:
        raise RncError("packed data cut short or corrupt (CRC)")
    bits = _BitReader(body, 0)
    bits.read(2)  # lock and key flags
    out = bytearray()
    for _ in range(blocks):
        raw_table, distance_table, length_table = (_huffman_table(bits) for _ in range(3))
        steps = bits.read(16)
        for step in range(steps, 0, -1):
            run = _value(bits, raw_table)
            if run:
                out += bits.literal(run)
            if step > 1:
                distance = _value(bits, distance_table) + 1
                length = _value(bits, length_table) + MIN_MATCH
                start = len(out) - distance
                if start < 0:
                    raise RncError("match before the start of the output")
                if distance >= length:
                    out += out[start : start + length]
                else:  # overlapping: the copied bytes repeat
                    pattern = bytes(out[start:])
                    out += (pattern * (length // distance + 1))[:length]
    if len(out) != unpacked_length or crc16(bytes(out)) != crc_unpacked:
        raise RncError("unpacked data does not match its length or CRC")
    return bytes(out)
