"""Transcript writers: txt, json, jsonl, srt, vtt (each a pure function returning text).

Subtitles come from the endpointed segments, split at word boundaries into cues of at most
`MAX_CUE_SECONDS` and two lines of `MAX_LINE_CHARS`; cue times come from the word times, never
overlap and always move forward, so the files are valid for video players.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asr.commands.common import FileResult

FORMATS = ("txt", "json", "jsonl", "srt", "vtt")
MAX_LINE_CHARS = 42
MAX_CUE_SECONDS = 7.0
MIN_CUE_SECONDS = 0.3


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _segment_dict(segment) -> dict:
    return {
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "words": [
            {"word": w.word, "start": w.start, "end": w.end, "conf": w.conf} for w in segment.words
        ],
    }


def transcript_dict(result: FileResult) -> dict:
    return {
        "audio_filepath": str(result.path),
        "duration": round(result.duration, 3),
        "text": result.text,
        "segments": [_segment_dict(s) for s in result.segments if s.text],
        "warnings": result.warnings,  # e.g. a truncated file: the text covers what is there
    }


def to_txt(result: FileResult) -> str:
    """One line per endpointed segment."""
    return "".join(f"{s.text}\n" for s in result.segments if s.text)


def to_json(result: FileResult) -> str:
    return json.dumps(transcript_dict(result), ensure_ascii=False, indent=2) + "\n"


def to_jsonl(result: FileResult) -> str:
    """One object per segment (with the audio path), so long recordings stay line-oriented."""
    lines = []
    for segment in result.segments:
        if segment.text:
            row = {"audio_filepath": str(result.path), **_segment_dict(segment)}
            lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(lines)


def cues(result: FileResult) -> list[Cue]:
    """Subtitle cues: segments split at word boundaries, ordered and non-overlapping."""
    raw: list[Cue] = []
    limit = 2 * MAX_LINE_CHARS
    for segment in result.segments:
        if not segment.text:
            continue
        if not segment.words:
            raw.append(Cue(segment.start, segment.end, segment.text))
            continue
        group = []
        for word in segment.words:
            if group and (
                len(" ".join(w.word for w in group + [word])) > limit
                or word.end - group[0].start > MAX_CUE_SECONDS
            ):
                raw.append(Cue(group[0].start, group[-1].end, " ".join(w.word for w in group)))
                group = []
            group.append(word)
        raw.append(Cue(group[0].start, group[-1].end, " ".join(w.word for w in group)))
    out: list[Cue] = []
    for index, cue in enumerate(raw):
        start = max(cue.start, out[-1].end if out else 0.0)
        end = max(cue.end, start + MIN_CUE_SECONDS)
        if index + 1 < len(raw) and raw[index + 1].start > max(cue.end, start):
            end = min(end, raw[index + 1].start)  # linger for readability, not into the next
        end = max(end, start + 0.001)
        out.append(Cue(round(start, 3), round(end, 3), cue.text))
    return out


def _timestamp(seconds: float, separator: str) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, MAX_LINE_CHARS, break_long_words=False)) or text


def to_srt(result: FileResult) -> str:
    blocks = []
    for number, cue in enumerate(cues(result), start=1):
        blocks.append(
            f"{number}\n{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}\n"
            f"{_wrap(cue.text)}\n"
        )
    return "\n".join(blocks)


def to_vtt(result: FileResult) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues(result):
        blocks.append(
            f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}\n{_wrap(cue.text)}\n"
        )
    return "\n".join(blocks)


WRITERS: dict[str, Callable[[FileResult], str]] = {
    "txt": to_txt,
    "json": to_json,
    "jsonl": to_jsonl,
    "srt": to_srt,
    "vtt": to_vtt,
}


def render(format_name: str, result: FileResult) -> str:
    return WRITERS[format_name](result)


def format_for_path(path) -> str:
    """The format implied by an output file's suffix (txt when unknown)."""
    suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
    return suffix if suffix in WRITERS else "txt"
