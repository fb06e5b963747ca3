"""Transcript checks of the corpus recipes: the project's one normaliser and its vocabulary.

`asr.tokens.normalize_text` spells numbers, money and abbreviations and drops what is not
spoken (punctuation). It also silently drops letters it cannot spell (`ß`, `æ`, Greek, Cyrillic),
which would leave a label that no longer says what the audio says: such transcripts are
rejected here instead, naming the characters.
"""

from __future__ import annotations

import unicodedata

from asr.tokens import Vocabulary, normalize_text

_SPELLED_SYMBOLS = frozenset("$£€¢")  # currency the normaliser reads out
_VOCABULARY = Vocabulary()


def _unspellable(raw: str) -> list[str]:
    """Letters and currency signs of `raw` the normaliser would drop (accents are folded)."""
    folded = unicodedata.normalize("NFKD", raw)
    bad = []
    for ch in folded:
        kind = unicodedata.category(ch)
        if kind.startswith("L") and not ch.isascii() or kind == "Sc" and ch not in _SPELLED_SYMBOLS:
            if ch not in bad:
                bad.append(ch)
    return bad


def check_transcript(raw: str, vocabulary: Vocabulary = _VOCABULARY) -> tuple[str, str, str]:
    """(normalised text, "", "") for a usable transcript, else ("", reason, detail)."""
    bad = _unspellable(raw)
    if bad:
        return "", "out-of-vocabulary transcript", f"{''.join(bad)!r} in {raw.strip()[:80]!r}"
    text = normalize_text(raw)
    if not text:
        return "", "empty transcript", repr(raw.strip()[:80])
    outside = sorted(set(text) - set(vocabulary.symbols))
    if outside:
        return "", "out-of-vocabulary transcript", f"{''.join(outside)!r} in {text[:80]!r}"
    return text, "", ""
