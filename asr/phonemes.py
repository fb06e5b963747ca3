"""Phonemes as output units: CMUdict's ARPAbet phone set without stress, one character per phone.

With one character per phone a phoneme transcript is a string like a character one ("k a m p
l e n" is `kampl en`-like: words stay separated by spaces), so the vocabulary, the CTC loss,
greedy decoding and the edit-distance scores work on it unchanged. A model's units are told by
its vocabulary (stored in the checkpoint and the ONNX metadata): `Vocabulary.written` is False.
"""

from __future__ import annotations

from collections.abc import Iterable

from asr.tokens import BLANK

# ARPAbet phone -> its character; mnemonic where a letter fits (upper case for the second phone
# that wants the same letter: DH D, SH S, TH T, NG G, ZH Z, ...).
PHONE_CODES: dict[str, str] = {
    "AA": "A", "AE": "Q", "AH": "a", "AO": "O", "AW": "W", "AY": "Y", "B": "b", "CH": "C",
    "D": "d", "DH": "D", "EH": "E", "ER": "R", "EY": "e", "F": "f", "G": "g", "HH": "h",
    "IH": "I", "IY": "i", "JH": "J", "K": "k", "L": "l", "M": "m", "N": "n", "NG": "G",
    "OW": "o", "OY": "q", "P": "p", "R": "r", "S": "s", "SH": "S", "T": "t", "TH": "T",
    "UH": "U", "UW": "u", "V": "v", "W": "w", "Y": "y", "Z": "z", "ZH": "Z",
}  # fmt: skip
CODE_PHONES = {code: phone for phone, code in PHONE_CODES.items()}
PHONEME_SYMBOLS: tuple[str, ...] = (BLANK, " ", *PHONE_CODES.values())


def strip_stress(phone: str) -> str:
    """`EY1` -> `EY`: CMUdict marks vowel stress with a digit; the model does not predict it."""
    return phone.rstrip("012")


def encode_phones(phones: Iterable[str]) -> str:
    """ARPAbet phones (stress marks allowed) -> their characters, e.g. `K AH0 M` -> `kam`."""
    try:
        return "".join(PHONE_CODES[strip_stress(p)] for p in phones)
    except KeyError as error:
        raise ValueError(f"not an ARPAbet phone: {error.args[0]!r}") from None


def decode_phones(code: str) -> list[str]:
    """`kam` -> ['K', 'AH', 'M']."""
    return [CODE_PHONES[c] for c in code]
