"""`asr prepare picovoice`: crowd-sourced wake words and spoken coffee orders (Picovoice).

    asr prepare picovoice --out DIR [--source FOLDER]

Reads FOLDER/wake_word.jsonl (six keywords; the text is the keyword) and
FOLDER/speech_to_intent.teacher.jsonl (coffee orders with a Whisper tiny.en transcript), keeps
the orders whose transcript contains every slot value of the clip's intent
(`slots_in_teacher_text`) and writes DIR/train.jsonl (audio paths absolute, audio not copied)
and the data card DIR/README.md. The corpus gives no speaker ids, so no dev split by speaker
is possible: every clip is train. Deterministic: a rerun writes the same files.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

DEFAULT_SOURCE = Path("/work/shared/data/picovoice")
WAKE_WORDS = "wake_word.jsonl"
INTENTS = "speech_to_intent.teacher.jsonl"
LICENCE = (
    "Apache-2.0 (the LICENSE files of Picovoice/wake-word-benchmark and "
    "Picovoice/speech-to-intent-benchmark), copyright Picovoice Inc."
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    from asr.prepare.corpus_source import add_source_parser

    add_source_parser(
        sub,
        "picovoice",
        "Picovoice wake words and slot-checked coffee orders (real voices, train only)",
        __doc__,
        DEFAULT_SOURCE,
        f"picovoice folder with {WAKE_WORDS} and {INTENTS}",
        _run,
    )


def _run(args: argparse.Namespace) -> int:
    from asr.progress import console

    summary = prepare_picovoice(args.source, args.out, log=console.print)
    for part in ("wake_word", "intent"):
        info = summary[part]
        console.print(f"{part}: {info['clips']} clips, {info['hours']:.2f} h")
    console.print(f"train: {summary['train']['clips']} clips, {summary['train']['hours']:.2f} h")
    return 0


def prepare_picovoice(source: Path, out: Path, log=print) -> dict:
    """Write DIR/train.jsonl and DIR/README.md; the card's summary."""
    from asr.fileio import atomic_write_text
    from asr.manifest import write_manifest
    from asr.prepare.corpus_source import hours, read_source, relabel

    wake_words = []
    for row in read_source(source / WAKE_WORDS, log):
        if not isinstance(row.get("text"), str):
            log(f"{row['audio_filepath']}: no keyword 'text'; skipped")
            continue
        labelled = relabel(row, row["text"], log)
        if labelled:
            wake_words.append({**labelled, "label": "corpus-keyword"})
    intents, unchecked = [], 0
    for row in read_source(source / INTENTS, log):
        if row.get("slots_in_teacher_text") is not True or not isinstance(row.get("text"), str):
            unchecked += 1
            continue
        labelled = relabel(row, row["text"], log)
        if labelled:
            intents.append({**labelled, "label": "teacher-slot-checked"})
    rows = wake_words + intents
    if not rows:
        raise ValueError(f"{source}: no usable clips in {WAKE_WORDS} or {INTENTS}")
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out / "train.jsonl", rows)
    summary = {
        "source": str(source.absolute()),
        "train": {"clips": len(rows), "hours": hours(rows)},
        "wake_word": {
            "clips": len(wake_words),
            "hours": hours(wake_words),
            "keywords": dict(sorted(Counter(r["text"] for r in wake_words).items())),
        },
        "intent": {"clips": len(intents), "hours": hours(intents), "dropped": unchecked},
    }
    atomic_write_text(out / "README.md", render_card(summary))
    return summary


def render_card(summary: dict) -> str:
    wake, intent, train = summary["wake_word"], summary["intent"], summary["train"]
    keywords = ", ".join(f"{word} {count}" for word, count in wake["keywords"].items())
    return "\n".join(
        [
            "# Picovoice wake words and coffee orders (`asr prepare picovoice`)",
            "",
            f"Reproduce: `asr prepare picovoice --out DIR --source {summary['source']}` "
            "(deterministic; a rerun writes the same files).",
            "",
            "## Contents",
            "",
            f"- {train['hours']:.2f} h in {train['clips']} clips of real crowd-sourced voices "
            "(more than 50 speakers per part by the sources' READMEs; no speaker ids are "
            "given), 16 kHz, stored as Ogg Opus 32 kbit/s in the source folder.",
            f"- Wake words: {wake['clips']} clips, {wake['hours']:.2f} h; label kind: corpus "
            f"keyword (`label` = `corpus-keyword`): {keywords}. Six words only: mix them in "
            "with a small share.",
            f"- Coffee orders: {intent['clips']} clips, {intent['hours']:.2f} h; label kind: "
            "teacher transcript (Whisper tiny.en) kept only where every slot value of the "
            "clip's intent appears in it (`label` = `teacher-slot-checked`); "
            f"{intent['dropped']} orders without such a label are left out. A label that "
            "passes the slot check can still be wrong outside the slots.",
            "- Text through `asr.tokens.normalize_text` (lower case, numbers spelled out).",
            "",
            "**Train only.** With no speaker ids, no dev split by speaker is possible, so every "
            "clip is in `train.jsonl` and there is no `dev.jsonl`; score on other dev sets.",
            "",
            "Manifest: `train.jsonl` (NeMo JSONL: absolute `audio_filepath` into the source "
            "folder, `duration`, `text`, `source`, `label`; coffee orders keep `intent`, "
            "`slots` and the teacher fields).",
            "",
            "## Licence",
            "",
            LICENCE,
            "",
        ]
    )
