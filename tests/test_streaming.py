import json
import re
import subprocess
import sys

import numpy as np
import onnx
import pytest
import soundfile as sf
import soxr
from conftest import FSDD, fsdd_clip, record_batch_sizes

from streaming import DecodingOptions, EndpointConfig, ModelError, Recognizer

TRAIN_CLIPS = [
    "0_jackson_5.wav",
    "3_theo_5.wav",
    "7_jackson_5.wav",
    "8_theo_5.wav",
    "9_jackson_5.wav",
]
NO_ENDPOINT = EndpointConfig(enabled=False)
GREEDY = DecodingOptions.greedy_ctc()  # what these tests check does not depend on the decoder


def _feed(recognizer, stream, samples, rate, rng, low=50, high=6000):
    start = 0
    while start < len(samples):
        size = int(rng.integers(low, high))
        stream.accept_waveform(samples[start : start + size], rate)
        recognizer.decode_stream(stream)
        start += size


def _streamed_text(recognizer, samples, rate=16000, seed=0):
    stream = recognizer.create_stream()
    _feed(recognizer, stream, samples, rate, np.random.default_rng(seed))
    return " ".join(r.text for r in recognizer.finish(stream))


@pytest.mark.parametrize("chunk_ms", [40, 120, 320])
def test_streaming_equals_whole_utterance(tiny_onnx, chunk_ms):
    recognizer = Recognizer(tiny_onnx, GREEDY, chunk_ms=chunk_ms, endpoint=NO_ENDPOINT)
    for seed, name in enumerate(TRAIN_CLIPS + ["4_lucas_7.wav"]):
        samples = fsdd_clip(name)
        offline = recognizer.offline_transcribe(samples)
        assert _streamed_text(recognizer, samples, seed=seed) == offline.text
    # The tiny model learned its training clips: the texts are real, not empty.
    assert recognizer.offline_transcribe(fsdd_clip("7_jackson_5.wav")).text == "seven"


def test_batched_streams_equal_single_streams(tiny_onnx):
    recognizer = Recognizer(tiny_onnx, GREEDY, chunk_ms=80)
    clips = [fsdd_clip(name) for name in TRAIN_CLIPS]
    singles = []
    for samples in clips:
        stream = recognizer.create_stream()
        stream.accept_waveform(samples, 16000)
        recognizer.decode_stream(stream)
        singles.append(recognizer.finish(stream))
    batch_sizes = record_batch_sizes(recognizer)
    streams = [recognizer.create_stream() for _ in clips]
    rng = np.random.default_rng(1)
    positions = [0] * len(clips)
    while any(p < len(c) for p, c in zip(positions, clips)):
        for index, (stream, samples) in enumerate(zip(streams, clips)):
            size = int(rng.integers(100, 3000))
            stream.accept_waveform(samples[positions[index] : positions[index] + size], 16000)
            positions[index] += size
        recognizer.decode_streams(streams)
    for stream in streams:
        stream.input_finished()
    recognizer.decode_streams(streams)
    batched = [recognizer.finish(stream) for stream in streams]
    assert [[r.text for r in rs] for rs in batched] == [[r.text for r in rs] for rs in singles]
    assert [[w.start for r in rs for w in r.words] for rs in batched] == [
        [w.start for r in rs for w in r.words] for rs in singles
    ]
    assert [r[0].text for r in singles] == ["zero", "three", "seven", "eight", "nine"]
    # The streams really shared model calls: all five in one call at least once, and fewer
    # calls than chunks.
    assert max(batch_sizes) == len(clips) and len(batch_sizes) < sum(batch_sizes) / 2


def _energy_model(recognizer):
    """Replace the network by a rule: a step louder than silence emits "a" or "b" (in turn),
    others blank.
    Endpointing then sees a known token sequence from real audio."""
    info = recognizer.model.info
    silence = float(
        np.mean((np.log(info.feature_config.log_floor) - info.stats.mean) / info.stats.std)
    )
    vocab_size = len(info.vocabulary)
    a, b = info.vocabulary.symbols.index("a"), info.vocabulary.symbols.index("b")

    def run(features, h, c):
        loud = features[..., : info.feature_config.n_mels].mean(-1) > silence + 0.4
        letters = np.where(np.arange(features.shape[1]) % 2 == 0, a, b)
        log_probs = np.full((*features.shape[:2], vocab_size), -20.0, np.float32)
        for row in range(features.shape[0]):
            for step in range(features.shape[1]):
                log_probs[row, step, letters[step] if loud[row, step] else 0] = 0.0
        return log_probs, h, c

    recognizer.model.run = run
    return recognizer


def _loud(samples):
    return (samples / np.max(np.abs(samples)) * 0.5).astype(np.float32)


def test_endpointing_splits_two_utterances(tiny_onnx, tmp_path):
    first, second = (_loud(fsdd_clip(n)) for n in ("3_jackson_5.wav", "8_jackson_5.wav"))
    gap = np.zeros(int(1.5 * 16000), np.float32)
    audio = np.concatenate([gap[:8000], first, gap, second, gap[:4000]])
    path = tmp_path / "two.wav"
    sf.write(path, audio, 16000)
    recognizer = _energy_model(
        Recognizer(tiny_onnx, GREEDY, endpoint=EndpointConfig(trailing_silence_after_speech=0.6))
    )
    finals = recognizer.transcribe_file(path)
    assert len(finals) == 2 and all(re.fullmatch("[ab]+", r.text) for r in finals)
    assert all(r.is_final for r in finals)
    first_start, first_end = 0.5, 0.5 + len(first) / 16000
    second_start = first_end + len(gap) / 16000
    second_end = second_start + len(second) / 16000
    (one,), (two,) = finals[0].words, finals[1].words
    assert one.start == pytest.approx(first_start, abs=0.1)
    assert one.end == pytest.approx(first_end, abs=0.1)
    assert two.start == pytest.approx(second_start, abs=0.1)
    assert two.end == pytest.approx(second_end, abs=0.1)
    # The first final came from the endpoint, before the second word began.
    assert finals[0].end < second_start


def test_silence_only_and_max_length_rules(tiny_onnx):
    recognizer = _energy_model(
        Recognizer(
            tiny_onnx,
            GREEDY,
            endpoint=EndpointConfig(
                trailing_silence_after_speech=0.5, silence_timeout=1.0, max_utterance=2.0
            ),
        )
    )
    stream = recognizer.create_stream()
    stream.accept_waveform(np.zeros(16000 * 3, np.float32), 16000)
    recognizer.decode_stream(stream)
    assert stream.pop_finals() == [] and stream.partial().start >= 2.0  # silence: reset, no text
    noise = 0.3 * np.random.default_rng(0).standard_normal(16000 * 5).astype(np.float32)
    stream.accept_waveform(noise, 16000)
    recognizer.decode_stream(stream)
    finals = stream.pop_finals()
    assert len(finals) == 2  # 5 s of continuous "speech" cut at 2 s and 4 s
    assert finals[0].end - finals[0].start == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_any_input_rate_gives_the_same_text(tiny_onnx, rate):
    recognizer = Recognizer(tiny_onnx, GREEDY, endpoint=NO_ENDPOINT)
    for name in TRAIN_CLIPS[:3]:
        samples = fsdd_clip(name)
        expected = _streamed_text(recognizer, samples)
        resampled = soxr.resample(samples, 16000, rate).astype(np.float32)
        assert _streamed_text(recognizer, resampled, rate=rate) == expected


def test_streaming_works_where_torch_cannot_be_imported(tiny_onnx):
    script = (
        "import sys\n"
        "class BlockTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ImportError('torch is not installed here')\n"
        "sys.meta_path.insert(0, BlockTorch())\n"
        "from streaming import Recognizer\n"
        "r = Recognizer(sys.argv[1])\n"
        "print(' '.join(x.text for x in r.transcribe_file(sys.argv[2])))\n"
        "assert 'torch' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tiny_onnx), str(FSDD / "9_jackson_5.wav")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "nine"


def test_model_errors_are_clear(tmp_path):
    with pytest.raises(ModelError, match="model file not found"):
        Recognizer(tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00not a model")
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        Recognizer(junk)
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["features"], ["log_probs"])],
        "g",
        [onnx.helper.make_tensor_value_info("features", onnx.TensorProto.FLOAT, [1])],
        [onnx.helper.make_tensor_value_info("log_probs", onnx.TensorProto.FLOAT, [1])],
    )
    identity = onnx.helper.make_model(
        graph, ir_version=8, opset_imports=[onnx.helper.make_opsetid("", 17)]
    )
    bare = tmp_path / "bare.onnx"
    onnx.save(identity, str(bare))
    with pytest.raises(ModelError, match="not an lstm-asr model"):
        Recognizer(bare)


def test_incompatible_format_version(tiny_onnx, tmp_path):
    model = onnx.load(str(tiny_onnx))
    for entry in model.metadata_props:
        if entry.key == "lstm_asr_format":
            entry.value = "99"
    path = tmp_path / "future.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ModelError, match="format 99 is not supported"):
        Recognizer(path)


def test_a_phoneme_model_is_refused_with_a_reason(tiny_onnx, tmp_path):
    """Its outputs are phoneme codes: the English decoders would spell nonsense from them."""
    from asr.phonemes import PHONEME_SYMBOLS

    model = onnx.load(str(tiny_onnx))
    for entry in model.metadata_props:
        if entry.key == "vocabulary":
            entry.value = json.dumps(list(PHONEME_SYMBOLS))
    path = tmp_path / "phonemes.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ModelError, match="phonemes.onnx: a phoneme model"):
        Recognizer(path)


def test_word_times_never_pass_the_end_of_the_audio():
    from asr.ctc.decoding import TokenSequence
    from asr.tokens import Vocabulary
    from streaming.result import make_result, tokens_to_words

    vocab = Vocabulary()
    ids = vocab.encode("hi yo")
    tokens = TokenSequence(ids=ids, frames=[2, 3, 5, 9, 10], probs=[0.9] * 5)
    free = tokens_to_words(tokens, vocab, 0.03)
    assert [(w.word, w.start, w.end) for w in free] == [("hi", 0.06, 0.12), ("yo", 0.27, 0.33)]
    capped = tokens_to_words(tokens, vocab, 0.03, audio_seconds=0.3)
    assert [(w.word, w.start, w.end) for w in capped] == [("hi", 0.06, 0.12), ("yo", 0.27, 0.3)]
    # The segment too ends with the audio, not with the silence padded after it.
    result = make_result(tokens, vocab, 0.03, 0, 20, audio_seconds=0.3, is_final=True)
    assert (result.text, result.start, result.end) == ("hi yo", 0.0, 0.3)
    assert result.words == capped


def test_integer_pcm_decodes_like_float_audio():
    """int16/int32/uint8 samples (soundfile's dtype=...) are PCM, scaled to [-1, 1]."""
    recognizer = Recognizer(endpoint=NO_ENDPOINT)
    path = str(FSDD / "9_jackson_5.wav")

    def text(dtype):
        samples, rate = sf.read(path, dtype=dtype)
        stream = recognizer.create_stream()
        stream.accept_waveform(samples, rate)
        return " ".join(r.text for r in recognizer.finish(stream))

    expected = text("float32")
    assert expected
    assert text("int16") == expected
    assert text("int32") == expected
    uint8 = (np.round(sf.read(path, dtype="float32")[0] * 127) + 128).astype(np.uint8)
    assert np.allclose(
        recognizer.utterance_log_probs(uint8),
        recognizer.utterance_log_probs((uint8.astype(np.float32) - 128) / 128),
    )


@pytest.mark.parametrize("samples", [np.zeros(160, np.int64), np.zeros(160, np.complex64)])
def test_unsupported_sample_types_are_refused_clearly(samples):
    stream = Recognizer().create_stream()
    with pytest.raises(ValueError, match=f"unsupported sample type {samples.dtype}"):
        stream.accept_waveform(samples, 16000)


@pytest.mark.parametrize("decoder", ["greedy", "beam"])
def test_results_hold_plain_python_floats(decoder):
    from streaming import default_lm_path

    if decoder == "beam":
        recognizer = Recognizer(decoding=DecodingOptions(lm=default_lm_path()))
    else:
        recognizer = Recognizer(decoding=GREEDY)
    results = recognizer.transcribe_file(FSDD / "9_jackson_5.wav")
    results.append(recognizer.offline_transcribe(fsdd_clip("3_theo_5.wav")))
    words = [word for result in results for word in result.words]
    assert words
    values = [v for r in results for v in (r.start, r.end)]
    values += [v for w in words for v in (w.start, w.end, w.conf)]
    assert {type(value) for value in values} == {float}
