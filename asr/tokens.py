"""The character vocabulary and the ONE text normaliser used for training, scoring and reports."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

BLANK = "<blank>"
DEFAULT_SYMBOLS: tuple[str, ...] = (BLANK, " ", "'", *"abcdefghijklmnopqrstuvwxyz")

_PLAIN = re.compile(r"[a-z' ]*")  # already normalised apart from stray apostrophes/spaces
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ`´′", "'"))
_ABBREVIATIONS = {
    "mr": "mister",
    "mrs": "missus",
    "ms": "miss",
    "dr": "doctor",
    "st": "saint",  # or "street": see _spell_abbreviation
    "jr": "junior",
    "sr": "senior",
    "vs": "versus",
    "etc": "et cetera",
    "prof": "professor",
    "capt": "captain",
    "lt": "lieutenant",
    "col": "colonel",
    "sgt": "sergeant",
    "mt": "mount",
}
_ABBREVIATION = re.compile(  # the lookahead on first letters is a 2x speed-up
    rf"(?<![\w'])(?=[{''.join(sorted({key[0] for key in _ABBREVIATIONS}))}])"
    rf"({'|'.join(_ABBREVIATIONS)})\b(\.?)(?=\s*(\S?))",
    re.IGNORECASE,
)
_OKAY = re.compile(r"\b(?:OK|Ok|O\.K|o\.k)\b\.?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_RANGE = re.compile(r"(?<=\d)\s?–\s?(?=[$£€]?\d)")  # en dash: 1990–2000
_MINUS = re.compile(r"(?<![\w.])[-−](?=[$£€]?\d)")
_CURRENCY = re.compile(r"([$£€])\s?(\d+)(?:\.(\d+))?(?:\s?(thousand|million|billion|trillion)\b)?")
_CURRENCY_UNITS = {  # symbol: (unit, units, hundredth, hundredths)
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
}
_SYMBOL = re.compile("[%&¢°]")
_SYMBOL_WORDS = {"%": " percent ", "&": " and ", "¢": " cents ", "°": " degrees "}
_AM_PM = re.compile(r"(?<=\d)\s*([ap])\.?\s?m\b\.?")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d\d)(?![\d:])")
_DECADE = re.compile(r"(?<![\w'])'?(\d*0)'?s\b")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")
_NUMBER = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")
_NOT_ALLOWED = re.compile(r"[^a-z' ]+")
_STRAY_APOSTROPHE = re.compile(r"(?<![a-z])'|'(?![a-z])")


def _words(value: int, to: str = "cardinal") -> str:
    from num2words import num2words

    return num2words(value, to=to)


def _spell_number(digits: str) -> str:
    value = int(digits)
    if len(digits) > 1 and digits.startswith("0"):
        # "007", phone numbers: read digit by digit.
        return " ".join(_words(int(d)) for d in digits)
    if len(digits) == 4 and (1100 <= value <= 1999 or 2010 <= value <= 2099):
        return _words(value, "year")
    return _words(value)


def _spell_fraction(digits: str) -> str:
    return " ".join(_words(int(d)) for d in digits)


def _spell_decimal(match: re.Match) -> str:
    return f"{_spell_number(match.group(1))} point {_spell_fraction(match.group(2))}"


def _spell_ordinal(match: re.Match) -> str:
    return _words(int(match.group(1)), "ordinal")


def _spell_abbreviation(match: re.Match) -> str:
    """Titles and abbreviations written as such ("Mr.", "Mr", "MR", "mr."); a bare lower-case
    "mr" is left alone, so text that is already normalised never changes. "St." is "saint"
    before a capitalised word ("St. Paul") and "street" otherwise ("Baker St.")."""
    word, dot, following = match.groups()
    if not dot and word.islower():
        return match.group(0)
    key = word.lower()
    if key == "st" and not following.isupper():
        return " street "
    return f" {_ABBREVIATIONS[key]} "


def _spell_currency(match: re.Match) -> str:
    """`$5.50` → five dollars and fifty cents, `£1` → one pound, `$2.5 million` → two point
    five million dollars (the way the synthetic corpus writes money)."""
    symbol, whole, fraction, scale = match.groups()
    unit, units, hundredth, hundredths = _CURRENCY_UNITS[symbol]
    if scale or (fraction and len(fraction) != 2):
        amount = _spell_number(whole) + (f" point {_spell_fraction(fraction)}" if fraction else "")
        return f" {amount} {scale or ''} {units} "
    parts = []
    if int(whole) or not fraction or not int(fraction):
        parts.append(f"{_spell_number(whole)} {unit if int(whole) == 1 else units}")
    if fraction and int(fraction):
        parts.append(f"{_words(int(fraction))} {hundredth if int(fraction) == 1 else hundredths}")
    return f" {' and '.join(parts)} "


def _spell_am_pm(match: re.Match) -> str:
    return f" {match.group(1)} m "


def _spell_time(match: re.Match) -> str:
    """`3:30` → three thirty, `3:05` → three oh five, `3:00` → three o'clock."""
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 24 or minute > 59:
        return match.group(0)
    if minute == 0:
        return f" {_words(hour)} o'clock "
    return f" {_words(hour)} {'oh ' if minute < 10 else ''}{_words(minute)} "


def _spell_decade(match: re.Match) -> str:
    """`1990s` / `'90s` → nineteen nineties / nineties, `1800s` → eighteen hundreds."""
    words = _spell_number(match.group(1))
    plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
    return f" {plural} "


def _spell_numbers(text: str) -> str:
    """Every rule that needs a digit, in order: money before decimals, times before numbers."""
    text = _THOUSANDS.sub("", text)
    text = _RANGE.sub(" to ", text)
    text = _MINUS.sub(" minus ", text)
    text = _CURRENCY.sub(_spell_currency, text)
    text = _AM_PM.sub(_spell_am_pm, text)
    text = _TIME.sub(_spell_time, text)
    text = _DECADE.sub(_spell_decade, text)
    text = _ORDINAL.sub(_spell_ordinal, text)
    text = _DECIMAL.sub(_spell_decimal, text)
    return _NUMBER.sub(lambda m: f" {_spell_number(m.group(0))} ", text)


def normalize_text(text: str) -> str:
    """The way the text is said, in the 29-symbol vocabulary: lower case, numbers, money,
    times, decades, ordinals, symbols and abbreviations spelled out, punctuation and hyphens
    made spaces, apostrophes inside words (contractions, possessives, o'clock) kept.

    `"It's 3.5% of $20, Mr. O'Neil's 2nd try!"` → `"it's three point five percent of twenty
    dollars mister o'neil's second try"`. Text that is already lower-case words comes back
    unchanged (a fast path: it is what most training targets are).
    """
    if _PLAIN.fullmatch(text):
        return " ".join(_STRAY_APOSTROPHE.sub(" ", text).split())
    text = text.translate(_APOSTROPHES)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _OKAY.sub(" okay ", text)
    text = _ABBREVIATION.sub(_spell_abbreviation, text)
    text = text.lower()
    text = _SYMBOL.sub(lambda m: _SYMBOL_WORDS[m.group(0)], text)
    if _DIGIT.search(text):
        text = _spell_numbers(text)
    text = _NOT_ALLOWED.sub(" ", text)
    text = _STRAY_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())


class Vocabulary:
    """Characters ↔ ids. Id 0 is the CTC blank. A vocabulary of other symbols (phoneme codes,
    `asr.phonemes`) takes its text as it is: the normaliser is for written English."""

    def __init__(self, symbols: Sequence[str] = DEFAULT_SYMBOLS):
        if not symbols or symbols[0] != BLANK:
            raise ValueError(f"the first symbol must be the CTC blank {BLANK!r}")
        if len(set(symbols)) != len(symbols):
            raise ValueError("vocabulary symbols must be unique")
        self.symbols = tuple(symbols)
        self._ids = {symbol: index for index, symbol in enumerate(self.symbols)}
        self.written = set(self.symbols) <= set(DEFAULT_SYMBOLS)

    @property
    def blank(self) -> int:
        return 0

    @property
    def space(self) -> int:
        return self._ids[" "]

    def __len__(self) -> int:
        return len(self.symbols)

    def encode(self, text: str) -> list[int]:
        """Ids of `text` (normalised if written English); other characters are dropped."""
        text = normalize_text(text) if self.written else text
        return [self._ids[ch] for ch in text if ch in self._ids]

    def decode(self, ids: Sequence[int]) -> str:
        text = "".join(self.symbols[i] for i in ids if i != self.blank)
        return " ".join(text.split())

    def to_list(self) -> list[str]:
        return list(self.symbols)
