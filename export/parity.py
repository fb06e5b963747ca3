"""Export parity: torch on whole utterances vs the ONNX model fed in random-size chunks.

The chunked run carries `(h, c)` between calls exactly as the streaming engine does, so a pass
means streaming with the exported model reproduces the trained model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from asr.decoding import greedy_decode
from asr.model import LstmCtcModel
from streaming.model import OnnxAcousticModel

FP32_TOLERANCE = 1e-4
INT8_MIN_AGREEMENT = 0.99


class ParityError(Exception):
    pass


@dataclass(frozen=True)
class ParityReport:
    utterances: int
    max_abs_diff: float
    transcripts_identical: float  # fraction of utterances with the same greedy tokens

    def __str__(self) -> str:
        return (
            f"{self.utterances} utterances: max |Δ log-prob| {self.max_abs_diff:.2e}, "
            f"identical greedy transcripts {self.transcripts_identical:.1%}"
        )


def _chunked(session: OnnxAcousticModel, features: np.ndarray, rng: np.random.Generator):
    h, c = session.init_state(1)
    outputs, start = [], 0
    while start < len(features):
        size = int(rng.integers(1, 24))
        log_probs, h, c = session.run(features[None, start : start + size], h, c)
        outputs.append(log_probs[0])
        start += size
    return np.concatenate(outputs)


def compare(
    model: LstmCtcModel, onnx_path: str | Path, utterances: list[np.ndarray], seed: int = 0
) -> ParityReport:
    session = OnnxAcousticModel(onnx_path, provider="cpu", threads=1)
    rng = np.random.default_rng(seed)
    worst, same = 0.0, 0
    model = model.eval()
    for features in utterances:
        with torch.no_grad():
            reference, _, _ = model(torch.from_numpy(features[None]), *model.init_state(1))
        reference = reference[0].numpy()
        streamed = _chunked(session, features, rng)
        worst = max(worst, float(np.max(np.abs(reference - streamed))))
        same += greedy_decode(reference).ids == greedy_decode(streamed).ids
    return ParityReport(len(utterances), worst, same / max(1, len(utterances)))


def check_fp32(model: LstmCtcModel, onnx_path, utterances, seed: int = 0) -> ParityReport:
    report = compare(model, onnx_path, utterances, seed)
    if not report.max_abs_diff <= FP32_TOLERANCE:
        raise ParityError(
            f"{onnx_path}: fp32 parity FAILED: {report} (allowed max |Δ| {FP32_TOLERANCE:g})"
        )
    return report


def check_int8(model: LstmCtcModel, onnx_path, utterances, seed: int = 0) -> ParityReport:
    report = compare(model, onnx_path, utterances, seed)
    if not report.transcripts_identical >= INT8_MIN_AGREEMENT:
        raise ParityError(
            f"{onnx_path}: int8 parity FAILED: {report} "
            f"(need ≥ {INT8_MIN_AGREEMENT:.0%} identical transcripts)"
        )
    return report
