"""Export parity: torch on whole utterances vs the ONNX model fed in random-size chunks.

The chunked run carries `(h, c)` between calls exactly as the streaming engine does, so a pass
means streaming with the exported model reproduces the trained model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from asr.ctc.decoding import greedy_decode
from asr.model import LstmCtcModel
from asr.wer import edit_distance
from streaming.model import OnnxAcousticModel

# float32 rounding in a 3x320 LSTM carried over thousands of steps moves log-probs by ~1e-4
# (measured: 1.1e-4 on 200 dev clips); the transcripts must still be identical.
FP32_TOLERANCE = 1e-3
INT8_MIN_AGREEMENT = 0.99
# An uncertain model flips single letters under int8 in many clips while its WER barely moves
# (3x320 model, epoch 22, per-tensor dynamic int8: 72 % identical clips, 3.0 % token
# disagreement, devspeech WER 91.3 % vs 91.8 % fp32), so int8 also passes when its greedy tokens
# differ from fp32's in at most this share of the tokens. That copy still fails; the same
# model's int8 weights (1.0 %) and per-channel dynamic int8 (1.9 %) pass.
INT8_MAX_TOKEN_DISAGREEMENT = 0.02


class ParityError(Exception):
    pass


@dataclass(frozen=True)
class ParityReport:
    utterances: int
    max_abs_diff: float
    transcripts_identical: float  # fraction of utterances with the same greedy tokens
    token_disagreement: float = 0.0  # token edit distance to the reference model / its tokens

    def __str__(self) -> str:
        return (
            f"{self.utterances} utterances: max |Δ log-prob| {self.max_abs_diff:.2e}, "
            f"identical greedy transcripts {self.transcripts_identical:.1%}, "
            f"token disagreement {self.token_disagreement:.2%}"
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
    worst, same, edits, tokens = 0.0, 0, 0, 0
    model = model.eval()
    for features in utterances:
        with torch.no_grad():
            reference, _, _ = model(torch.from_numpy(features[None]), *model.init_state(1))
        reference = reference[0].numpy()
        streamed = _chunked(session, features, rng)
        worst = max(worst, float(np.max(np.abs(reference - streamed))))
        expected, got = greedy_decode(reference).ids, greedy_decode(streamed).ids
        same += expected == got
        edits += edit_distance(expected, got)
        tokens += len(expected)
    return ParityReport(
        len(utterances), worst, same / max(1, len(utterances)), edits / max(1, tokens)
    )


def check_fp32(model: LstmCtcModel, onnx_path, utterances, seed: int = 0) -> ParityReport:
    report = compare(model, onnx_path, utterances, seed)
    if not (report.max_abs_diff <= FP32_TOLERANCE and report.transcripts_identical == 1.0):
        raise ParityError(
            f"{onnx_path}: fp32 parity FAILED: {report} (allowed max |Δ| {FP32_TOLERANCE:g}, "
            "all transcripts identical)"
        )
    return report


def check_int8(model: LstmCtcModel, onnx_path, utterances, seed: int = 0) -> ParityReport:
    report = compare(model, onnx_path, utterances, seed)
    if not (
        report.transcripts_identical >= INT8_MIN_AGREEMENT
        or report.token_disagreement <= INT8_MAX_TOKEN_DISAGREEMENT
    ):
        raise ParityError(
            f"{onnx_path}: int8 parity FAILED: {report} (need ≥ {INT8_MIN_AGREEMENT:.0%} "
            f"identical transcripts or ≤ {INT8_MAX_TOKEN_DISAGREEMENT:.0%} token disagreement)"
        )
    return report
