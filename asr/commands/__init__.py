"""The user commands `asr transcribe`, `asr listen` and `asr evaluate`.

Each command lives in its own module with an `add_parser(sub)` function; all three run audio
through the same `streaming.Stream` (files through `Recognizer.transcribe_file`), so files, the
microphone and evaluation can never disagree. Nothing here imports torch, and nothing heavy runs at import.
"""
