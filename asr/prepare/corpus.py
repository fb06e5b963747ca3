"""What the corpus recipes share (`asr prepare librispeech|commonvoice|ljspeech|kaldi|folder`).

A recipe lists its corpus as `Utterance`s: split, id, audio file, the transcript as the corpus
writes it, extra manifest keys (speaker, votes). `prepare_corpus` then checks every transcript
(`transcripts.py`: the project's one normaliser and vocabulary), reads every duration from the
file header (`headers.py`), and writes one NeMo manifest per split of the corpus
(`OUT/<split>.jsonl`, atomically, audio left where it is) and a data card `OUT/README.md`.

Unusable utterances are skipped with one line each (file, reason) and counted in the summary;
nothing stops the run. Header reads are remembered in `OUT/.headers.jsonl`, so a rerun (after an
interruption, or when the corpus grew) reads only new or changed files, and rebuilds the
manifests from the corpus's current transcripts.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from asr.prepare.headers import AudioProblem, HeaderLog
from asr.prepare.transcripts import check_transcript

HEADER_LOG = ".headers.jsonl"


@dataclass(frozen=True)
class Utterance:
    split: str
    utt_id: str
    audio: Path
    text: str  # as the corpus writes it; normalised here
    extra: dict = field(default_factory=dict)  # more manifest keys: speaker, up_votes, ...
    problem: tuple[str, str] | None = None  # (reason, detail) found while listing the corpus


@dataclass(frozen=True)
class Recipe:
    name: str  # the sub-command
    title: str
    licence: str
    notes: str  # how the recipe reads the corpus, for the data card
    list_utterances: Callable[[Path, Path], Iterable[Utterance]]  # (corpus dir, out dir)


@dataclass
class SplitSummary:
    rows: list[dict] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def hours(self) -> float:
        return sum(r["duration"] for r in self.rows) / 3600

    @property
    def speakers(self) -> int:
        return len({r["speaker"] for r in self.rows if "speaker" in r})

    def line(self, name: str) -> str:
        line = f"{name}: {len(self.rows)} utterances, {self.hours:.2f} h"
        if self.speakers:
            line += f", {self.speakers} speakers"
        if self.skipped:
            parts = ", ".join(f"{reason} {n}" for reason, n in sorted(self.skipped.items()))
            line += f"; skipped {sum(self.skipped.values())} ({parts})"
        return line


def read_listing(path: Path) -> str:
    """A corpus's listing file (metadata, TSV, Kaldi table) as text, or a one-line error."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text (byte {error.start})") from error
    except OSError as error:
        raise ValueError(f"{path}: cannot read ({error.strerror})") from error


def add_recipe_parser(
    sub: argparse._SubParsersAction, recipe: Recipe, help: str, description: str | None
) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        recipe.name,
        help=help,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help=f"the {recipe.title} folder")
    parser.add_argument(
        "--out", type=Path, help="folder for the manifests and data card (default DIR/manifests)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(8, os.cpu_count() or 1),
        help="threads reading headers (default: CPUs, at most 8)",
    )
    parser.set_defaults(handler=lambda args: run_recipe(args, recipe))
    return parser


def run_recipe(args: argparse.Namespace, recipe: Recipe) -> int:
    from asr.progress import console

    if not args.dir.is_dir():
        raise ValueError(f"{args.dir}: not a folder")
    out = args.out or args.dir / "manifests"

    def log(line: str) -> None:  # file names and transcripts may hold "[...]": no rich markup
        console.print(line, markup=False)

    summary = prepare_corpus(recipe, args.dir, out, jobs=args.jobs, log=log)
    if not any(s.rows for s in summary.values()):
        console.print(f"[red]error:[/] {args.dir}: no usable utterances")
        return 1
    console.print(f"manifests and data card in {out}")
    return 0


def _audio_filepath(audio: Path, out: Path) -> str:
    """Relative to the manifest folder when the audio lies below it, else absolute."""
    try:
        return audio.relative_to(out).as_posix()
    except ValueError:
        return str(audio)


def prepare_corpus(
    recipe: Recipe,
    root: Path,
    out: Path,
    jobs: int = 4,
    log: Callable[[str], None] = print,
) -> dict[str, SplitSummary]:
    """Write OUT/<split>.jsonl for every split of the corpus in `root`, and OUT/README.md."""
    from asr.manifest import write_manifest
    from asr.progress import progress_bar

    root, out = root.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    splits: dict[str, SplitSummary] = defaultdict(SplitSummary)

    def skip(utt: Utterance, reason: str, detail: str) -> None:
        named = utt.audio.stem == Path(utt.utt_id).name  # else the id says which utterance
        name = str(utt.audio) if named else f"{utt.audio} ({utt.utt_id})"
        log(f"skip {name}: {reason}: {detail}")
        splits[utt.split].skipped[reason] += 1

    checked: list[tuple[Utterance, str]] = []
    seen: set[tuple[str, str]] = set()
    for utt in recipe.list_utterances(root, out):
        splits[utt.split]  # a split whose every utterance is skipped still gets its manifest
        if utt.problem:
            skip(utt, *utt.problem)
            continue
        if (utt.split, utt.utt_id) in seen:
            skip(utt, "duplicate id", f"{utt.utt_id} is listed twice in {utt.split}")
            continue
        seen.add((utt.split, utt.utt_id))
        text, reason, detail = check_transcript(utt.text)
        if reason:
            skip(utt, reason, detail)
            continue
        checked.append((utt, text))
    if not splits:
        raise ValueError(f"{root}: no {recipe.title} utterances found")

    headers = HeaderLog(out / HEADER_LOG)
    with progress_bar() as bar:
        task = bar.add_task("headers", total=len(checked))
        results = headers.headers(
            [u.audio for u, _ in checked], jobs, on_progress=lambda: bar.advance(task)
        )
        for (utt, text), header in zip(checked, results):
            if isinstance(header, AudioProblem):
                skip(utt, header.reason, header.detail)
                continue
            splits[utt.split].rows.append(
                {
                    "audio_filepath": _audio_filepath(utt.audio, out),
                    "duration": round(header.duration, 3),
                    "text": text,
                    "id": utt.utt_id,
                    **utt.extra,
                }
            )
    for name, split in sorted(splits.items()):
        write_manifest(out / f"{name}.jsonl", split.rows)
        log(split.line(name))
    log(f"headers: {headers.read} read, {headers.reused} known from an earlier run")
    from asr.fileio import atomic_write_text

    atomic_write_text(out / "README.md", data_card(recipe, root, splits))
    return dict(splits)


def data_card(recipe: Recipe, root: Path, splits: dict[str, SplitSummary]) -> str:
    lines = [
        f"# {recipe.title} manifests (`asr prepare {recipe.name}`)",
        "",
        f"Source: `{root}`. Licence: {recipe.licence}.",
        "",
        recipe.notes,
        "",
        "Transcripts are normalised by `asr.tokens.normalize_text` (the one normaliser of "
        "training and scoring); transcripts with letters it cannot spell are skipped. "
        "Durations come from the file headers. The audio stays where it is.",
        "",
        "| split | utterances | hours | speakers | skipped |",
        "|---|---|---|---|---|",
    ]
    for name, split in sorted(splits.items()):
        skipped = ", ".join(f"{r} {n}" for r, n in sorted(split.skipped.items())) or "0"
        lines.append(
            f"| {name} | {len(split.rows)} | {split.hours:.2f} | {split.speakers or '-'} "
            f"| {skipped} |"
        )
    return "\n".join(lines) + "\n"
