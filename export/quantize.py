"""Dynamic int8 quantisation with onnxruntime's tools (weights int8, activations at run time)."""

from __future__ import annotations

from pathlib import Path


def quantize_int8(fp32_path: str | Path, int8_path: str | Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
