"""Decoder flags shared by `asr transcribe`, `evaluate`, `listen`, `serve` and `lm tune`: prefix
beam search with the shipped word LM by default (`--lm`, `--no-lm`, LM weight, word bonus,
blank penalty, hotwords), or `--beam 0` for greedy CTC. The flags build a `DecodingOptions`,
whose defaults are the Python API's too.

Beam + LM is the default because greedy CTC spells what it hears letter by letter ("fhree",
"eiht"): the LM turns that into words at about 1.6x the small decoding cost (RTF 0.011 against
0.007 on one CPU thread)."""

from __future__ import annotations

import argparse
from pathlib import Path

from asr.commands.errors import CommandError
from asr.ctc.options import DEFAULT_BEAM, SHIPPED_LEXICON, SHIPPED_LM, DecodingOptions


def add_decoder_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("decoding")
    group.add_argument(
        "--beam",
        type=int,
        default=DEFAULT_BEAM,
        metavar="N",
        help=f"width of the CTC prefix beam search with a word LM (default {DEFAULT_BEAM}; "
        "0: greedy, fastest, no LM)",
    )
    group.add_argument(
        "--lm", type=Path, help="ARPA word LM for the beam search (default: the shipped English LM)"
    )
    group.add_argument("--no-lm", action="store_true", help="beam search without an LM")
    group.add_argument(
        "--lm-weight", type=float, help="LM weight (default: tuned value stored with the LM)"
    )
    group.add_argument(
        "--word-bonus",
        type=float,
        help="score added per word (default: tuned value stored with the LM)",
    )
    group.add_argument(
        "--blank-penalty",
        type=float,
        metavar="X",
        help="taken off the blank's log-probability on every step: higher keeps words a strong "
        "LM would drop, too high inserts them (default: tuned value stored with the LM)",
    )
    group.add_argument(
        "--hotwords",
        metavar="LIST",
        help='boosted words/phrases "word:boost,phrase:boost" (boost per letter, default 2)',
    )
    group.add_argument(
        "--lexicon",
        type=Path,
        metavar="FILE",
        help="word list (one per line, .gz allowed) of the words that may be output, with the "
        "LM's words and the hotwords (default: the shipped 134k-word English lexicon; build one "
        "with `asr lm lexicon`)",
    )
    vocabulary = group.add_mutually_exclusive_group()
    vocabulary.add_argument(
        "--open-vocabulary",
        action="store_true",
        help="output any letter string, not only lexicon words: names and codes no word list "
        "holds (the LM still scores words as they are spelled)",
    )
    vocabulary.add_argument(
        "--closed-vocabulary",
        action="store_true",
        help="output only words of the LM and the hotwords, like a grammar (digits, commands); "
        "build a small LM of the phrases with `asr lm build`",
    )


def decoding_options(args: argparse.Namespace) -> DecodingOptions:
    """The `DecodingOptions` of the decoder flags (greedy for `--beam 0`)."""
    beam = getattr(args, "beam", DEFAULT_BEAM)
    hotwords = getattr(args, "hotwords", None)
    lm = getattr(args, "lm", None)
    closed = getattr(args, "closed_vocabulary", False)
    open_vocabulary = getattr(args, "open_vocabulary", False)
    lexicon = getattr(args, "lexicon", None)
    blank_penalty = getattr(args, "blank_penalty", None)
    if beam < 0:
        raise CommandError("--beam must be at least 1 (or 0 for greedy)")
    if not beam:
        if hotwords or lm or closed or open_vocabulary or lexicon or blank_penalty is not None:
            raise CommandError(
                "--hotwords, --lm, --lexicon, --blank-penalty and --open/--closed-vocabulary "
                "need the beam search, not --beam 0"
            )
        return DecodingOptions.greedy_ctc()
    if lexicon is not None and (closed or open_vocabulary):
        raise CommandError("--lexicon is the vocabulary: not with --open/--closed-vocabulary")
    try:
        options = DecodingOptions(
            beam=beam,
            lm=None if getattr(args, "no_lm", False) else lm or SHIPPED_LM,
            lm_weight=getattr(args, "lm_weight", None),
            word_bonus=getattr(args, "word_bonus", None),
            blank_penalty=blank_penalty,
            hotwords=hotwords,
            closed_vocabulary=closed,
            lexicon=None if open_vocabulary or closed else lexicon or SHIPPED_LEXICON,
        )
    except ValueError as error:
        raise CommandError(f"--hotwords: {error}") from error
    if options.lm_file is not None and not options.lm_file.is_file():
        raise CommandError(f"{options.lm_file}: no such LM file (pass --lm PATH or --no-lm)")
    if options.lexicon_file is not None and not options.lexicon_file.is_file():
        raise CommandError(f"{options.lexicon_file}: no such word list (pass --lexicon PATH)")
    return options
