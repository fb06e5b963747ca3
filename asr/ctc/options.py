"""`DecodingOptions`: how CTC output becomes text, for the Python API and every command alike.

The default is what the commands use: a prefix beam search of width 32 with the shipped
English word LM (its weight, word bonus and blank penalty read from the JSON stored next to
it) that spells only words of the shipped English lexicon. Greedy CTC (`beam=0`) is the
fastest but spells what it hears letter by letter ("fhree", "eiht").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asr.ctc.lexicon import Lexicon
    from asr.ctc.lm import NgramLm

DEFAULT_BEAM = 32
SHIPPED_LM = "shipped"  # `DecodingOptions.lm`: the English LM shipped next to the default model
SHIPPED_LEXICON = "shipped"  # `DecodingOptions.lexicon`: the shipped English word list


def default_lm_path() -> Path:
    """The word LM shipped next to the default model."""
    return Path(str(resources.files("asr") / "models" / "default-lm.arpa.gz"))


@dataclass(frozen=True)
class DecodingOptions:
    """`beam`: width of the CTC prefix beam search (0: greedy CTC, no LM or hotwords).
    `lm`: ARPA word LM file (or a loaded `NgramLm`); `SHIPPED_LM` the shipped English one, None
    none. `lm_weight`, `word_bonus`, `blank_penalty` (taken off the blank's log-prob on every
    step, so that fewer words are dropped): None takes the tuned values stored next to the LM
    file.
    `hotwords`: "word:boost,phrase:boost" or {phrase: boost}. `lexicon`: word list file (or a
    `Lexicon`) whose words, the LM's and the hotwords are the only ones spelled;
    `SHIPPED_LEXICON` the shipped 134k English words, None any letter string (open vocabulary).
    `closed_vocabulary`: output only words of the LM and the hotwords, like a grammar (the
    lexicon is then not used)."""

    beam: int = DEFAULT_BEAM
    lm: str | Path | NgramLm | None = SHIPPED_LM
    lm_weight: float | None = None
    word_bonus: float | None = None
    hotwords: str | Mapping[str, float] | None = None
    closed_vocabulary: bool = False
    lexicon: str | Path | Lexicon | None = SHIPPED_LEXICON
    blank_penalty: float | None = None

    def __post_init__(self) -> None:
        from asr.ctc.hotwords import parse_hotwords

        if self.beam < 0:
            raise ValueError("beam must be at least 1 (or 0 for greedy)")
        hotwords = self.hotwords
        phrases = parse_hotwords(hotwords) if isinstance(hotwords, str) else dict(hotwords or {})
        object.__setattr__(self, "hotwords", phrases)
        explicit_lm = self.lm is not None and not self.uses_shipped_lm
        explicit_lexicon = self.lexicon is not None and not self.uses_shipped_lexicon
        explicit_penalty = self.blank_penalty is not None
        if self.greedy and (
            explicit_lm or explicit_lexicon or phrases or self.closed_vocabulary or explicit_penalty
        ):
            raise ValueError(
                "an LM, a lexicon, hotwords, a closed vocabulary and a blank penalty need the "
                "beam search (beam > 0)"
            )
        if self.closed_vocabulary and explicit_lexicon:
            raise ValueError("a closed vocabulary (a grammar of the LM's words) takes no lexicon")

    @classmethod
    def greedy_ctc(cls) -> DecodingOptions:
        """Greedy CTC: the fastest decoder, without an LM."""
        return cls(beam=0, lm=None, lexicon=None)

    @property
    def greedy(self) -> bool:
        return self.beam == 0

    @property
    def uses_shipped_lm(self) -> bool:
        return isinstance(self.lm, str) and self.lm == SHIPPED_LM

    @property
    def lm_file(self) -> Path | None:
        """The LM file the beam search reads (None: no LM, or one given in memory)."""
        if self.greedy or self.lm is None:
            return None
        if self.uses_shipped_lm:
            return default_lm_path()
        return Path(self.lm) if isinstance(self.lm, (str, Path)) else None

    @property
    def uses_shipped_lexicon(self) -> bool:
        return isinstance(self.lexicon, str) and self.lexicon == SHIPPED_LEXICON

    @property
    def lexicon_file(self) -> Path | None:
        """The word list the beam search reads (None: open or closed vocabulary, or in memory)."""
        if self.greedy or self.closed_vocabulary or self.lexicon is None:
            return None
        if self.uses_shipped_lexicon:
            from asr.ctc.lexicon import default_lexicon_path

            return default_lexicon_path()
        return Path(self.lexicon) if isinstance(self.lexicon, (str, Path)) else None
