"""The exported acoustic model in onnxruntime, with the metadata that describes it.

No torch here: this is all a user needs to transcribe.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from asr.features import FeatureConfig, FeatureStats
from asr.tokens import Vocabulary

SUPPORTED_FORMATS = ("1", "2")  # 2: causal mean normalisation (export/metadata.py)
REQUIRED_KEYS = ("lstm_asr_format", "feature_config", "feature_stats", "vocabulary", "model_config")
log = logging.getLogger("lstm_asr")


class ModelError(Exception):
    """A model file that cannot be used: missing, not ONNX, or without compatible metadata."""


def default_model_path() -> Path:
    """The English model shipped inside the package."""
    return Path(str(resources.files("asr") / "models" / "default.onnx"))


@dataclass(frozen=True)
class ModelInfo:
    feature_config: FeatureConfig
    stats: FeatureStats
    vocabulary: Vocabulary
    num_layers: int
    hidden_size: int
    input_dim: int
    card: dict

    @classmethod
    def from_metadata(cls, path: Path, meta: dict[str, str]) -> ModelInfo:
        missing = [key for key in REQUIRED_KEYS if key not in meta]
        if missing:
            raise ModelError(f"{path}: not an lstm-asr model (metadata lacks {', '.join(missing)})")
        if meta["lstm_asr_format"] not in SUPPORTED_FORMATS:
            raise ModelError(
                f"{path}: model format {meta['lstm_asr_format']} is not supported by this "
                f"version (supports {', '.join(SUPPORTED_FORMATS)}); upgrade lstm-asr"
            )
        try:
            model_config = json.loads(meta["model_config"])
            return cls(
                feature_config=FeatureConfig.from_dict(json.loads(meta["feature_config"])),
                stats=FeatureStats.from_dict(json.loads(meta["feature_stats"])),
                vocabulary=Vocabulary(json.loads(meta["vocabulary"])),
                num_layers=int(model_config["num_layers"]),
                hidden_size=int(model_config["hidden_size"]),
                input_dim=int(model_config["input_dim"]),
                card=json.loads(meta.get("model_card", "{}")),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise ModelError(f"{path}: model metadata is malformed ({error})") from error


def _providers(provider: str) -> list[str]:
    import onnxruntime as ort

    available = ort.get_available_providers()
    if provider == "cpu":
        return ["CPUExecutionProvider"]
    if provider in ("cuda", "auto"):
        if "CUDAExecutionProvider" in available:
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        return ["CPUExecutionProvider"]
    raise ModelError(f"unknown provider {provider!r} (choose auto, cuda or cpu)")


class OnnxAcousticModel:
    """`run(features [B,T,F], h, c) → (log_probs, h, c)` on onnxruntime."""

    def __init__(self, path: str | Path | None = None, provider: str = "auto", threads: int = 1):
        import onnxruntime as ort

        self.path = Path(path) if path else default_model_path()
        if not self.path.is_file():
            raise ModelError(f"{self.path}: model file not found")
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(0, threads)
        options.inter_op_num_threads = 1
        # Fold the DequantizeLinear nodes of an int8-weight model into float weights once,
        # instead of keeping them for fused quantised kernels and dequantising every call.
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        options.log_severity_level = 3  # onnxruntime-gpu on a CPU machine logs CUDA errors
        # onnxruntime-gpu on a machine without CUDA logs a loud error before falling back to
        # the CPU; we report the provider really used ourselves instead.
        ort.set_default_logger_severity(4)
        try:
            self.session = ort.InferenceSession(
                str(self.path), sess_options=options, providers=_providers(provider)
            )
        except Exception as error:
            raise ModelError(f"{self.path}: not a loadable ONNX model ({error})") from error
        finally:
            ort.set_default_logger_severity(3)
        self.info = ModelInfo.from_metadata(
            self.path, dict(self.session.get_modelmeta().custom_metadata_map)
        )
        inputs = {i.name for i in self.session.get_inputs()}
        if inputs != {"features", "h", "c"}:
            raise ModelError(f"{self.path}: unexpected model inputs {sorted(inputs)}")
        self.providers = self.session.get_providers()
        self.device = "cuda" if self.providers[0] == "CUDAExecutionProvider" else "cpu"
        if provider == "cuda" and self.device != "cuda":
            log.warning("CUDA was requested but is not available; running on the CPU")

    def init_state(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        shape = (self.info.num_layers, batch, self.info.hidden_size)
        return np.zeros(shape, np.float32), np.zeros(shape, np.float32)

    def run(self, features: np.ndarray, h: np.ndarray, c: np.ndarray):
        log_probs, h_out, c_out = self.session.run(
            None, {"features": features.astype(np.float32, copy=False), "h": h, "c": c}
        )
        return log_probs, h_out, c_out
