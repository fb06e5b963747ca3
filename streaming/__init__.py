"""Streaming recognition on onnxruntime. Never imports torch.

from streaming import DecodingOptions, Recognizer
recognizer = Recognizer()  # the shipped model, LM and lexicon, decoded as the commands decode
recognizer = Recognizer(decoding=DecodingOptions.greedy_ctc())  # fastest, no LM
stream = recognizer.create_stream()
stream.accept_waveform(samples, sample_rate)
recognizer.decode_stream(stream)  # the recognizer owns the decode loop; streams are passive
print(stream.partial().text)
for result in stream.pop_finals() + recognizer.finish(stream):
    print(result.text, result.words)
"""

from asr.ctc.lexicon import default_lexicon_path
from asr.ctc.options import DecodingOptions, default_lm_path
from streaming.endpoint import EndpointConfig
from streaming.model import ModelError, OnnxAcousticModel, default_model_path
from streaming.recognizer import Recognizer
from streaming.result import Result, Word
from streaming.stream import Stream

__all__ = [
    "DecodingOptions",
    "EndpointConfig",
    "ModelError",
    "OnnxAcousticModel",
    "Recognizer",
    "Result",
    "Stream",
    "Word",
    "default_lexicon_path",
    "default_lm_path",
    "default_model_path",
]
