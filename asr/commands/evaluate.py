"""`asr evaluate MANIFEST`: WER/CER (jiwer after the shared normaliser), errors by kind, the worst
utterances aligned, real-time factor and streaming latency; `--json` ends stdout with one JSON
object (`utts`, `audio_seconds`, `wer`, `cer`, `rtf`, `mode`, ...).

Streaming mode runs every clip through the same `Stream` as `asr transcribe` and `asr listen`;
offline mode decodes whole clips in one model call (`Recognizer.offline_transcribe`), and
`both` reports the difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from asr.commands.common import (
    CommandError,
    add_model_arguments,
    describe_error,
    format_clock,
    latency_figures,
    load_recognizer,
    report_failure,
    stream_file,
)
from asr.progress import console, progress_bar

MODES = ("streaming", "offline", "both")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "evaluate",
        help="score a model on a JSONL manifest (WER, CER, RTF, latency)",
        description="Score a model on a NeMo-style manifest (paths relative to the manifest's "
        "folder). WER and CER are computed with jiwer after the shared text normaliser.",
    )
    parser.add_argument("manifest", type=Path, help="JSONL manifest with reference texts")
    add_model_arguments(parser)
    parser.add_argument("--mode", choices=MODES, default="streaming", help="default streaming")
    parser.add_argument(
        "--json", action="store_true", help="end stdout with one JSON object of the figures"
    )
    parser.add_argument("--report", type=Path, help="per-utterance report (.json or .jsonl)")
    parser.add_argument("--worst", type=int, default=5, help="worst utterances to show (5)")
    parser.add_argument("--plot", type=Path, help="PNG: WER per utterance, latency histogram")
    parser.set_defaults(handler=run)


@dataclass
class Utterance:
    path: Path
    reference: str
    duration: float = 0.0
    hypothesis: str | None = None  # the scored mode (streaming unless --mode offline)
    offline_hypothesis: str | None = None
    words: object = None  # ErrorCounts of the scored hypothesis
    chars: object = None
    offline_words: object = None
    offline_chars: object = None
    latency: dict = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        from asr.tokens import normalize_text

        row = {
            "audio_filepath": str(self.path),
            "duration": round(self.duration, 3),
            "reference": self.reference,
            "hypothesis": self.hypothesis,
            "reference_normalized": normalize_text(self.reference),
            "hypothesis_normalized": normalize_text(self.hypothesis or ""),
        }
        if self.error:
            return {**row, "error": self.error}
        if self.words is not None:
            row.update(_counts("word", self.words) | _counts("char", self.chars))
        if self.offline_words is not None:
            row["offline_hypothesis"] = self.offline_hypothesis
            row.update(_counts("offline_word", self.offline_words))
            row.update(_counts("offline_char", self.offline_chars))
        return {**row, **self.latency}


def _counts(prefix: str, counts) -> dict:
    rate = counts.rate
    return {
        f"{prefix}_errors": counts.errors,
        f"{prefix}_substitutions": counts.substitutions,
        f"{prefix}_deletions": counts.deletions,
        f"{prefix}_insertions": counts.insertions,
        f"{prefix}_reference_length": counts.reference_length,
        f"{prefix}_error_rate": rate if rate != float("inf") else None,
    }


def _require_matplotlib():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise CommandError("--plot needs matplotlib: pip install matplotlib") from error
    return plt


def _streaming(recognizer, utterance: Utterance) -> tuple[str, float]:
    """Hypothesis and compute seconds through the `Stream`, with latency on the audio clock."""
    from asr.commands.latency import LatencyTracker
    from streaming.recognizer import FileBlock

    tracker = LatencyTracker()
    rate = recognizer.model.info.feature_config.sample_rate

    def observe(block: FileBlock) -> None:
        tracker.audio(block.samples, rate, block.position)
        if block.finals:
            tracker.final(block.position)
        elif block.partial:
            tracker.text_seen(block.position)

    result = stream_file(recognizer, utterance.path, recognizer.chunk_seconds, observe)
    utterance.duration = result.duration
    first, final = tracker.first_partial, tracker.final_after_end
    utterance.latency = {
        "first_partial_latency": _round(first[0]) if first else None,
        "final_latency": _round(final[-1]) if final else None,
    }
    return result.text, result.compute_seconds


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _offline(recognizer, utterance: Utterance) -> tuple[str, float]:
    from asr.audio import load_audio

    rate = recognizer.model.info.feature_config.sample_rate
    samples = load_audio(utterance.path, rate)
    utterance.duration = len(samples) / rate
    started = time.perf_counter()
    text = recognizer.offline_transcribe(samples).text
    return text, time.perf_counter() - started


def _alignment(reference: str, hypothesis: str) -> tuple[str, str, str]:
    """REF / HYP / marker lines, words padded to equal width (S, D, I under errors)."""
    import jiwer

    from asr.tokens import normalize_text

    ref, hyp = normalize_text(reference).split(), normalize_text(hypothesis).split()
    columns: list[tuple[str, str, str]] = []
    if not ref or not hyp:
        columns = [(w, "*" * len(w), "D") for w in ref] + [("*" * len(w), w, "I") for w in hyp]
    else:
        for chunk in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]:
            r = ref[chunk.ref_start_idx : chunk.ref_end_idx]
            h = hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]
            if chunk.type == "equal":
                columns += [(a, b, "") for a, b in zip(r, h)]
            elif chunk.type == "substitute":
                columns += [(a, b, "S") for a, b in zip(r, h)]
            elif chunk.type == "delete":
                columns += [(a, "*" * len(a), "D") for a in r]
            else:
                columns += [("*" * len(b), b, "I") for b in h]
    widths = [max(len(a), len(b), len(m)) for a, b, m in columns]
    lines = [
        " ".join(col[i].ljust(width) for col, width in zip(columns, widths)).rstrip()
        for i in range(3)
    ]
    return lines[0], lines[1], lines[2]


def _score(utterances: list[Utterance], offline_only: bool) -> None:
    from asr.wer import char_errors, word_errors

    for utt in utterances:
        if utt.error:
            continue
        utt.words = word_errors(utt.reference, utt.hypothesis)
        utt.chars = char_errors(utt.reference, utt.hypothesis)
        if utt.offline_hypothesis is not None and not offline_only:
            utt.offline_words = word_errors(utt.reference, utt.offline_hypothesis)
            utt.offline_chars = char_errors(utt.reference, utt.offline_hypothesis)


def _rate(value: float) -> float | None:
    return None if value == float("inf") else round(value, 6)


def _summary(args, utterances, compute, offline_compute, wall, recognizer) -> dict:
    from asr.wer import ErrorCounts

    scored = [u for u in utterances if not u.error]
    words = sum((u.words for u in scored), ErrorCounts())
    chars = sum((u.chars for u in scored), ErrorCounts())
    audio = sum(u.duration for u in scored)
    summary = {
        "utts": len(scored),
        "audio_seconds": round(audio, 3),
        "wer": _rate(words.rate),
        "cer": _rate(chars.rate),
        "substitutions": words.substitutions,
        "deletions": words.deletions,
        "insertions": words.insertions,
        "reference_words": words.reference_length,
        "rtf": round((offline_compute if args.mode == "offline" else compute) / audio, 6)
        if audio
        else None,
        "wall_seconds": round(wall, 3),
        "mode": args.mode,
        "failures": len(utterances) - len(scored),
        "model": str(recognizer.model.path),
        "device": recognizer.device,
        "chunk_ms": round(recognizer.chunk_seconds * 1000),
        "decoder": recognizer.decoders.describe(),
    }
    if args.mode != "offline":
        for name in ("first_partial_latency", "final_latency"):
            values = [u.latency[name] for u in scored if u.latency.get(name) is not None]
            summary.update(latency_figures(name, values))
    if args.mode == "both":
        offline_words = sum((u.offline_words for u in scored), ErrorCounts())
        offline_chars = sum((u.offline_chars for u in scored), ErrorCounts())
        summary["offline_wer"] = _rate(offline_words.rate)
        summary["offline_cer"] = _rate(offline_chars.rate)
        summary["offline_rtf"] = round(offline_compute / audio, 6) if audio else None
        if summary["wer"] is not None and summary["offline_wer"] is not None:
            summary["wer_difference"] = round(summary["wer"] - summary["offline_wer"], 6)
    return summary


def _decoder_label(decoder: dict) -> str:
    if decoder["kind"] == "greedy":
        return "greedy"
    lm = "no LM"
    if decoder["lm"]:
        name = Path(decoder["lm"]).name
        lm = f"{name} (weight {decoder['lm_weight']:g}, bonus {decoder['word_bonus']:g}"
        penalty = decoder["blank_penalty"]
        lm += f", blank penalty {penalty:g})" if penalty else ")"
    if decoder["closed_vocabulary"]:
        vocabulary = ", closed vocabulary (LM words)"
    elif decoder.get("lexicon"):
        vocabulary = f", lexicon of {decoder['lexicon_words']:,} words"
    else:
        vocabulary = ", open vocabulary"
    return f"beam {decoder['beam']} + {lm}{vocabulary}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _print_report(out: Console, summary: dict, utterances: list[Utterance], worst: int) -> None:
    out.print(
        f"{summary['utts']} utterances, {format_clock(summary['audio_seconds'])} of audio, "
        f"mode {summary['mode']}, {summary['device']}, {_decoder_label(summary['decoder'])}"
    )
    out.print(
        f"WER {_percent(summary['wer'])} ({summary['substitutions']} substitutions, "
        f"{summary['deletions']} deletions, {summary['insertions']} insertions in "
        f"{summary['reference_words']} words), CER {_percent(summary['cer'])}"
    )
    rtf = summary["rtf"]
    out.print(f"RTF {rtf:.4f} (model + features)" if rtf is not None else "RTF n/a")
    if "first_partial_latency_mean" in summary and summary["first_partial_latency_count"]:
        out.print(
            "latency on the audio clock: first partial after speech onset mean "
            f"{summary['first_partial_latency_mean']:.3f} s, p95 "
            f"{summary['first_partial_latency_p95']:.3f} s; final after speech end mean "
            f"{summary['final_latency_mean'] or 0:.3f} s, "
            f"p95 {summary['final_latency_p95'] or 0:.3f} s"
        )
    if "offline_wer" in summary:
        out.print(
            f"offline WER {_percent(summary['offline_wer'])}, CER "
            f"{_percent(summary['offline_cer'])}; streaming − offline WER "
            f"{summary.get('wer_difference', 0):+.2%}"
        )
    if summary["failures"]:
        out.print(f"{summary['failures']} utterances failed (not scored)")
    ranked = sorted(
        (u for u in utterances if not u.error and u.words.errors),
        key=lambda u: (-u.words.errors, -(u.words.rate if u.words.reference_length else 1e9)),
    )
    if ranked and worst > 0:
        out.print(f"worst {min(worst, len(ranked))} utterances:")
    for utt in ranked[:worst]:
        ref, hyp, marks = _alignment(utt.reference, utt.hypothesis or "")
        out.print(escape(f"  {utt.path} ({utt.words.errors} errors)"))
        out.print(escape(f"    REF: {ref}"))
        out.print(escape(f"    HYP: {hyp}"))
        if marks.strip():
            out.print(escape(f"         {marks}"))


def _write_report(path: Path, summary: dict, utterances: list[Utterance]) -> None:
    from asr.fileio import atomic_write_text

    rows = [u.to_dict() for u in utterances]
    if path.suffix.lower() == ".json":
        text = json.dumps({"summary": summary, "utterances": rows}, indent=2) + "\n"
    else:
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    atomic_write_text(path, text)


def _plot(path: Path, utterances: list[Utterance], plt) -> None:
    from asr.fileio import atomic_write

    scored = [u for u in utterances if not u.error]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7))
    rates = [u.words.rate if u.words.reference_length else 0.0 for u in scored]
    top.bar(range(len(rates)), rates)
    top.set_title("WER per utterance")
    top.set_xlabel("utterance")
    top.set_ylabel("WER")
    latencies = [u.latency.get("final_latency") for u in scored]
    bottom.hist([x for x in latencies if x is not None], bins=30)
    bottom.set_title("final latency after speech end (s, audio clock)")
    figure.tight_layout()
    atomic_write(path, lambda tmp: figure.savefig(tmp, format="png"))
    plt.close(figure)


def run(args: argparse.Namespace) -> int:
    from asr.manifest import ManifestError, read_manifest

    plt = _require_matplotlib() if args.plot else None
    try:
        entries, skipped = read_manifest(args.manifest, require_text=False, check_files=False)
    except ManifestError as error:
        raise CommandError(str(error)) from error
    for skip in skipped:
        report_failure(f"skipped {skip}")
    if not entries:
        raise CommandError(f"{args.manifest}: no utterances to evaluate")
    recognizer = load_recognizer(args)
    utterances = [Utterance(entry.audio_path, entry.text) for entry in entries]
    compute = offline_compute = 0.0
    started = time.perf_counter()
    with progress_bar() as progress:
        task = progress.add_task("evaluate", total=len(utterances))
        for utt in utterances:
            try:
                if args.mode in ("streaming", "both"):
                    utt.hypothesis, seconds = _streaming(recognizer, utt)
                    compute += seconds
                if args.mode in ("offline", "both"):
                    text, seconds = _offline(recognizer, utt)
                    offline_compute += seconds
                    if args.mode == "offline":
                        utt.hypothesis = text
                    else:
                        utt.offline_hypothesis = text
            except Exception as error:  # a bad clip is reported; the rest are scored
                utt.error = describe_error(utt.path, error)
                report_failure(utt.error)
            progress.advance(task)
    wall = time.perf_counter() - started
    _score(utterances, offline_only=args.mode == "offline")
    summary = _summary(args, utterances, compute, offline_compute, wall, recognizer)
    stdout = sys.stdout
    human = console if args.json else Console(file=stdout, highlight=False, soft_wrap=True)
    _print_report(human, summary, utterances, args.worst)
    if args.report:
        _write_report(args.report, summary, utterances)
    if plt is not None:
        _plot(args.plot, utterances, plt)
    if args.json:
        stdout.write(json.dumps(summary) + "\n")
        stdout.flush()
    return 1 if summary["failures"] or skipped else 0
