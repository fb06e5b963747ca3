"""Which CTC decoder a `Recognizer`'s streams use: greedy (the fast default) or prefix beam
search with an optional word LM, a lexicon (the words it may spell) and hotwords. The LM and the
lexicon are loaded once and shared by all streams."""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from asr.beam_search import BeamConfig, BeamSearchDecoder
from asr.decoding import GreedyDecoder
from asr.hotwords import parse_hotwords
from asr.lexicon import Lexicon, default_lexicon_path, read_word_list, vocabulary_words
from asr.lm import LmDefaults, NgramLm, read_arpa
from asr.tokens import Vocabulary

DECODERS = ("greedy", "beam")


__all__ = ["DECODERS", "DecoderFactory", "default_lexicon_path", "default_lm_path"]


def default_lm_path() -> Path:
    """The word LM shipped next to the default model."""
    return Path(str(resources.files("asr") / "models" / "default-lm.arpa.gz"))


@dataclass(frozen=True)
class DecoderFactory:
    kind: str = "greedy"
    config: BeamConfig | None = None
    lm: NgramLm | None = None
    lm_path: str | None = None  # the LM file, when it was given as one (for reports)
    lexicon: Lexicon | None = None
    lexicon_path: str | None = None

    @classmethod
    def create(
        cls,
        decoder: str = "greedy",
        beam: int = 16,
        lm: str | Path | NgramLm | None = None,
        lm_weight: float | None = None,
        word_bonus: float | None = None,
        hotwords: str | dict[str, float] | None = None,
        closed_vocabulary: bool = False,
        lexicon: str | Path | Lexicon | None = None,
    ) -> DecoderFactory:
        """`lm_weight`/`word_bonus` default to the values stored next to the LM file.
        `lexicon` (a word list file, `default_lexicon_path()`, or a `Lexicon`): output only its
        words, the LM's and the hotwords; None: any letter string (open vocabulary).
        `closed_vocabulary`: only the LM's words and the hotwords (a grammar)."""
        if decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {', '.join(DECODERS)}")
        if decoder == "greedy":
            if lm is not None or hotwords or closed_vocabulary or lexicon is not None:
                raise ValueError(
                    "an LM, hotwords, a lexicon and a closed vocabulary need decoder='beam'"
                )
            return cls()
        if closed_vocabulary and lexicon is not None:
            raise ValueError("a closed vocabulary (a grammar of the LM's words) takes no lexicon")
        if beam < 1:
            raise ValueError("beam must be at least 1")
        defaults = LmDefaults(lm_weight=0.0, word_bonus=0.0)
        model = lm
        if isinstance(lm, (str, Path)):
            model = read_arpa(lm)
            defaults = LmDefaults.for_lm(Path(lm))
        elif isinstance(lm, NgramLm):
            defaults = LmDefaults()
        phrases = parse_hotwords(hotwords) if isinstance(hotwords, str) else dict(hotwords or {})
        config = BeamConfig(
            beam=beam,
            lm_weight=defaults.lm_weight if lm_weight is None else lm_weight,
            word_bonus=defaults.word_bonus if word_bonus is None else word_bonus,
            hotwords=phrases,
            closed_vocabulary=closed_vocabulary,
        )
        words = lexicon
        if isinstance(lexicon, (str, Path)):
            base = read_word_list(lexicon)
            words = Lexicon(vocabulary_words(base, model, config.hotwords), model)
        elif lexicon is None and (model is not None or closed_vocabulary):
            # The grammar of a closed vocabulary, or the words that score an open search:
            # built once here, not once per stream.
            words = Lexicon(vocabulary_words(lm=model, extra=config.hotwords), model)
            config = replace(config, open_vocabulary=not closed_vocabulary)
        return cls(
            "beam",
            config,
            model,
            str(lm) if isinstance(lm, (str, Path)) else None,
            words,
            str(lexicon) if isinstance(lexicon, (str, Path)) else None,
        )

    def describe(self) -> dict:
        """The decoder settings, for reports (`asr evaluate --json`)."""
        if self.config is None:
            return {"kind": self.kind}
        spells_lexicon = self.lexicon is not None and not (
            self.config.open_vocabulary or self.config.closed_vocabulary
        )
        return {
            "kind": self.kind,
            "beam": self.config.beam,
            "lm": self.lm_path if self.lm_path or self.lm is None else "in memory",
            "lm_weight": self.config.lm_weight,
            "word_bonus": self.config.word_bonus,
            "hotwords": len(self.config.hotwords),
            "closed_vocabulary": self.config.closed_vocabulary,
            "lexicon": self.lexicon_path or ("in memory" if spells_lexicon else None),
            "lexicon_words": len(self.lexicon) if spells_lexicon else None,
        }

    def new(self, vocabulary: Vocabulary) -> GreedyDecoder | BeamSearchDecoder:
        if self.kind == "greedy":
            return GreedyDecoder(vocabulary.blank)
        return BeamSearchDecoder(vocabulary, self.config, self.lm, self.lexicon)
