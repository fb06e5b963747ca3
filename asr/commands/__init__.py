"""The `asr` commands, one module each with an `add_parser(sub)` function.

`transcribe`, `listen` and `evaluate` run audio through the same `streaming.Stream` (files
through `Recognizer.transcribe_file`), so files, the microphone and evaluation can never
disagree. `train`, `export` and `average` import torch when they run; nothing heavy runs at
import.
"""
