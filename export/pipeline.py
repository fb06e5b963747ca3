"""`asr export`: checkpoint → ONNX (+ int8), metadata, and a parity check that must pass.

Nothing is written to the output path unless the check passes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from asr.audio import AudioError, load_audio
from asr.checkpoint import checkpoint_parts, load_checkpoint, model_from_checkpoint
from asr.features import utterance_features
from asr.fileio import atomic_write
from asr.manifest import read_manifest
from export.metadata import metadata_from_checkpoint, write_metadata
from export.onnx_export import export_onnx
from export.parity import ParityReport, check_fp32, check_int8
from export.quantize import quantize


def held_out_features(
    payload: dict,
    manifest: Path | None,
    limit: int,
    seed: int = 0,
    on_note: Callable[[str], None] | None = None,
) -> list[np.ndarray]:
    """Model inputs for the parity check: clips of `manifest` (default: the checkpoint's dev
    manifest when it still exists), else random features (said through `on_note`: an uncertain
    model flips letters on noise that it would not flip on speech)."""
    config, stats, _ = checkpoint_parts(payload)
    recorded = payload.get("data_summary", {}).get("dev_manifest")
    if manifest is None:
        manifest = Path(recorded) if recorded and Path(recorded).is_file() else None
    if manifest is not None:
        entries, _ = read_manifest(manifest, require_text=False)
        rng = np.random.default_rng(seed)
        chosen = rng.permutation(len(entries))[:limit]
        features = []
        for index in sorted(chosen):
            try:
                samples = load_audio(entries[index].audio_path, config.sample_rate)
            except AudioError:
                continue
            step_features = utterance_features(samples, config, stats)
            if len(step_features):
                features.append(step_features)
        if features:
            return features
    if on_note:
        missing = f"its dev set {recorded} is not here" if recorded else "it names no dev set"
        on_note(
            f"parity checked on random features ({missing}): "
            "give real clips with --check-manifest for a meaningful check"
        )
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((int(rng.integers(20, 200)), config.feature_dim)).astype(np.float32)
        for _ in range(min(limit, 20))
    ]


def export_checkpoint(
    checkpoint: Path,
    output: Path,
    quantization: str | None = None,
    check_manifest: Path | None = None,
    check_limit: int = 200,
    on_note: Callable[[str], None] | None = None,
) -> list[tuple[str, ParityReport]]:
    payload = load_checkpoint(checkpoint)
    model = model_from_checkpoint(payload)
    utterances = held_out_features(payload, check_manifest, check_limit, on_note=on_note)
    reports = []
    with tempfile.TemporaryDirectory(prefix="asr-export-") as tmp:
        fp32 = Path(tmp) / "model.onnx"
        export_onnx(model, fp32)
        write_metadata(fp32, metadata_from_checkpoint(payload, model.num_parameters(), "fp32"))
        reports.append(("fp32", check_fp32(model, fp32, utterances)))
        final = fp32
        if quantization:
            final = Path(tmp) / f"model.{quantization}.onnx"
            quantize(fp32, final, quantization)
            write_metadata(
                final, metadata_from_checkpoint(payload, model.num_parameters(), quantization)
            )
            reports.append((quantization, check_int8(model, final, utterances)))
        data = final.read_bytes()
    atomic_write(output, lambda path: path.write_bytes(data))
    return reports
