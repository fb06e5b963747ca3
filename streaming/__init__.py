"""Streaming recognition on onnxruntime. Never imports torch.

from streaming import Recognizer
recognizer = Recognizer()            # the shipped English model
stream = recognizer.create_stream()
stream.accept_waveform(samples, sample_rate)
print(stream.partial().text)
for result in stream.finish():
    print(result.text, result.words)
"""

from streaming.endpoint import EndpointConfig
from streaming.model import ModelError, OnnxAcousticModel, default_model_path
from streaming.recognizer import Recognizer
from streaming.result import Result, Word
from streaming.stream import Stream

__all__ = [
    "EndpointConfig",
    "ModelError",
    "OnnxAcousticModel",
    "Recognizer",
    "Result",
    "Stream",
    "Word",
    "default_model_path",
]
