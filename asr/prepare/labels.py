"""Which text a clip keeps: the package's own text, a Whisper teacher's, or none (dropped).

Neither source is clean. Game text is what the actor was given, not always what they said
(paraphrases, cut lines, shouting, stage-direction quirks); the teacher mishears acted speech.
So they check each other (all texts compared after `normalize_text`, plus contractions
expanded so "it's"/"it is" count as the same):

1. source text and `tiny` agree (WER <= `agree_wer`)            -> keep source text
2. source text and `base` agree                                 -> keep source text
2b. source text and a teacher are close letter by letter (CER without spaces <=
   `close_cer`: "incoming"/"and coming", "hat"/"pat"): the teacher misheard or mis-split the
   scripted words                                               -> keep source text
3. `tiny` and `base` agree with each other but not the text, and they heard more than one
   word or `tiny` is confident (single words are where Whisper guesses: "girl" -> "go"),
   and the source text is one the speaker may have departed from: game text, or a file name
   of more than one word (a hedgewars "bye bye" clip says "i'm out of here"). A prompt list
   read in a studio, or a single-word name ("anchovy" said as a word, heard as "and should
   be"), is what was said: the clip is dropped instead (a spot check of 50 clips kept by
   this rule found every such replacement wrong)          -> keep `base`'s text (whisper)
4. no source text: `tiny` and `base` agree                      -> keep `base`'s text (whisper)
5. no source text, no `base` result yet: `tiny` confident
   (avg_logprob >= `min_logprob`, no_speech_prob <= `max_no_speech`) and
   `allow_single_teacher`                                       -> keep `tiny`'s text (whisper)
6. source text, no teacher has run yet, and `keep_unverified`   -> keep source text (provisional,
   rule `unverified`: for training before the slow labelling step has finished)
7. anything else (including an empty or non-speech teacher)    -> drop

A teacher text faster than `max_chars_per_second` (letters and spaces per second of audio) is
not speech either: Whisper's repetition loops ("la la la ..." x 300 on a 1.4 s clip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asr.tokens import normalize_text
from asr.wer import edit_distance

_CONTRACTIONS = {
    "n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'d": " would", "'m": " am",
}  # fmt: skip
_SPECIAL = {"won't": "will not", "can't": "can not", "cannot": "can not", "ain't": "is not",
            "let's": "let us", "gonna": "going to", "wanna": "want to", "ok": "okay",
            "mr": "mister", "mrs": "missus", "dr": "doctor"}  # fmt: skip
_FILLERS = {"uh", "um", "hmm", "ah", "oh", "er", "erm", "mm", "huh"}
# What Whisper writes for music, noise and grunts; never a label on its own.
HALLUCINATIONS = {
    "you", "thanks for watching", "thank you for watching", "music", "applause", "laughter",
    "subtitles by the amara org community", "please subscribe", "so", "i", "the end",
}  # fmt: skip


@dataclass(frozen=True)
class LabelRules:
    agree_wer: float = 0.25
    close_cer: float = 0.35
    single_word_logprob: float = -0.4
    teachers_agree_wer: float = 0.15
    min_logprob: float = -0.5
    max_no_speech: float = 0.5
    max_chars_per_second: float = 25.0  # fast read speech is ~15
    allow_single_teacher: bool = False
    keep_unverified: bool = False


@dataclass(frozen=True)
class Decision:
    text: str  # normalised; '' when dropped
    label: str  # game-text / filename / prompt-list / whisper / '' when dropped
    rule: str  # which rule decided (for the report)


def comparable(text: str) -> list[str]:
    """Words for comparison: normalised, contractions expanded, fillers dropped."""
    words = []
    for word in normalize_text(text).split():
        if word in _SPECIAL:
            words.extend(_SPECIAL[word].split())
            continue
        for suffix, full in _CONTRACTIONS.items():
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)] + full
                break
        word = re.sub(r"'s$", " is", word)  # "it's"/"it is" alike; possessives match anyway
        words.extend(w for w in word.split() if w not in _FILLERS)
    return words


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = comparable(reference), comparable(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def char_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize_text(reference), normalize_text(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(list(ref), list(hyp)) / len(ref)


def _letters(text: str) -> list[str]:
    return [ch for ch in " ".join(comparable(text)) if ch != " "]


def close_letters(reference: str, hypothesis: str) -> float:
    """CER over letters only (spaces removed), so word splits do not count."""
    ref, hyp = _letters(reference), _letters(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def _speech(result: dict | None, rules: LabelRules, duration: float | None = None) -> bool:
    if not result:
        return False
    text = normalize_text(result.get("text", ""))
    return bool(
        text
        and text not in HALLUCINATIONS
        and result.get("no_speech_prob", 0.0) <= rules.max_no_speech
        and (not duration or len(text) / duration <= rules.max_chars_per_second)
    )


def _replaceable(source: str, source_kind: str) -> bool:
    """May the teachers' text replace this source text (rule 3)?"""
    if source_kind == "prompt-list":
        return False
    return source_kind != "filename" or len(source.split()) > 1


def _agree(a: str, b: str, limit: float) -> bool:
    # Symmetric: the worse of the two directions must pass.
    return max(word_error_rate(a, b), word_error_rate(b, a)) <= limit


def decide(
    source_text: str,
    source_kind: str,
    tiny: dict | None,
    base: dict | None,
    rules: LabelRules = LabelRules(),
    duration: float | None = None,
) -> Decision:
    """Apply the rules above. `tiny`/`base` are teacher results (`text`, `avg_logprob`,
    `no_speech_prob`) or None when that teacher has not run on the clip; `duration` (seconds)
    enables the speaking-rate check."""
    source = normalize_text(source_text)
    tiny_ok, base_ok = _speech(tiny, rules, duration), _speech(base, rules, duration)
    if source:
        if tiny_ok and word_error_rate(source, tiny["text"]) <= rules.agree_wer:
            return Decision(source, source_kind, "text=tiny")
        if base_ok and word_error_rate(source, base["text"]) <= rules.agree_wer:
            return Decision(source, source_kind, "text=base")
        for result in (tiny, base):
            if _speech(result, rules) and close_letters(source, result["text"]) <= rules.close_cer:
                return Decision(source, source_kind, "text~teacher")
        if (
            tiny_ok
            and base_ok
            and _replaceable(source, source_kind)
            and _agree(tiny["text"], base["text"], rules.teachers_agree_wer)
            and (
                len(comparable(base["text"])) > 1
                or tiny.get("avg_logprob", -10.0) >= rules.single_word_logprob
            )
        ):
            return Decision(normalize_text(base["text"]), "whisper", "tiny=base!=text")
        if tiny is None and base is None:
            if rules.keep_unverified:
                return Decision(source, source_kind, "unverified")
            return Decision("", "", "not-labelled")
        if base is None and tiny_ok:
            return Decision("", "", "needs-base")
        return Decision("", "", "text-disputed")
    if tiny_ok and base_ok and _agree(tiny["text"], base["text"], rules.teachers_agree_wer):
        return Decision(normalize_text(base["text"]), "whisper", "tiny=base")
    if tiny is None:
        return Decision("", "", "not-labelled")
    if (
        base is None
        and tiny_ok
        and rules.allow_single_teacher
        and tiny.get("avg_logprob", -10.0) >= rules.min_logprob
    ):
        return Decision(normalize_text(tiny["text"]), "whisper", "tiny-confident")
    if base is None and tiny_ok:
        return Decision("", "", "needs-base")
    return Decision("", "", "teachers-disagree" if tiny_ok and base_ok else "no-speech")
