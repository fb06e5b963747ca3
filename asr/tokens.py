"""The character vocabulary and the ONE text normaliser used for training, scoring and reports."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

BLANK = "<blank>"
DEFAULT_SYMBOLS: tuple[str, ...] = (BLANK, " ", "'", *"abcdefghijklmnopqrstuvwxyz")

_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")
_NUMBER = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_CURRENCY = re.compile(r"([$£€])\s?(\d+(?:\.\d+)?)")
_NOT_ALLOWED = re.compile(r"[^a-z' ]+")
_STRAY_APOSTROPHE = re.compile(r"(?<![a-z])'|'(?![a-z])")
_CURRENCY_NAMES = {"$": "dollars", "£": "pounds", "€": "euros"}


def _spell_number(digits: str) -> str:
    from num2words import num2words

    value = int(digits)
    if len(digits) > 1 and digits.startswith("0"):
        # "007", phone numbers: read digit by digit.
        return " ".join(num2words(int(d)) for d in digits)
    if len(digits) == 4 and (1100 <= value <= 1999 or 2010 <= value <= 2099):
        return num2words(value, to="year")
    return num2words(value)


def _spell_decimal(match: re.Match) -> str:
    from num2words import num2words

    fraction = " ".join(num2words(int(d)) for d in match.group(2))
    return f"{_spell_number(match.group(1))} point {fraction}"


def _spell_ordinal(match: re.Match) -> str:
    from num2words import num2words

    return num2words(int(match.group(1)), to="ordinal")


def _spell_currency(match: re.Match) -> str:
    return f"{match.group(2)} {_CURRENCY_NAMES[match.group(1)]}"


def normalize_text(text: str) -> str:
    """Lower-case, digits spelled out, punctuation stripped (apostrophes inside words kept).

    `"It's 3.5% of $20, Mr. O'Neil's 2nd try!"` → `"it's three point five percent of twenty
    dollars mr o'neil's second try"`.
    """
    text = unicodedata.normalize("NFKD", text)
    text = text.replace("’", "'").replace("‘", "'")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = _THOUSANDS.sub("", text)
    text = _CURRENCY.sub(_spell_currency, text)
    text = text.replace("%", " percent ").replace("&", " and ")
    text = _ORDINAL.sub(_spell_ordinal, text)
    text = _DECIMAL.sub(_spell_decimal, text)
    text = _NUMBER.sub(lambda m: f" {_spell_number(m.group(0))} ", text)
    text = _NOT_ALLOWED.sub(" ", text)
    text = _STRAY_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())


class Vocabulary:
    """Characters ↔ ids. Id 0 is the CTC blank."""

    def __init__(self, symbols: Sequence[str] = DEFAULT_SYMBOLS):
        if not symbols or symbols[0] != BLANK:
            raise ValueError(f"the first symbol must be the CTC blank {BLANK!r}")
        if len(set(symbols)) != len(symbols):
            raise ValueError("vocabulary symbols must be unique")
        self.symbols = tuple(symbols)
        self._ids = {symbol: index for index, symbol in enumerate(self.symbols)}

    @property
    def blank(self) -> int:
        return 0

    @property
    def space(self) -> int:
        return self._ids[" "]

    def __len__(self) -> int:
        return len(self.symbols)

    def encode(self, text: str) -> list[int]:
        """Ids of normalised `text`; characters outside the vocabulary are dropped."""
        return [self._ids[ch] for ch in normalize_text(text) if ch in self._ids]

    def decode(self, ids: Sequence[int]) -> str:
        text = "".join(self.symbols[i] for i in ids if i != self.blank)
        return " ".join(text.split())

    def to_list(self) -> list[str]:
        return list(self.symbols)
