"""Read an exported lstm-asr ONNX model back into a checkpoint payload, to fine-tune it.

The package ships only the ONNX model (no torch checkpoint), so `asr train --init default`
starts from it: the metadata gives the configs, normalisation and vocabulary; the weights are
read from the graph (int8 ones dequantised) and mapped back to `LstmCtcModel`'s parameters.
The result is checked by running both models on the same input, so a graph this reader does
not understand is refused instead of fine-tuned from wrong weights.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from asr.checkpoint import SETTINGS_KEYS, CheckpointError, load_checkpoint
from asr.model import LstmCtcModel, ModelConfig

# ONNX LSTM gates are ordered i, o, f, c; torch's are i, f, g(=c), o.
_TORCH_GATE_ORDER = [0, 2, 3, 1]
PARITY_TOLERANCE = 1e-3  # max |Δ log-prob| between the ONNX graph and the rebuilt torch model


def load_any(model: str | Path) -> tuple[Path, dict[str, Any]]:
    """A checkpoint payload from a .pt file, an exported .onnx or 'default' (the shipped one)."""
    if str(model) == "default":
        from streaming.model import default_model_path

        model = default_model_path()
    path = Path(model)
    if path.suffix == ".onnx":
        return path, checkpoint_from_onnx(path)
    return path, load_checkpoint(path)


def checkpoint_from_onnx(path: str | Path) -> dict[str, Any]:
    """A payload with model_state, model_config, feature_config, feature_stats, vocabulary."""
    import onnx
    from onnx import numpy_helper

    from streaming.model import ModelError, OnnxAcousticModel

    try:
        # The runtime's own loader: file, ONNX and metadata checks, and the session (int8
        # weights folded to float as at run time) that the weights read back must reproduce.
        runtime = OnnxAcousticModel(path, provider="cpu", threads=1)
    except ModelError as error:
        raise CheckpointError(str(error)) from error
    metadata = runtime.session.get_modelmeta().custom_metadata_map
    payload: dict[str, Any] = {key: json.loads(metadata[key]) for key in SETTINGS_KEYS}
    payload["epoch"] = runtime.info.card.get("epochs")
    graph_model = onnx.load(str(runtime.path))
    config = ModelConfig.from_dict(payload["model_config"])
    graph = graph_model.graph
    tensors = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in tensors:
            tensors[node.output[0]] = _dequantize(node, tensors)
        elif node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            tensors[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    if any(node.op_type in ("MatMulInteger", "DynamicQuantizeLinear") for node in graph.node):
        raise CheckpointError(
            f"{path}: dynamically quantised (--int8-dynamic) models cannot be fine-tuned; "
            "use the fp32 or --int8 export"
        )
    try:
        state = _state_dict(graph, tensors, config)
        model = LstmCtcModel(config)
        model.load_state_dict(state)
    except (KeyError, IndexError, ValueError, RuntimeError) as error:
        raise CheckpointError(
            f"{path}: unexpected graph, cannot read its weights ({error})"
        ) from error
    _check_parity(runtime, model)
    payload["model_state"] = model.state_dict()
    return payload


def _dequantize(node, tensors: dict[str, np.ndarray]) -> np.ndarray:
    values = tensors[node.input[0]].astype(np.float32)
    scale = tensors[node.input[1]].astype(np.float32)
    zero = tensors[node.input[2]].astype(np.float32) if len(node.input) > 2 else 0.0
    axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
    if np.ndim(scale) == 1 and values.ndim > 1:
        shape = [1] * values.ndim
        shape[axis] = -1
        scale = scale.reshape(shape)
        zero = np.reshape(zero, shape) if np.ndim(zero) else zero
    return (values - zero) * scale


def _gates(weight: np.ndarray, hidden: int) -> torch.Tensor:
    blocks = [weight[i * hidden : (i + 1) * hidden] for i in _TORCH_GATE_ORDER]
    return torch.from_numpy(np.concatenate(blocks).astype(np.float32))


def _state_dict(graph, tensors: dict[str, np.ndarray], config: ModelConfig) -> dict:
    hidden = config.hidden_size
    matmuls = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in tensors]
    lstms = [n for n in graph.node if n.op_type == "LSTM"]
    if len(matmuls) != 2 or len(lstms) != config.num_layers:
        raise ValueError(
            f"{len(matmuls)} weight MatMuls and {len(lstms)} LSTMs, expected 2 and "
            f"{config.num_layers}"
        )

    def tensor(name: str) -> torch.Tensor:
        return torch.from_numpy(np.array(tensors[name], dtype=np.float32))

    state = {
        "input_proj.0.weight": tensor(matmuls[0].input[1]).T.contiguous(),
        "input_proj.0.bias": tensor("input_proj.0.bias"),
        "input_proj.1.weight": tensor("input_proj.1.weight"),
        "input_proj.1.bias": tensor("input_proj.1.bias"),
        "classifier.weight": tensor(matmuls[1].input[1]).T.contiguous(),
        "classifier.bias": tensor("classifier.bias"),
    }
    for layer, node in enumerate(lstms):
        w, r, b = (tensors[name][0] for name in node.input[1:4])
        state[f"lstm.weight_ih_l{layer}"] = _gates(w, hidden)
        state[f"lstm.weight_hh_l{layer}"] = _gates(r, hidden)
        state[f"lstm.bias_ih_l{layer}"] = _gates(b[: 4 * hidden], hidden)
        state[f"lstm.bias_hh_l{layer}"] = _gates(b[4 * hidden :], hidden)
    return state


def _check_parity(runtime, model: LstmCtcModel) -> None:
    model.eval()
    rng = np.random.default_rng(0)
    features = rng.standard_normal((1, 20, model.config.input_dim)).astype(np.float32)
    expected = runtime.run(features, *runtime.init_state(1))[0]
    with torch.no_grad():
        got = model(torch.from_numpy(features), *model.init_state(1))[0].numpy()
    difference = float(np.max(np.abs(got - expected)))
    if not difference <= PARITY_TOLERANCE:
        raise CheckpointError(
            f"{runtime.path}: weights read back do not reproduce the model "
            f"(max |Δ| {difference:.3g})"
        )
