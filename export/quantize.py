"""Dynamic int8 quantisation with onnxruntime's tools (weights int8, activations at run time)."""

from __future__ import annotations

from pathlib import Path


def quantize_int8(fp32_path: str | Path, int8_path: str | Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The tool logs a generic "consider pre-processing" advice on the root logger every time.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
