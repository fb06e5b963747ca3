"""`asr prepare speechocean`: read English by 250 Mandarin-L1 speakers (speechocean762).

    asr prepare speechocean --out DIR [--source FOLDER]

Reads the corpus's own halves FOLDER/train.jsonl and FOLDER/test.jsonl (NeMo lines with
`speaker`, `age`, `gender`; text upper case), lower-cases the text through the project's
normaliser and writes DIR/train.jsonl, DIR/dev.jsonl (audio paths absolute, audio not copied)
and the data card DIR/README.md. Dev is a fixed set of 20 speakers taken from both halves
(`dev_speakers`); everything else is train. Deterministic: a rerun writes the same files.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

DEFAULT_SOURCE = Path("/work/shared/data/speechocean762")
HALVES = ("train", "test")
# Dev speakers: every twelfth speaker id from the sixth, the first 20 of them (the rule the
# default model's checkpoint selection uses: 20 speakers, 400 clips, 0.40 h).
DEV_START, DEV_STEP, DEV_COUNT = 5, 12, 20
CHILD_AGE = 13  # "children": speakers under 13, as the corpus README counts them
LICENCE = (
    "CC BY 4.0 (OpenSLR SLR101); free for commercial and non-commercial use. Credit: "
    'speechocean762, Junbo Zhang et al., "speechocean762: An Open-Source Non-native English '
    'Speech Corpus For Pronunciation Assessment", Interspeech 2021.'
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    from asr.prepare.corpus_source import add_source_parser

    add_source_parser(
        sub,
        "speechocean",
        "speechocean762: read English by 250 non-native speakers, half of them children",
        __doc__,
        DEFAULT_SOURCE,
        "speechocean762 folder with train.jsonl, test.jsonl",
        _run,
    )


def _run(args: argparse.Namespace) -> int:
    from asr.progress import console

    summary = prepare_speechocean(args.source, args.out, log=console.print)
    for split in ("train", "dev"):
        part = summary[split]
        console.print(
            f"{split}: {part['clips']} clips, {part['hours']:.2f} h, {part['speakers']} speakers"
        )
    return 0


def dev_speakers(speakers: Iterable[str]) -> set[str]:
    """The dev speakers among all speaker ids of the corpus (both halves)."""
    ordered = sorted(set(speakers))
    return set(ordered[DEV_START::DEV_STEP][:DEV_COUNT])


def prepare_speechocean(source: Path, out: Path, log=print) -> dict:
    """Write DIR/train.jsonl, DIR/dev.jsonl and DIR/README.md; the card's summary."""
    from asr.fileio import atomic_write_text
    from asr.manifest import write_manifest
    from asr.prepare.corpus_source import read_source, relabel

    rows = []
    for half in HALVES:
        for row in read_source(source / f"{half}.jsonl", log):
            if not isinstance(row.get("text"), str) or not isinstance(row.get("speaker"), str):
                log(f"{row['audio_filepath']}: no 'text' or 'speaker' string; skipped")
                continue
            labelled = relabel(row, row["text"], log)
            if labelled:
                rows.append({**labelled, "half": half})
    if not rows:
        raise ValueError(f"{source}: no usable clips in {' or '.join(HALVES)}.jsonl")
    dev = dev_speakers(row["speaker"] for row in rows)
    splits: dict[str, list[dict]] = {"train": [], "dev": []}
    for row in rows:
        splits["dev" if row["speaker"] in dev else "train"].append(row)
    out.mkdir(parents=True, exist_ok=True)
    for split, items in splits.items():
        write_manifest(out / f"{split}.jsonl", [_manifest_row(r) for r in items])
    summary = {split: _describe(items) for split, items in splits.items()}
    summary["all"] = _describe(rows)
    summary["source"] = str(source.absolute())
    summary["dev_speakers"] = sorted(dev)
    atomic_write_text(out / "README.md", render_card(summary))
    return summary


def _manifest_row(row: dict) -> dict:
    """The source row minus the bookkeeping key `half` (corpus half kept as `corpus_split`)."""
    kept = {k: v for k, v in row.items() if k != "half"}
    kept["corpus_split"] = row["half"]
    kept["label"] = "corpus-transcript"
    return kept


def _describe(rows: list[dict]) -> dict:
    from asr.prepare.corpus_source import hours

    speakers = {row["speaker"]: row for row in rows}
    children = [r for r in rows if _is_child(r)]
    return {
        "clips": len(rows),
        "hours": hours(rows),
        "speakers": len(speakers),
        "child_speakers": sum(_is_child(r) for r in speakers.values()),
        "child_clip_share": len(children) / max(1, len(rows)),
        "child_hour_share": hours(children) / max(1e-9, hours(rows)),
        "female_speakers": sum(r.get("gender") == "f" for r in speakers.values()),
        "male_speakers": sum(r.get("gender") == "m" for r in speakers.values()),
        "ages": sorted({r["age"] for r in rows if isinstance(r.get("age"), int)}),
    }


def _is_child(row: dict) -> bool:
    return isinstance(row.get("age"), int) and row["age"] < CHILD_AGE


def render_card(summary: dict) -> str:
    every = summary["all"]
    ages = every["ages"]
    age_range = f"{ages[0]} to {ages[-1]}" if ages else "not given"
    lines = [
        "# speechocean762: read English by non-native speakers (`asr prepare speechocean`)",
        "",
        f"Reproduce: `asr prepare speechocean --out DIR --source {summary['source']}` "
        "(deterministic; a rerun writes the same files).",
        "",
        "## Contents",
        "",
        f"- {every['hours']:.2f} h in {every['clips']} clips by {every['speakers']} speakers "
        f"({every['female_speakers']} female, {every['male_speakers']} male; ages {age_range}).",
        f"- Children (under {CHILD_AGE}): {every['child_speakers']} speakers, "
        f"{every['child_clip_share']:.0%} of the clips, {every['child_hour_share']:.0%} of the "
        "hours.",
        "- Speech: Mandarin-L1 learners reading short English sentences, words and digit "
        "strings; 16 kHz, stored as Ogg Opus 32 kbit/s in the source folder.",
        "- Label kind: corpus transcript (the corpus's own text, upper case there), lower-cased "
        "and spelled out by `asr.tokens.normalize_text`; `label` = `corpus-transcript`.",
        "",
        "| split | clips | hours | speakers | children | child share of clips |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for split in ("train", "dev"):
        part = summary[split]
        lines.append(
            f"| {split} | {part['clips']} | {part['hours']:.2f} | {part['speakers']} | "
            f"{part['child_speakers']} | {part['child_clip_share']:.0%} |"
        )
    lines += [
        "",
        "Split by speaker, over both halves of the corpus (its own train/test split is kept "
        "as `corpus_split`): `spk = sorted(all speaker ids); dev = spk[5::12][:20]`. Dev "
        "speakers never occur in train. This is the dev set the default model's checkpoints "
        "are selected on; never train on it.",
        "",
        f"Dev speakers: {', '.join(s.split(':')[-1] for s in summary['dev_speakers'])}.",
        "",
        "Manifests: `train.jsonl`, `dev.jsonl` (NeMo JSONL: absolute `audio_filepath` into the "
        "source folder, `duration`, `text`, plus `speaker`, `source`, `age`, `gender`, "
        "`corpus_split`, `label`).",
        "",
        "## Licence",
        "",
        LICENCE,
        "Source: OpenSLR resource 101, from the public repository jimbozhang/speechocean762; the "
        "corpus's pronunciation scores are not used.",
        "",
    ]
    return "\n".join(lines)
