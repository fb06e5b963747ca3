"""`asr transcribe PATH...`: files, folders, globs or manifests → transcripts.

Every file streams through one `Stream` in bounded memory (`Recognizer.transcribe_file`), comes out
as endpointed segments with start/end times, and is written atomically in the chosen formats.
A bad file is reported (path + reason) and the batch continues; the exit status is 1 when any
input failed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.markup import escape

from asr.commands.common import (
    CommandError,
    FileResult,
    add_model_arguments,
    describe_error,
    load_recognizer,
    report_failure,
    report_warning,
    stream_file,
    summary_line,
)
from asr.commands.formats import FORMATS, render, to_json, transcript_dict
from asr.progress import console, progress_bar


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "transcribe",
        help="transcribe audio files, folders, globs or manifests",
        description="Transcribe audio of any format and rate the audio layer reads (stereo is "
        "mixed down). PATH may be a file, a folder (searched recursively), a glob or a JSONL "
        "manifest. Long recordings are streamed in bounded memory and come out as endpointed "
        "segments with times. Without --output-dir the transcript goes to stdout.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="audio, folder, glob or manifest")
    add_model_arguments(parser)
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "all"),
        default="txt",
        help="output format (default txt; 'all' needs --output-dir)",
    )
    parser.add_argument(
        "--output-dir", type=Path, help="write NAME.FORMAT files here (folder layout kept)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="files decoded in parallel (1)")
    parser.set_defaults(handler=run)


class _Cancelled(Exception):
    pass


def _durations(files) -> list[float]:
    """Durations from the file headers (0 when unknown), for the progress bar only."""
    import soundfile as sf

    out = []
    for item in files:
        try:
            info = sf.info(str(item.path))
            out.append(float(info.frames) / float(info.samplerate))
        except Exception:
            out.append(0.0)
    return out


def _check_arguments(args: argparse.Namespace, count: int) -> list[str]:
    if args.jobs < 1:
        raise CommandError("--jobs must be at least 1")
    formats = list(FORMATS) if args.format == "all" else [args.format]
    if args.output_dir is None:
        if args.format == "all":
            raise CommandError("--format all writes several files: pass --output-dir")
        if args.format in ("srt", "vtt") and count > 1:
            raise CommandError(f"--format {args.format} with several inputs: pass --output-dir")
    elif args.output_dir.exists() and not args.output_dir.is_dir():
        raise CommandError(f"{args.output_dir}: --output-dir is not a folder")
    return formats


def _stdout_text(result: FileResult, format_name: str, many: bool) -> str:
    if format_name == "txt":  # one line per endpointed segment; a file without text: one line
        prefix = f"{result.path}\t" if many else ""
        lines = [segment.text for segment in result.segments if segment.text] or [""]
        return "".join(f"{prefix}{line}\n" for line in lines)
    if format_name == "json":
        if many:  # one compact object per line: a manifest with the hypotheses as text
            import json

            return json.dumps(transcript_dict(result), ensure_ascii=False) + "\n"
        return to_json(result)
    return render(format_name, result)


def run(args: argparse.Namespace) -> int:
    from asr.commands.inputs import expand_inputs
    from asr.fileio import atomic_write_text

    files, problems = expand_inputs(args.paths)
    for problem in problems:
        report_failure(problem)
    if not files:
        raise CommandError("no audio files to transcribe")
    formats = _check_arguments(args, len(files))
    recognizer = load_recognizer(args)
    stdout = sys.stdout  # the real one: a live progress bar redirects sys.stdout to stderr
    durations = _durations(files)
    sample_rate = recognizer.model.info.feature_config.sample_rate
    cancel = threading.Event()
    started = time.perf_counter()
    failures = len(problems)
    audio_seconds = compute_seconds = 0.0
    written = warned = 0

    with progress_bar() as progress:
        files_task = progress.add_task("files", total=len(files))
        audio_task = progress.add_task("audio s", total=sum(durations) or None)

        def on_block(block) -> None:
            if cancel.is_set():
                raise _Cancelled
            progress.advance(audio_task, len(block.samples) / sample_rate)

        def work(index: int) -> FileResult:
            path = files[index].path
            try:
                return stream_file(recognizer, path, on_block=on_block)
            except _Cancelled:
                raise
            except Exception as error:  # a bad file is reported and the batch goes on
                return FileResult(path, error=describe_error(path, error))
            finally:
                progress.advance(files_task)

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(work, index) for index in range(len(files))]
            try:
                for item, future in zip(files, futures):
                    result = future.result()
                    if result.error:
                        failures += 1
                        report_failure(result.error)
                        continue
                    for warning in result.warnings:
                        report_warning(warning)
                    warned += bool(result.warnings)
                    audio_seconds += result.duration
                    compute_seconds += result.compute_seconds
                    if args.output_dir is None:
                        text = _stdout_text(result, formats[0], len(files) > 1)
                        (sys.stdout if stdout.isatty() else stdout).write(text)
                        stdout.flush()
                        continue
                    for format_name in formats:
                        target = args.output_dir / f"{item.name}.{format_name}"
                        atomic_write_text(target, render(format_name, result))
                        written += 1
            except BaseException:
                cancel.set()
                for future in futures:
                    future.cancel()
                raise

    wall = time.perf_counter() - started
    total = len(files) + len(problems)
    line = summary_line(total, failures, audio_seconds, wall, compute_seconds, warned)
    if args.output_dir is not None:
        line += f"; wrote {written} files to {args.output_dir}"
    console.print(escape(f"{line} on {recognizer.device}"))
    return 1 if failures else 0
