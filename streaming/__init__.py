"""Streaming recognition on onnxruntime. Never imports torch.

from streaming import Recognizer, default_lm_path
recognizer = Recognizer()            # the shipped English model, greedy
recognizer = Recognizer(decoder="beam", lm=default_lm_path(), lexicon=default_lexicon_path())
                                     # + shipped LM and lexicon, as the commands
stream = recognizer.create_stream()
stream.accept_waveform(samples, sample_rate)
print(stream.partial().text)
for result in stream.finish():
    print(result.text, result.words)
"""

from streaming.decoder import default_lexicon_path, default_lm_path
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
    "default_lexicon_path",
    "default_lm_path",
    "default_model_path",
]
