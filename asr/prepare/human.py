"""`asr prepare human`: real human English speech from Debian game talkies and voice packs.

Sources: the talkies and voice packs of DEV_SOURCES, and the small packages of SMALL_SOURCES
(tile calls, letters, callouts; a few minutes each, always in train).

Steps (each resumable; run them all, or some with `--steps`):

1. fetch     `apt-get download` the packages into OUT/debs and unpack them (`dpkg-deb -x`) into
             OUT/packages: no root needed, nothing installed system-wide, no game engine.
2. extract   our own readers (asr/prepare/readers/) pull every English speech clip out of the
             containers; each is decoded, resampled to 16 kHz mono and written as FLAC under
             OUT/audio/<source>/. Clips outside 0.3-20 s, silent clips and near-duplicates are
             dropped. One JSON line per clip (kept or dropped, with the reason) goes to
             OUT/clips.jsonl, so a rerun skips what is done.
3. label     the Whisper teachers (training-time extra, see asr/prepare/teacher.py) transcribe
             the clips source by source: `tiny` on all, then `base` on those the rules still
             need it for. Results are appended per clip to OUT/teacher_<name>.jsonl
             (resumable; `--label-hours` caps one run). Run it niced: it is the slow step
             (~0.45 s of CPU per clip per teacher thread for tiny, ~1.1 s for base).
4. manifest  the labelling rules (asr/prepare/labels.py) choose each clip's text; a train/dev
             split by speaker (dev voices never in train) is written as NeMo manifests
             OUT/train.jsonl and OUT/dev.jsonl, plus OUT/stats.json and the data card
             OUT/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from asr.fileio import atomic_write, atomic_write_text
from asr.progress import console, progress_bar

STEPS = ("fetch", "extract", "label", "manifest")
MIN_SECONDS, MAX_SECONDS = 0.3, 20.0
SAMPLE_RATE = 16000
# The sources the dev set is drawn from; the split of these stays as it was when only they
# existed. The small sources after them (a few minutes each: letters, tile calls, callouts) are
# always train: adding them never moves a dev voice.
DEV_SOURCES = ("asterisk", "drascula", "hedgewars", "ktuberling", "warzone", "queen", "sky")
SMALL_SOURCES = (
    "kajongg", "klettres", "qabcs", "boswars", "redeclipse", "tuxpaint", "openarena", "saytime",
    "megaglest", "codec2", "neverball", "pingus",
)  # fmt: skip
SOURCES = DEV_SOURCES + SMALL_SOURCES
PACKAGES = {
    "asterisk": ("asterisk-core-sounds-en-wav", "asterisk-core-sounds-en"),
    "drascula": ("drascula",),
    "hedgewars": ("hedgewars-data",),
    "ktuberling": ("ktuberling-data",),
    "warzone": ("warzone2100-data",),
    "queen": ("flight-of-the-amazon-queen",),
    "sky": ("beneath-a-steel-sky",),
    "kajongg": ("kajongg",),
    "klettres": ("klettres-data",),
    "qabcs": ("qabcs-data",),
    "boswars": ("boswars-data",),
    "redeclipse": ("redeclipse-data",),
    "tuxpaint": ("tuxpaint-stamps-default",),
    "openarena": ("openarena-data",),
    "saytime": ("saytime",),
    "megaglest": ("megaglest-data",),
    "codec2": ("codec2-examples",),
    "neverball": ("neverball-common",),
    "pingus": ("pingus-data",),
}
LICENCES = {
    "asterisk": "CC-BY-SA-3.0, (c) 2003-2010 Allison Smith (voice), Digium",
    "drascula": "Drascula-License (free redistribution), (c) 1996-2008 Alcachofa Soft S.L.",
    "hedgewars": "GFDL-1.3 (Data/Sounds), (c) 2004-2006 Andrey Korotaev / Hedgewars Project",
    "ktuberling": "GPL-2+, KDE",
    "warzone": "GPL-2+, (c) 1999-2004 Eidos Interactive, 2005-2013 Warzone 2100 Project",
    "queen": "FOTAQ licence (free redistribution), (c) Interactive Binary Illusions",
    "sky": "Beneath-a-Steel-Sky licence (free redistribution), (c) Revolution Software Ltd",
    "kajongg": "GPL-2+, (c) Wolfgang Rohdewald (voices)",
    "klettres": "GPL-2+, KDE (KLettres, Anne-Marie Mahfouf and others)",
    "qabcs": "GPL-3+, (c) 2019-2020 DanSoft (voice: Jordan Irwin)",
    "boswars": "GPL-2+, (c) 1998-2013 The Bos Wars and Stratagus Project",
    "redeclipse": "CC-BY-SA-3.0+, (c) 2009-2016 Red Eclipse Team",
    "tuxpaint": "GPL-2+, Tux Paint stamps, New Breed Software and contributors",
    "openarena": "GPL-2+, (c) 2005-2012 OpenArena Team (voice: RottKing)",
    "saytime": "GPL, (c) 2004 David C Dawson (voice); program (c) 1990 Jef Poskanzer",
    "megaglest": "CC-BY-SA-3.0, (c) 2001-2008 The Glest Team, 2008-2017 The MegaGlest Team",
    "codec2": "LGPL-2.1, (c) 2007-2019 David Rowe",
    "neverball": "GPL-2+, Neverball developers",
    "pingus": "GPL-2+, (c) 1999-2007 Ingo Ruhnke and others",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "human",
        help="real human speech from Debian game talkies and voice packs",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="corpus folder (outside the repo)")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma list of " + ",".join(STEPS))
    parser.add_argument("--sources", default=",".join(SOURCES), help="comma list of sources")
    parser.add_argument(
        "--packages-root",
        type=Path,
        help="folder where the packages are unpacked (default OUT/packages; '/' to use installed)",
    )
    parser.add_argument("--teachers", default="tiny,base", help="teachers to run (tiny,base)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per teacher")
    parser.add_argument("--label-hours", type=float, default=0.0, help="stop labelling after this")
    parser.add_argument(
        "--single-teacher",
        action="store_true",
        help="keep confident tiny-only labels for clips without text when base has not run",
    )
    parser.add_argument(
        "--keep-unverified",
        action="store_true",
        help="manifest: keep the package's own text on clips no teacher has checked yet",
    )
    parser.add_argument("--dev-fraction", type=float, default=0.08, help="share of audio in dev")
    parser.add_argument("--seed", type=int, default=13, help="seed of the speaker split")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        raise ValueError(f"--steps: unknown step(s) {', '.join(unknown)}")
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    bad = sorted(set(sources) - set(SOURCES))
    if bad:
        raise ValueError(f"--sources: unknown source(s) {', '.join(bad)}")
    root = args.packages_root or out / "packages"
    if "fetch" in steps:
        fetch_packages(out, root, sources)
    if "extract" in steps:
        extract(out, root, sources)
    if "label" in steps:
        teachers = [t.strip() for t in args.teachers.split(",") if t.strip()]
        label(out, teachers, args.threads, args.label_hours, args.single_teacher, sources)
    if "manifest" in steps:
        write_manifests(
            out, args.dev_fraction, args.seed, args.single_teacher, args.keep_unverified
        )
    return 0


# --- 1. fetch -------------------------------------------------------------------------------


def fetch_packages(out: Path, root: Path, sources: list[str]) -> None:
    debs = out / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    for source in sources:
        for package in PACKAGES[source]:
            marker = root / f".unpacked-{package}"
            if marker.exists():
                continue
            found = sorted(debs.glob(f"{package}_*.deb"))
            if not found:
                console.print(f"apt-get download {package}")
                subprocess.run(["apt-get", "download", package], cwd=debs, check=True)
                found = sorted(debs.glob(f"{package}_*.deb"))
            if not found:
                raise RuntimeError(f"{package}: apt-get download produced no .deb")
            subprocess.run(["dpkg-deb", "-x", str(found[-1]), str(root)], check=True)
            marker.write_text(found[-1].name + "\n")


# --- 2. extract -----------------------------------------------------------------------------


def _readers(root: Path, sources: list[str]) -> Iterator:
    from importlib import import_module

    for source in sources:
        module = import_module(f"asr.prepare.readers.{source}")
        yield from module.iter_clips(root)


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by an interrupted run
    return rows


def fingerprint(samples: np.ndarray) -> str:
    """Near-duplicate key: duration (50 ms steps) + coarse log-energy envelope (16 parts) of
    the clip from its first to its last sound, so that different short lines padded to one
    length (Bos Wars' announcements, 10 s each) keep apart and one line padded twice does not."""
    from asr.augment import trim_silence

    samples = trim_silence(samples.astype(np.float64), SAMPLE_RATE)
    parts = np.array_split(samples, 16)
    energy = [int(round(2 * np.log10(np.mean(p**2) + 1e-8))) if len(p) else -16 for p in parts]
    key = f"{round(len(samples) / SAMPLE_RATE * 20)}:{energy}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def prepare_clip(samples: np.ndarray, rate: int) -> tuple[np.ndarray | None, str]:
    """16 kHz float32 audio of a clip, or (None, reason) when it must be dropped."""
    import soxr

    samples = np.asarray(samples, dtype=np.float32)
    if samples.size == 0 or not np.all(np.isfinite(samples)):
        return None, "unreadable"
    if rate != SAMPLE_RATE:
        samples = soxr.resample(samples, rate, SAMPLE_RATE).astype(np.float32)
    duration = len(samples) / SAMPLE_RATE
    if duration < MIN_SECONDS:
        return None, "too-short"
    if duration > MAX_SECONDS:
        return None, "too-long"
    if float(np.max(np.abs(samples))) < 1e-3:
        return None, "silent"
    return np.clip(samples, -1.0, 1.0), ""


def write_flac(path: Path, samples: np.ndarray) -> None:
    import soundfile as sf

    atomic_write(
        path, lambda tmp: sf.write(str(tmp), samples, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    )


def extract(out: Path, root: Path, sources: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    index = out / "clips.jsonl"
    rows = read_jsonl(index)
    done = {(r["source"], r["clip_id"]) for r in rows}
    seen = {r["fingerprint"]: r["clip_id"] for r in rows if r.get("fingerprint") and not r["drop"]}
    by_key = {(r["source"], r["clip_id"]): r for r in rows}
    added = Counter()
    updated = 0
    with open(index, "a", encoding="utf-8") as log, progress_bar() as bar:
        task = bar.add_task("extract", total=None)
        for clip in _readers(root, sources):
            bar.advance(task)
            if (clip.source, clip.clip_id) in done:
                known = by_key[(clip.source, clip.clip_id)]
                if (known["source_text"], known["text_kind"]) != (clip.text, clip.text_kind):
                    # a newer reader pairs text the first run did not have
                    known.update(source_text=clip.text, text_kind=clip.text_kind)
                    updated += 1
                continue
            row = {
                "source": clip.source,
                "clip_id": clip.clip_id,
                "package": clip.package,
                "speaker": clip.speaker,
                "speaker_known": clip.speaker_known,
                "source_text": clip.text,
                "text_kind": clip.text_kind,
            }
            try:
                raw, rate = clip.load()
            except Exception as error:  # one bad clip never stops the recipe
                raw, rate = np.zeros(0, np.float32), 0
                row["error"] = f"{type(error).__name__}: {error}"[:200]
            row["orig_rate"] = rate
            samples, reason = prepare_clip(raw, rate) if rate else (None, "unreadable")
            if samples is not None:
                key = fingerprint(samples)
                row["fingerprint"] = key
                if key in seen:
                    samples, reason = None, f"duplicate-of:{seen[key]}"
                else:
                    seen[key] = clip.clip_id
            row["drop"] = reason
            if samples is not None:
                rel = Path("audio") / clip.source / f"{clip.clip_id}.flac"
                write_flac(out / rel, samples)
                row["audio_filepath"] = rel.as_posix()
                row["duration"] = round(len(samples) / SAMPLE_RATE, 3)
            log.write(json.dumps(row, ensure_ascii=False) + "\n")
            log.flush()
            done.add((clip.source, clip.clip_id))
            added[(clip.source, reason.split(":")[0] or "kept")] += 1
    if updated:
        rows = list(by_key.values()) + read_jsonl(index)[len(rows) :]
        atomic_write_text(index, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        console.print(f"extract: source text updated on {updated} clips")
    for (source, what), count in sorted(added.items()):
        console.print(f"extract {source}: {what} {count}")


# --- 3. label -------------------------------------------------------------------------------


CALIBRATION_CLIPS = 60


def _label_order(rows: list[dict], seed: int = 13) -> list[list[dict]]:
    """Groups of clips in labelling order: first a calibration sample (up to
    CALIBRATION_CLIPS random clips with their own text per source, so the agreement of text and
    teachers is measured early for every source), then each source, small sources first, clips
    with their own text first."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["source"]].append(row)
    calibration = []
    for source in sorted(groups):
        with_text = sorted((r for r in groups[source] if r["source_text"]), key=_key)
        calibration += random.Random(seed).sample(with_text, min(CALIBRATION_CLIPS, len(with_text)))
    ordered = [
        sorted(group, key=lambda r: (not r["source_text"], r["clip_id"]))
        for group in sorted(groups.values(), key=len)
    ]
    return [calibration, *ordered] if calibration else ordered


def label(
    out: Path,
    teachers: list[str],
    threads: int,
    hours: float,
    single_teacher: bool,
    sources: list[str] | None = None,
) -> None:
    """Teachers source by source (tiny, then base where the rules still need it), so each
    source's labels are complete early; only `sources` when given. Results are appended per
    clip: rerun to resume."""
    from asr.prepare.labels import LabelRules

    rules = LabelRules(allow_single_teacher=single_teacher)
    rows = [
        r for r in read_jsonl(out / "clips.jsonl")
        if not r["drop"] and (sources is None or r["source"] in sources)
    ]  # fmt: skip
    deadline = time.monotonic() + hours * 3600 if hours > 0 else None
    results = {name: _teacher_results(out, name) for name in ("tiny", "base")}
    loaded: dict[str, object] = {}
    for group in _label_order(rows):
        for name in teachers:
            if not _run_teacher(out, name, group, results, loaded, rules, threads, deadline):
                console.print("label: time budget used up; rerun to continue")
                return


def _run_teacher(out, name, group, results, loaded, rules, threads, deadline) -> bool:
    import soundfile as sf

    from asr.prepare.labels import decide
    from asr.prepare.teacher import Teacher

    if name == "base":  # only where the decision still depends on it
        group = [
            r for r in group
            if decide(r["source_text"], r["text_kind"], results["tiny"].get(_key(r)), None,
                      rules).rule == "needs-base"
        ]  # fmt: skip
    todo = [r for r in group if _key(r) not in results[name]]
    if not todo:
        return True
    sources = ",".join(sorted({r["source"] for r in todo}))
    console.print(f"label: teacher {name} on {len(todo)} clips ({sources})")
    if name not in loaded:
        loaded[name] = Teacher(name, threads=threads)
    teacher = loaded[name]
    with open(out / f"teacher_{name}.jsonl", "a", encoding="utf-8") as log, progress_bar() as bar:
        task = bar.add_task(f"whisper {name}", total=len(todo))
        for row in todo:
            if deadline and time.monotonic() > deadline:
                return False
            samples, _ = sf.read(str(out / row["audio_filepath"]), dtype="float32")
            result = teacher.transcribe(samples).to_dict()
            results[name][_key(row)] = result
            log.write(json.dumps({"key": _key(row), **result}, ensure_ascii=False) + "\n")
            log.flush()
            bar.advance(task)
    return True


def _key(row: dict) -> str:
    return f"{row['source']}/{row['clip_id']}"


def _teacher_results(out: Path, name: str) -> dict[str, dict]:
    return {r["key"]: r for r in read_jsonl(out / f"teacher_{name}.jsonl")}


# --- 4. manifest ----------------------------------------------------------------------------


def choose_dev_speakers(rows: list[dict], fraction: float, seed: int) -> set[str]:
    """Speakers held out for dev: known single voices, never a source's main voice, never the
    only voice of a source, chosen at random (seeded) until `fraction` of the audio is reached.
    Depends only on the extracted clips, so it stays fixed while labelling goes on. Only the
    clips of DEV_SOURCES are looked at: the small sources (SMALL_SOURCES) are always train, so
    adding them, or rows of any other new source, leaves the dev set exactly as it was."""
    seconds: dict[str, float] = defaultdict(float)
    known: dict[str, bool] = {}
    for row in rows:
        if row.get("source", row["speaker"].split(":")[0]) not in DEV_SOURCES:
            continue
        seconds[row["speaker"]] += row["duration"]
        known[row["speaker"]] = known.get(row["speaker"], True) and row["speaker_known"]
    by_source: dict[str, list[str]] = defaultdict(list)
    for speaker in seconds:
        by_source[speaker.split(":")[0]].append(speaker)
    candidates = []
    for speakers in by_source.values():
        if len(speakers) < 2:
            continue
        main = max(speakers, key=lambda s: seconds[s])
        candidates += [s for s in speakers if s != main and known[s] and seconds[s] >= 20]
    random.Random(seed).shuffle(candidates := sorted(candidates))
    # The target is a share of the audio of sources with a known voice: a source that is one
    # mixed cast (sky) cannot give dev voices and does not move the others' split.
    total = sum(
        seconds[s]
        for speakers in by_source.values()
        if any(known[s] for s in speakers)
        for s in speakers
    )
    dev: set[str] = set()
    for speaker in candidates:
        if sum(seconds[s] for s in dev) >= fraction * total:
            break
        dev.add(speaker)
    return dev


def write_manifests(
    out: Path, dev_fraction: float, seed: int, single_teacher: bool, keep_unverified: bool = False
) -> None:
    from asr.prepare.labels import LabelRules, char_error_rate, decide, word_error_rate

    rules = LabelRules(allow_single_teacher=single_teacher, keep_unverified=keep_unverified)
    all_rows = read_jsonl(out / "clips.jsonl")
    rows = [r for r in all_rows if not r["drop"]]
    tiny, base = _teacher_results(out, "tiny"), _teacher_results(out, "base")
    dev_speakers = choose_dev_speakers(rows, dev_fraction, seed)
    split: dict[str, list[dict]] = {"train": [], "dev": []}
    stats: dict = {"extracted": {}, "dropped_at_extract": {}, "rules": {}, "kept": {}}
    quality = defaultdict(lambda: {"clips": 0, "edits": 0, "chars": 0})
    teacher_vs_text = defaultdict(lambda: {"clips": 0, "edits": 0, "words": 0})
    for row in all_rows:
        if row["drop"]:
            reason = row["drop"].split(":")[0]
            stats["dropped_at_extract"].setdefault(row["source"], Counter())[reason] += 1
    for row in rows:
        source = row["source"]
        ext = stats["extracted"].setdefault(source, {"clips": 0, "seconds": 0.0, "speakers": set()})
        ext["clips"] += 1
        ext["seconds"] += row["duration"]
        ext["speakers"].add(row["speaker"])
        t, b = tiny.get(_key(row)), base.get(_key(row))
        decision = decide(row["source_text"], row["text_kind"], t, b, rules, row["duration"])
        rule = stats["rules"].setdefault(source, {})
        entry = rule.setdefault(decision.rule, {"clips": 0, "seconds": 0.0})
        entry["clips"] += 1
        entry["seconds"] += row["duration"]
        if row["source_text"].strip():
            for name, result in (("tiny", t), ("base", b)):
                if result:
                    ref = row["source_text"]
                    q = teacher_vs_text[f"{source}/{name}"]
                    q["clips"] += 1
                    q["words"] += max(1, len(ref.split()))
                    q["edits"] += word_error_rate(ref, result["text"]) * max(1, len(ref.split()))
        if not decision.text:
            continue
        if row["source_text"].strip() and decision.rule != "unverified":
            q = quality[source]
            q["clips"] += 1
            ref_len = max(1, len(row["source_text"]))
            q["chars"] += ref_len
            q["edits"] += char_error_rate(row["source_text"], decision.text) * ref_len
        part = "dev" if row["speaker"] in dev_speakers else "train"
        split[part].append(
            {
                "audio_filepath": row["audio_filepath"],
                "duration": row["duration"],
                "text": decision.text,
                "speaker": row["speaker"],
                "source": source,
                "label": decision.label,
                "rule": decision.rule,
                "orig_rate": row["orig_rate"],
            }
        )
        kept = stats["kept"].setdefault(
            source, {"clips": 0, "seconds": 0.0, "speakers": set(), "unverified_hours": 0.0}
        )
        kept["clips"] += 1
        kept["seconds"] += row["duration"]
        if decision.rule == "unverified":
            kept["unverified_hours"] += row["duration"] / 3600
        kept["speakers"].add(row["speaker"])
    from asr.manifest import write_manifest

    for part, items in split.items():
        write_manifest(out / f"{part}.jsonl", items)
    stats["dev_speakers"] = sorted(dev_speakers)
    stats["label_cer_vs_source_text"] = {
        s: {"clips": q["clips"], "cer": round(q["edits"] / max(1, q["chars"]), 4)}
        for s, q in quality.items()
    }
    stats["teacher_wer_vs_source_text"] = {
        k: {"clips": q["clips"], "wer": round(q["edits"] / max(1, q["words"]), 4)}
        for k, q in teacher_vs_text.items()
    }
    for part in ("extracted", "kept"):
        for value in stats[part].values():
            value["hours"] = round(value.pop("seconds") / 3600, 3)
            value["speakers"] = len(value["speakers"])
            if "unverified_hours" in value:
                value["unverified_hours"] = round(value["unverified_hours"], 3)
    for source_rules in stats["rules"].values():
        for value in source_rules.values():
            value["minutes"] = round(value.pop("seconds") / 60, 1)
    stats["splits"] = {
        part: {
            "clips": len(items),
            "hours": round(sum(i["duration"] for i in items) / 3600, 3),
            "speakers": len({i["speaker"] for i in items}),
        }
        for part, items in split.items()
    }
    stats["teacher_progress"] = {"tiny": len(tiny), "base": len(base), "clips": len(rows)}
    atomic_write_text(out / "stats.json", json.dumps(stats, indent=1, default=dict) + "\n")
    atomic_write_text(out / "README.md", data_card(stats))
    card = Path(__file__).resolve().parents[2] / "data" / "cards" / "human.md"
    if card.is_file():
        shutil.copyfile(card, out / "CARD-recipe.md")
    for part, info in stats["splits"].items():
        console.print(
            f"{part}: {info['clips']} clips, {info['hours']:.2f} h, {info['speakers']} speakers"
        )


def data_card(stats: dict) -> str:
    lines = [
        "# Human speech corpus (asr prepare human)",
        "",
        "Generated by `asr prepare human`; numbers from stats.json of this run.",
        "",
        "| source | package licence | extracted h | clips | voices | kept h | kept clips "
        "| of which unverified h |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for source, ext in sorted(stats["extracted"].items()):
        kept = stats["kept"].get(source, {"hours": 0.0, "clips": 0, "unverified_hours": 0.0})
        lines.append(
            f"| {source} | {LICENCES.get(source, '?')} | {ext['hours']:.2f} | {ext['clips']} | "
            f"{ext['speakers']} | {kept['hours']:.2f} | {kept['clips']} "
            f"| {kept['unverified_hours']:.2f} |"
        )
    lines += ["", "## Rules (clips / minutes per source)", ""]
    for source, rules in sorted(stats["rules"].items()):
        parts = ", ".join(
            f"{k}: {v['clips']} ({v['minutes']} min)" for k, v in sorted(rules.items())
        )
        lines.append(f"- {source}: {parts}")
    lines += ["", "## Label quality", ""]
    for source, q in sorted(stats["label_cer_vs_source_text"].items()):
        lines.append(
            f"- {source}: CER of kept label vs source text {q['cer']:.2%} ({q['clips']} clips)"
        )
    for key, q in sorted(stats["teacher_wer_vs_source_text"].items()):
        lines.append(f"- teacher {key}: WER vs source text {q['wer']:.2%} ({q['clips']} clips)")
    lines += [
        "",
        f"Dev speakers (never in train): {', '.join(stats['dev_speakers'])}",
        "",
        f"Dev voices come from {', '.join(DEV_SOURCES)} only; the small sources "
        f"({', '.join(SMALL_SOURCES)}) are always train.",
        "",
    ]
    return "\n".join(lines)
