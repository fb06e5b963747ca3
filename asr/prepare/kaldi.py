"""`asr prepare kaldi DIR`: NeMo manifests of Kaldi data directories.

DIR is one data dir (`wav.scp`, `text`, optional `utt2spk` and `segments`) or a folder of them
(`data/train`, `data/dev`, ...): one manifest per data dir, named after it. `wav.scp` must hold
plain paths (relative ones are taken from the current folder, as Kaldi does); piped commands
(`sox ... |`) are reported and skipped: convert those recordings to files first. Tokens in
brackets (`<unk>`, `[noise]`, `{breath}`) are markup, not words, and are dropped from the text.
With `segments`, each segment is cut once into OUT/audio/<data dir>/<utt>.flac (mono, the
recording's rate); a rerun keeps the cut files.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.corpus import Recipe, Utterance, add_recipe_parser, read_listing

_MARKUP = re.compile(r"^[\[<{].*[\]>}]$")


class SegmentError(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def read_table(path: Path) -> dict[str, str]:
    """A Kaldi table: `key rest-of-line` per line."""
    table = {}
    for line in read_listing(path).splitlines():
        key, _, value = line.strip().partition(" ")
        if key:
            table[key] = value.strip()
    return table


def _data_dirs(root: Path) -> list[Path]:
    if (root / "wav.scp").is_file():
        return [root]
    found = sorted(d for d in root.iterdir() if (d / "wav.scp").is_file())
    if not found:
        raise ValueError(f"{root}: no wav.scp here or in a sub-folder (a Kaldi data dir)")
    return found


def drop_markup(text: str) -> str:
    return " ".join(word for word in text.split() if not _MARKUP.match(word))


def cut_segment(source: Path, start: float, end: float, target: Path) -> None:
    """Write seconds [start, end) of `source` (end < 0: to its end) as a mono FLAC."""
    import soundfile as sf

    from asr.fileio import atomic_write

    if target.is_file():
        return
    try:
        with sf.SoundFile(str(source)) as handle:
            rate = handle.samplerate
            first = int(round(start * rate))
            stop = handle.frames if end < 0 else min(handle.frames, int(round(end * rate)))
            if stop <= first:
                raise SegmentError("empty audio", f"segment {start}-{end} s outside the recording")
            handle.seek(first)
            samples = handle.read(stop - first, dtype="float32", always_2d=True).mean(axis=1)
    except SegmentError:
        raise
    except Exception as error:
        message = getattr(error, "error_string", None) or str(error)
        raise SegmentError("unreadable audio", f"{source}: {message}") from error
    atomic_write(target, lambda tmp: sf.write(str(tmp), samples, rate, format="FLAC"))


def _segment_audio(
    data_dir: Path, out: Path, utt: str, segment: str, recordings: dict[str, str]
) -> tuple[Path, tuple[str, str] | None]:
    parts = segment.split()
    try:
        recording, start, end = parts[0], float(parts[1]), float(parts[2])
    except (IndexError, ValueError):
        return data_dir / "segments", ("bad segment", f"{utt}: {segment!r}")
    location = recordings.get(recording)
    if location is None:
        return data_dir / "wav.scp", ("no audio", f"recording {recording} not in wav.scp")
    if location.endswith("|"):
        return data_dir / "wav.scp", ("piped wav.scp entry", f"{recording}: {location[:60]}")
    target = out / "audio" / data_dir.name / f"{utt}.flac"
    try:
        cut_segment(Path(location).absolute(), start, end, target)
    except SegmentError as error:
        return Path(location), (error.reason, error.detail)
    return target, None


def list_utterances(root: Path, out: Path) -> Iterator[Utterance]:
    for data_dir in _data_dirs(root):
        if not (data_dir / "text").is_file():
            raise ValueError(f"{data_dir}: no 'text' file")
        recordings = read_table(data_dir / "wav.scp")
        texts = read_table(data_dir / "text")
        speakers = read_table(data_dir / "utt2spk") if (data_dir / "utt2spk").is_file() else {}
        segments = read_table(data_dir / "segments") if (data_dir / "segments").is_file() else None
        for utt, text in texts.items():
            extra = {"speaker": speakers[utt]} if utt in speakers else {}
            problem = None
            if segments is not None:
                if utt not in segments:
                    audio, problem = data_dir / "segments", ("no audio", "not in segments")
                else:
                    audio, problem = _segment_audio(data_dir, out, utt, segments[utt], recordings)
            elif utt not in recordings:
                audio, problem = data_dir / "wav.scp", ("no audio", "not in wav.scp")
            elif recordings[utt].endswith("|"):
                audio = data_dir / "wav.scp"
                problem = ("piped wav.scp entry", recordings[utt][:60])
            else:
                audio = Path(recordings[utt]).absolute()
            yield Utterance(data_dir.name, utt, audio, drop_markup(text), extra, problem)


RECIPE = Recipe(
    name="kaldi",
    title="Kaldi data dir",
    licence="that of the source corpus",
    notes="One manifest per Kaldi data dir; `speaker` from utt2spk; bracketed markup tokens "
    "dropped; segments cut to FLAC under audio/.",
    list_utterances=list_utterances,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_recipe_parser(sub, RECIPE, "manifests of Kaldi data dirs (wav.scp, text, ...)", __doc__)
