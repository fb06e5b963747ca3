"""Decoder flags shared by `asr transcribe`, `evaluate`, `listen`, `serve` and `lm tune`: prefix
beam search with the shipped word LM by default (`--lm`, `--no-lm`, LM weight, word bonus,
hotwords), or `--beam 0` for greedy CTC.

Beam + LM is the default because greedy CTC spells what it hears letter by letter ("fhree",
"eiht"): the LM turns that into words at about 1.6x the small decoding cost (RTF 0.011 against
0.007 on one CPU thread)."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_BEAM = 16


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


def decoder_options(args: argparse.Namespace) -> dict:
    """Recognizer keyword arguments for the decoder flags (greedy for `--beam 0`)."""
    from asr.commands.common import CommandError
    from asr.hotwords import parse_hotwords
    from streaming.decoder import default_lexicon_path, default_lm_path

    beam = getattr(args, "beam", DEFAULT_BEAM)
    hotwords = getattr(args, "hotwords", None)
    if beam < 0:
        raise CommandError("--beam must be at least 1 (or 0 for greedy)")
    closed = getattr(args, "closed_vocabulary", False)
    open_vocabulary = getattr(args, "open_vocabulary", False)
    lexicon = getattr(args, "lexicon", None)
    if not beam:
        if hotwords or getattr(args, "lm", None) or closed or open_vocabulary or lexicon:
            raise CommandError(
                "--hotwords, --lm, --lexicon and --open/--closed-vocabulary need the beam "
                "search, not --beam 0"
            )
        return {}
    if lexicon is not None and (closed or open_vocabulary):
        raise CommandError("--lexicon is the vocabulary: not with --open/--closed-vocabulary")
    try:
        phrases = parse_hotwords(hotwords)
    except ValueError as error:
        raise CommandError(f"--hotwords: {error}") from error
    lm = None
    if not getattr(args, "no_lm", False):
        lm = args.lm or default_lm_path()
        if not Path(lm).is_file():
            raise CommandError(f"{lm}: no such LM file (pass --lm PATH or --no-lm)")
    if not (closed or open_vocabulary):
        lexicon = lexicon or default_lexicon_path()
        if not Path(lexicon).is_file():
            raise CommandError(f"{lexicon}: no such word list (pass --lexicon PATH)")
    return {
        "decoder": "beam",
        "beam": beam,
        "lm": lm,
        "lm_weight": getattr(args, "lm_weight", None),
        "word_bonus": getattr(args, "word_bonus", None),
        "hotwords": phrases,
        "closed_vocabulary": closed,
        "lexicon": lexicon,
    }
