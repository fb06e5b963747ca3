import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from conftest import FSDD
from onnx import numpy_helper

from asr.checkpoint import load_checkpoint, model_from_checkpoint
from asr.cli import main
from asr.ctc.decoding import greedy_decode
from export.parity import ParityError, check_fp32
from export.pipeline import export_checkpoint, held_out_features
from streaming.model import OnnxAcousticModel


def test_exported_model_has_named_dynamic_io_and_metadata(tiny_onnx, trained_run):
    session = ort.InferenceSession(str(tiny_onnx), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["features", "h", "c"]
    assert [o.name for o in session.get_outputs()] == ["log_probs", "h_out", "c_out"]
    features_shape = session.get_inputs()[0].shape
    assert isinstance(features_shape[0], str) and isinstance(features_shape[1], str)
    meta = session.get_modelmeta().custom_metadata_map
    payload = torch.load(trained_run["checkpoint"], weights_only=True)
    assert meta["lstm_asr_format"] == "1"
    assert json.loads(meta["vocabulary"]) == payload["vocabulary"]
    assert json.loads(meta["feature_stats"]) == payload["feature_stats"]
    assert json.loads(meta["feature_config"]) == payload["feature_config"]
    card = json.loads(meta["model_card"])
    assert card["dev_wer"] == 0.0 and card["parameters"] > 1000


def test_fp32_parity_holds_for_random_chunks(tiny_onnx, trained_run):
    payload = load_checkpoint(trained_run["checkpoint"])
    utterances = held_out_features(payload, FSDD / "heldout.jsonl", limit=10)
    model = model_from_checkpoint(payload)
    report = check_fp32(model, tiny_onnx, utterances, seed=3)
    assert report.utterances == 4
    # Independently of the check: the ONNX model fed 7 frames at a time, its state carried,
    # gives torch's whole-utterance log-probs and greedy tokens.
    session = OnnxAcousticModel(tiny_onnx)
    for features in utterances:
        with torch.no_grad():
            expected = model(torch.from_numpy(features[None]), *model.init_state(1))[0][0].numpy()
        h, c = session.init_state(1)
        chunks = []
        for start in range(0, len(features), 7):
            log_probs, h, c = session.run(features[None, start : start + 7], h, c)
            chunks.append(log_probs[0])
        streamed = np.concatenate(chunks)
        np.testing.assert_allclose(streamed, expected, atol=1e-4)
        assert greedy_decode(streamed).ids == greedy_decode(expected).ids


def test_parity_check_fails_on_a_broken_graph(tiny_onnx, trained_run, tmp_path):
    graph = onnx.load(str(tiny_onnx))
    weights = max(graph.graph.initializer, key=lambda t: np.prod(t.dims))
    broken = numpy_helper.to_array(weights).copy()
    broken.flat[::7] += 0.05
    weights.CopyFrom(numpy_helper.from_array(broken, weights.name))
    path = tmp_path / "broken.onnx"
    onnx.save(graph, str(path))
    payload = load_checkpoint(trained_run["checkpoint"])
    utterances = held_out_features(payload, FSDD / "train.jsonl", limit=5)
    with pytest.raises(ParityError, match="fp32 parity FAILED"):
        check_fp32(model_from_checkpoint(payload), path, utterances)


@pytest.mark.parametrize("quantization", ["int8", "int8-dynamic"])
def test_int8_export_is_smaller_and_agrees(trained_run, tiny_onnx, tmp_path, quantization):
    path = tmp_path / f"tiny.{quantization}.onnx"
    reports = dict(
        export_checkpoint(
            trained_run["checkpoint"],
            path,
            quantization=quantization,
            check_manifest=FSDD / "train.jsonl",
        )
    )
    assert reports[quantization].transcripts_identical >= 0.99
    assert path.stat().st_size < 0.5 * tiny_onnx.stat().st_size
    meta = ort.InferenceSession(str(path)).get_modelmeta().custom_metadata_map
    assert json.loads(meta["model_card"])["quantization"] == quantization


def test_int8_weights_are_stored_as_int8_and_batching_changes_nothing(trained_run, tmp_path):
    """int8 weights compute in float: a stream's output in a batch equals its output alone,
    which the batched server relies on (dynamic int8 quantises activations over the batch)."""
    path = tmp_path / "tiny.int8.onnx"
    export_checkpoint(
        trained_run["checkpoint"], path, quantization="int8", check_manifest=FSDD / "train.jsonl"
    )
    stored = {t.name: t.data_type for t in onnx.load(str(path)).graph.initializer}
    assert sum(kind == onnx.TensorProto.INT8 for kind in stored.values()) >= 5  # W, R x2, 2 MatMul
    model = OnnxAcousticModel(path)
    rng = np.random.default_rng(0)
    quiet = rng.standard_normal((1, 20, model.info.input_dim)).astype(np.float32) * 0.1
    loud = rng.standard_normal((1, 20, model.info.input_dim)).astype(np.float32) * 10
    h, c = model.init_state(1)
    alone = model.run(quiet, h, c)[0]
    h2, c2 = model.init_state(2)
    together = model.run(np.concatenate([quiet, loud]), h2, c2)[0]
    np.testing.assert_allclose(together[:1], alone, atol=1e-5)


def test_unknown_quantization_is_refused(tmp_path):
    from export.quantize import quantize

    with pytest.raises(ValueError, match="unknown quantization"):
        quantize(tmp_path / "a.onnx", tmp_path / "b.onnx", "int4")


def test_export_cli_reports_a_missing_checkpoint(tmp_path, capsys):
    status = main(["export", str(tmp_path / "nope.pt"), "-o", str(tmp_path / "x.onnx")])
    assert status == 1
    err = capsys.readouterr().err
    assert "nope.pt: checkpoint not found" in err and "Traceback" not in err
    assert not (tmp_path / "x.onnx").exists()


def _scramble_largest_weight(path, seed=0):
    """Shuffle the values of the model's largest weight tensor in place: a broken exporter."""
    graph = onnx.load(str(path))
    weights = max(graph.graph.initializer, key=lambda t: np.prod(t.dims))
    values = numpy_helper.to_array(weights)
    scrambled = np.random.default_rng(seed).permutation(values.ravel()).reshape(values.shape)
    weights.CopyFrom(numpy_helper.from_array(scrambled, weights.name))
    onnx.save(graph, str(path))


@pytest.mark.parametrize("stage", ["fp32", "int8"])
def test_failed_parity_writes_nothing_and_keeps_the_old_model(
    trained_run, tmp_path, monkeypatch, capsys, stage
):
    """The gate really gates: a broken export (here its weights scrambled after the fp32
    export or after int8 quantisation) fails the command and leaves the output as it was."""
    import export.pipeline as pipeline

    broken = {"fp32": "export_onnx", "int8": "quantize"}[stage]
    real = getattr(pipeline, broken)

    def export_then_break(*args):
        real(*args)
        _scramble_largest_weight(args[1])

    monkeypatch.setattr(pipeline, broken, export_then_break)
    checkpoint, manifest = trained_run["checkpoint"], FSDD / "train.jsonl"
    quantization = "int8" if stage == "int8" else None
    old = tmp_path / "model.onnx"
    old.write_bytes(b"the model users have now")
    with pytest.raises(ParityError, match=f"{stage} parity FAILED"):
        export_checkpoint(checkpoint, old, quantization, check_manifest=manifest, check_limit=4)
    assert old.read_bytes() == b"the model users have now"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]  # no temp file left
    if stage == "fp32":  # the command: one line, exit status 1, no new file
        new = tmp_path / "new.onnx"
        argv = ["export", str(checkpoint), "-o", str(new), "--check-manifest", str(manifest)]
        argv += ["--check-utts", "4"]
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "fp32 parity FAILED" in err and "Traceback" not in err
        assert not new.exists()


def test_causal_mean_models_are_format_2(trained_run):
    """A format-1 runtime would skip the causal mean normalisation silently: such models say
    format 2, which it refuses; the runtime here reads both."""
    from export.metadata import metadata_from_checkpoint
    from streaming.model import SUPPORTED_FORMATS

    payload = load_checkpoint(trained_run["checkpoint"])
    assert metadata_from_checkpoint(payload, 10, "fp32")["lstm_asr_format"] == "1"
    causal = {**payload, "feature_config": {**payload["feature_config"], "mean_prior_frames": 300}}
    assert metadata_from_checkpoint(causal, 10, "fp32")["lstm_asr_format"] == "2"
    assert set(SUPPORTED_FORMATS) == {"1", "2"}


def test_parity_on_random_features_is_said_when_the_dev_set_is_gone(trained_run):
    payload = load_checkpoint(trained_run["checkpoint"])
    payload["data_summary"] = {"dev_manifest": "/gone/dev.jsonl"}
    notes = []
    utterances = held_out_features(payload, None, limit=5, on_note=notes.append)
    assert len(utterances) == 5 and len(notes) == 1
    assert "random features" in notes[0] and "/gone/dev.jsonl" in notes[0]
    notes.clear()
    held_out_features(payload, FSDD / "train.jsonl", limit=5, on_note=notes.append)
    assert notes == []
