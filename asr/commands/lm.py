"""`asr lm build` (an ARPA word LM from text) and `asr lm tune` (LM weight and word bonus on a
dev manifest, stored in the JSON next to the LM, where the recogniser reads them back)."""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from asr.commands.common import CommandError, add_model_arguments, model_path
from asr.ctc.options import DEFAULT_BEAM, DecodingOptions
from asr.progress import console

DEFAULT_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
DEFAULT_BONUSES = (-1.0, 0.0, 1.0, 2.0, 3.0)


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("lm", help="build or tune the word n-gram LM for beam search")
    commands = parser.add_subparsers(dest="lm_command", metavar="ACTION", required=True)

    build = commands.add_parser(
        "build",
        help="build an ARPA LM (interpolated Kneser-Ney) from text",
        description="Count word n-grams in text (every line through the shared normaliser) "
        "and write an interpolated Kneser-Ney ARPA model, pruned by count and vocabulary.",
    )
    build.add_argument(
        "--text", type=Path, nargs="*", default=[], help="text files, or JSONL manifests ('text')"
    )
    build.add_argument(
        "--system-text",
        action="store_true",
        help="add WordNet examples, fortunes and the KJV Bible (Debian wordnet-base, "
        "fortunes-min/fortunes, bible-kjv)",
    )
    build.add_argument("--order", type=int, default=3, help="n-gram order (3)")
    build.add_argument(
        "--min-count",
        type=int,
        nargs="+",
        default=[1, 1, 2],
        help="least count kept per order, nondecreasing (1 1 2: trigram singletons pruned)",
    )
    build.add_argument("--max-vocab", type=int, default=50000, help="words kept (50000)")
    build.add_argument("-o", "--output", type=Path, required=True, help="lm.arpa or lm.arpa.gz")
    build.set_defaults(handler=run_build)

    lexicon = commands.add_parser(
        "lexicon",
        help="build the word list the beam search spells from (its vocabulary)",
        description="Normalise word lists (one word per line) into the decoder's lexicon: "
        "lower case, accents folded, one word in the model's alphabet, plus the single "
        "letters; possessives are left out unless --keep-possessives. The decoder adds the "
        "LM's words and the hotwords to it.",
    )
    lexicon.add_argument("--words", type=Path, nargs="*", default=[], help="word list files")
    lexicon.add_argument(
        "--system-words",
        action="store_true",
        help="add Debian's large English word lists (wamerican-large, wbritish-large)",
    )
    lexicon.add_argument("--keep-possessives", action="store_true", help='keep "dog\'s" forms')
    lexicon.add_argument("-o", "--output", type=Path, required=True, help="words.txt[.gz]")
    lexicon.set_defaults(handler=run_lexicon)

    tune = commands.add_parser(
        "tune",
        help="grid-search LM weight, word bonus and blank penalty on a dev manifest",
        description="Decode every clip once with the model, then beam-search it for each LM "
        "weight, word bonus and blank penalty; prints the WER table and the best setting. "
        "--write stores it in the JSON next to the LM (read back as the defaults).",
    )
    tune.add_argument("manifest", type=Path, help="dev manifest (never the test set)")
    add_model_arguments(tune)
    tune.add_argument("--weights", type=float, nargs="+", default=list(DEFAULT_WEIGHTS))
    tune.add_argument("--bonuses", type=float, nargs="+", default=list(DEFAULT_BONUSES))
    tune.add_argument(
        "--blank-penalties",
        type=float,
        nargs="+",
        metavar="X",
        help="blank penalties to try (default: only the current one, --blank-penalty or the "
        "value stored with the LM); a higher LM weight often needs one to keep its words",
    )
    tune.add_argument("--limit", type=int, default=0, help="first N clips only (0: all)")
    tune.add_argument(
        "--criterion",
        choices=("wer", "mean"),
        default="wer",
        help="pick the setting with the lowest WER (ties by CER), or the lowest mean of WER and "
        "CER, the rule the model's checkpoints are chosen by (default wer)",
    )
    tune.add_argument(
        "--no-more-deletions",
        action="store_true",
        help="only settings that delete no more words than greedy decoding does on this set: "
        "an LM that is too strong drops words it finds unlikely instead of spelling them",
    )
    tune.add_argument("--write", action="store_true", help="store the best setting next to the LM")
    tune.set_defaults(handler=run_tune)


def system_text() -> list[str]:
    """The sentences of `--system-text`: WordNet examples, fortunes, Bible clauses."""
    try:
        from asr.prepare.sentences import bible_clauses, fortune_sentences, wordnet_examples
    except ModuleNotFoundError as error:
        raise CommandError(
            "--system-text reads its sentences with the corpus recipes, which only a source "
            "checkout has (pip install -e .)"
        ) from error

    sources = (  # each reader and the Debian packages it reads
        (wordnet_examples, ["wordnet-base"]),
        (fortune_sentences, ["fortunes-min", "fortunes"]),
        (bible_clauses, ["bible-kjv"]),
    )

    lines = []
    missing = []
    for load, packages in sources:
        found = load()
        console.print(f"{load.__name__}: {len(found)} sentences")
        if not found:
            missing.extend(packages)
        lines.extend(sentence.label for sentence in found)
    if missing:
        # An LM silently built without a third of its text is worse than no LM at all.
        raise CommandError(
            f"--system-text: no sentences from {', '.join(missing)}: install them with "
            f"`apt-get install {' '.join(missing)}`"
        )
    return lines


def run_build(args: argparse.Namespace) -> int:
    from asr.ctc.lm_build import build_arpa, read_text_lines, write_arpa

    if args.min_count != sorted(args.min_count) or min(args.min_count) < 1:
        raise CommandError("--min-count must be positive and nondecreasing")
    if args.order < 1:
        raise CommandError("--order must be at least 1")
    for path in args.text:
        if not path.is_file():
            raise CommandError(f"{path}: no such text file")
    lines = list(read_text_lines(args.text))
    if args.system_text:
        lines.extend(system_text())
    if not lines:
        raise CommandError("no text: pass --text FILES and/or --system-text")
    started = time.perf_counter()
    vocab, orders = build_arpa(lines, args.order, tuple(args.min_count), args.max_vocab)
    counts = write_arpa(args.output, vocab, orders)
    size = args.output.stat().st_size / 1e6
    console.print(
        f"wrote {args.output} ({size:.1f} MB): {len(lines)} lines, n-grams "
        f"{' / '.join(map(str, counts))}, {time.perf_counter() - started:.1f} s"
    )
    return 0


def run_lexicon(args: argparse.Namespace) -> int:
    from asr.ctc.lexicon import SCOWL_NOTICE, SYSTEM_WORD_LISTS, build_word_list, write_word_list

    lists = list(args.words)
    if args.system_words:
        missing = [str(p) for p in SYSTEM_WORD_LISTS if not p.is_file()]
        if missing:
            raise CommandError(
                f"{', '.join(missing)}: not installed (apt install wamerican-large wbritish-large)"
            )
        lists.extend(SYSTEM_WORD_LISTS)
    for path in lists:
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such word list")
    if not lists:
        raise CommandError("no words: pass --words FILES and/or --system-words")
    try:
        words = build_word_list(lists, keep_possessives=args.keep_possessives)
    except ValueError as error:
        raise CommandError(str(error)) from error
    header = "lstm-asr decoding lexicon from: " + ", ".join(Path(p).name for p in lists)
    if args.system_words:
        header += "\n" + SCOWL_NOTICE
    write_word_list(args.output, words, header)
    size = args.output.stat().st_size / 1e6
    console.print(f"wrote {args.output} ({size:.2f} MB): {len(words)} words")
    return 0


def _vocabulary_name(args: argparse.Namespace) -> str:
    if args.open_vocabulary or args.closed_vocabulary:
        return "open" if args.open_vocabulary else "closed (LM words)"
    return str(args.lexicon.name if args.lexicon else "default lexicon")


def run_tune(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from asr.audio import load_audio
    from asr.commands.decoding_options import decoding_options
    from asr.ctc.beam_search import beam_decode
    from asr.ctc.decoder import DecoderFactory
    from asr.ctc.decoding import greedy_decode
    from asr.ctc.lm import LmDefaults
    from asr.fileio import atomic_write_text
    from asr.manifest import read_manifest
    from asr.wer import ErrorCounts, cer, word_errors
    from streaming import Recognizer

    # The commands' decoder for these flags (tuning needs a beam and an LM: --beam 0 means the
    # default width; hotwords are not tuned), its LM and lexicon loaded once.
    flags = {**vars(args), "beam": args.beam or DEFAULT_BEAM, "hotwords": None, "no_lm": False}
    options = decoding_options(argparse.Namespace(**flags))
    lm_path = options.lm_file
    entries, _ = read_manifest(args.manifest)
    entries = entries[: args.limit] if args.limit else entries
    recognizer = Recognizer(  # only for log-probs: the grid search decodes them itself
        model_path(args.model), DecodingOptions.greedy_ctc(), provider=args.provider
    )
    rate = recognizer.model.info.feature_config.sample_rate
    vocabulary = recognizer.model.info.vocabulary
    log_prob_list = [
        recognizer.utterance_log_probs(load_audio(e.audio_path, rate)) for e in entries
    ]
    references = [e.text for e in entries]

    def word_counts(hypotheses: list[str]) -> ErrorCounts:
        return sum(map(word_errors, references, hypotheses), ErrorCounts())

    greedy = word_counts(
        [vocabulary.decode(greedy_decode(lp, vocabulary.blank).ids) for lp in log_prob_list]
    )
    console.print(f"greedy: WER {greedy.rate:.2%}, {greedy.deletions} deletions")
    try:
        decoder = DecoderFactory.create(options)
    except ValueError as error:
        raise CommandError(str(error)) from error
    beam = options.beam
    penalties = args.blank_penalties or [decoder.config.blank_penalty]
    results = {}
    for weight, bonus, penalty in itertools.product(args.weights, args.bonuses, penalties):
        config = replace(decoder.config, lm_weight=weight, word_bonus=bonus, blank_penalty=penalty)
        hypotheses = [
            vocabulary.decode(
                beam_decode(log_probs, vocabulary, config, decoder.lm, decoder.lexicon).ids
            )
            for log_probs in log_prob_list
        ]
        counts = word_counts(hypotheses)
        word_rate, char_rate = counts.rate, cer(references, hypotheses)
        if counts.deletions <= greedy.deletions or not args.no_more_deletions:
            results[(weight, bonus, penalty)] = (word_rate, char_rate)
        console.print(
            f"lm_weight {weight:5.2f}  word_bonus {bonus:5.2f}  blank_penalty {penalty:4.2f}  "
            f"WER {word_rate:.2%}  CER {char_rate:.2%}  deletions {counts.deletions}"
        )
    if not results:
        raise CommandError(
            f"every setting deleted more words than greedy ({greedy.deletions}): try larger "
            "--bonuses or --blank-penalties"
        )

    # Ties on WER (common on small sets) are broken by CER.
    def rank(item):
        (word_rate, char_rate), setting = item[1], item[0]
        first = word_rate if args.criterion == "wer" else (word_rate + char_rate) / 2
        return first, char_rate, setting

    (weight, bonus, penalty), (best_wer, best_cer) = min(results.items(), key=rank)
    console.print(
        f"best: --lm-weight {weight} --word-bonus {bonus} --blank-penalty {penalty} "
        f"(WER {best_wer:.2%}, CER {best_cer:.2%}, beam {beam})"
    )
    if args.write:
        sidecar = LmDefaults.sidecar(lm_path)
        atomic_write_text(
            sidecar,
            json.dumps(
                {
                    "lm_weight": weight,
                    "word_bonus": bonus,
                    "blank_penalty": penalty,
                    "beam": beam,
                    "vocabulary": _vocabulary_name(args),
                    "criterion": args.criterion
                    + (", no more deletions than greedy" if args.no_more_deletions else ""),
                    "tuned_on": str(args.manifest),
                    "clips": len(entries),
                    "wer": round(best_wer, 4),
                    "cer": round(best_cer, 4),
                    "model": model_path(args.model).name,
                },
                indent=2,
            )
            + "\n",
        )
        console.print(f"wrote {sidecar}")
    return 0
