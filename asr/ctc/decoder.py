"""Which CTC decoder a `Recognizer`'s streams use, built once from `DecodingOptions`: greedy or
prefix beam search with an optional word LM, a lexicon (the words it may spell) and hotwords.
The LM and the lexicon are loaded once and shared by all streams."""

from __future__ import annotations

from dataclasses import dataclass, replace

from asr.ctc.beam_search import BeamConfig, BeamSearchDecoder
from asr.ctc.decoding import GreedyDecoder
from asr.ctc.lexicon import Lexicon, read_word_list, vocabulary_words
from asr.ctc.lm import LmDefaults, LmError, NgramLm, read_arpa
from asr.ctc.options import DecodingOptions
from asr.tokens import Vocabulary


@dataclass(frozen=True)
class DecoderFactory:
    kind: str = "greedy"
    config: BeamConfig | None = None
    lm: NgramLm | None = None
    lm_path: str | None = None  # the LM file, when it was given as one (for reports)
    lexicon: Lexicon | None = None
    lexicon_path: str | None = None

    @classmethod
    def create(cls, options: DecodingOptions) -> DecoderFactory:
        """Load the LM; its weight, word bonus and blank penalty default to the values stored
        next to it."""
        if options.greedy:
            return cls()
        defaults = LmDefaults(lm_weight=0.0, word_bonus=0.0, blank_penalty=0.0)
        model = options.lm if isinstance(options.lm, NgramLm) else None
        path = options.lm_file
        if path is not None:
            if not path.is_file():
                raise LmError(f"{path}: no such LM file")
            model = read_arpa(path)
            defaults = LmDefaults.for_lm(path)
        elif model is not None:
            defaults = LmDefaults()
        config = BeamConfig(
            beam=options.beam,
            lm_weight=defaults.lm_weight if options.lm_weight is None else options.lm_weight,
            word_bonus=defaults.word_bonus if options.word_bonus is None else options.word_bonus,
            blank_penalty=(
                defaults.blank_penalty if options.blank_penalty is None else options.blank_penalty
            ),
            hotwords=dict(options.hotwords),
            closed_vocabulary=options.closed_vocabulary,
        )
        words = options.lexicon if isinstance(options.lexicon, Lexicon) else None
        if options.closed_vocabulary:
            words = None
        if options.lexicon_file is not None:
            base = read_word_list(options.lexicon_file)
            words = Lexicon(vocabulary_words(base, model, config.hotwords), model)
        elif words is None and (model is not None or options.closed_vocabulary):
            # The grammar of a closed vocabulary, or the words that score an open search:
            # built once here, not once per stream.
            words = Lexicon(vocabulary_words(lm=model, extra=config.hotwords), model)
            config = replace(config, open_vocabulary=not options.closed_vocabulary)
        return cls(
            "beam",
            config,
            model,
            None if path is None else str(path),
            words,
            None if options.lexicon_file is None else str(options.lexicon_file),
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
            "blank_penalty": self.config.blank_penalty,
            "hotwords": len(self.config.hotwords),
            "closed_vocabulary": self.config.closed_vocabulary,
            "lexicon": self.lexicon_path or ("in memory" if spells_lexicon else None),
            "lexicon_words": len(self.lexicon) if spells_lexicon else None,
        }

    def new(self, vocabulary: Vocabulary) -> GreedyDecoder | BeamSearchDecoder:
        if self.kind == "greedy":
            return GreedyDecoder(vocabulary.blank)
        return BeamSearchDecoder(vocabulary, self.config, self.lm, self.lexicon)
