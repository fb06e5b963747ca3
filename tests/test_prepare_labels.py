"""The labelling rules of asr/prepare/labels.py on fixed examples."""

from __future__ import annotations

import pytest

from asr.prepare.labels import (
    LabelRules,
    char_error_rate,
    comparable,
    decide,
    word_error_rate,
)


def teacher(text, logprob=-0.2, no_speech=0.01):
    return {"text": text, "avg_logprob": logprob, "no_speech_prob": no_speech}


def test_comparable_expands_contractions_and_drops_fillers():
    assert comparable("It's what I'd say, uh, OK?") == [
        "it",
        "is",
        "what",
        "i",
        "would",
        "say",
        "okay",
    ]
    assert comparable("I won't, you can't") == ["i", "will", "not", "you", "can", "not"]
    assert word_error_rate("THAT'S THE DOOR", "that is the door") == 0.0
    assert word_error_rate("a b c d", "a b x d") == pytest.approx(0.25)
    assert char_error_rate("abc", "abd") == pytest.approx(1 / 3)


def test_game_text_kept_when_tiny_agrees():
    d = decide("THAT'S THE SECOND BIGGEST DOOR I'VE SEEN IN MY LIFE", "game-text",
               teacher("It's the second biggest door I've seen in my life."), None)  # fmt: skip
    assert d.text == "that's the second biggest door i've seen in my life"
    assert (d.label, d.rule) == ("game-text", "text=tiny")


def test_game_text_kept_when_base_agrees_but_tiny_does_not():
    d = decide("hey what's up man", "game-text", teacher("hey watch out man"),
               teacher("hey what's up man"))  # fmt: skip
    assert (d.label, d.rule) == ("game-text", "text=base")


def test_teachers_override_a_paraphrased_line():
    # The actor said something else; both teachers hear the same words.
    d = decide("I AM POSITIVE, MASTER", "game-text", teacher("Yes, master, I'm sure."),
               teacher("Yes master, I'm sure."))  # fmt: skip
    assert d.label == "whisper" and d.rule == "tiny=base!=text"
    assert d.text == "yes master i'm sure"


def test_disputed_and_quirky_text_is_dropped():
    d = decide("F WHISTLE", "game-text", teacher("Oh no!"), teacher("Whoa, look!"))
    assert d.text == "" and d.rule == "text-disputed"


def test_waits_for_base_when_tiny_disagrees():
    d = decide("hello there", "filename", teacher("yellow chair"), None)
    assert d.text == "" and d.rule == "needs-base"
    assert decide("hello there", "filename", None, None).rule == "not-labelled"


def test_no_source_text_needs_two_agreeing_teachers():
    d = decide("", "", teacher("Take cover!"), teacher("Take cover."))
    assert (d.text, d.label, d.rule) == ("take cover", "whisper", "tiny=base")
    assert (
        decide("", "", teacher("Take cover!"), teacher("Make it over")).rule == "teachers-disagree"
    )
    assert decide("", "", teacher("Take cover!"), None).rule == "needs-base"


def test_single_teacher_only_when_allowed_and_confident():
    rules = LabelRules(allow_single_teacher=True, min_logprob=-0.5)
    assert decide("", "", teacher("Take cover!", -0.3), None, rules).rule == "tiny-confident"
    assert decide("", "", teacher("Take cover!", -0.9), None, rules).rule == "needs-base"


def test_non_speech_is_dropped():
    silent = teacher("", no_speech=0.9)
    assert decide("", "", silent, silent).rule == "no-speech"
    music = teacher("Thank you.", no_speech=0.95)
    assert decide("", "", music, music).rule == "no-speech"


def test_whisper_hallucinations_are_not_labels():
    noise = teacher("Thanks for watching!")
    assert decide("", "", noise, noise).rule == "no-speech"
    assert decide("", "", teacher("You"), teacher("you")).text == ""


def test_unverified_text_only_on_request_and_only_before_any_teacher():
    assert decide("hello there", "filename", None, None).rule == "not-labelled"
    rules = LabelRules(keep_unverified=True)
    d = decide("Hello there!", "filename", None, None, rules)
    assert (d.text, d.label, d.rule) == ("hello there", "filename", "unverified")
    assert decide("hello there", "filename", teacher("yellow chair"), None, rules).text == ""
    assert decide("", "", None, None, rules).text == ""


def test_close_letters_keep_the_scripted_words():
    d = decide("incoming", "filename", teacher("And coming!"), teacher("and coming"))
    assert (d.text, d.rule) == ("incoming", "text~teacher")
    d = decide("Login incorrect. Mailbox?", "prompt-list", teacher("Login and correct. Mailbox."),
               teacher("Login and correct mailbox"))  # fmt: skip
    assert d.text == "login incorrect mailbox"
    assert decide("hat", "filename", teacher("Pat."), teacher("pat")).text == "hat"


def test_single_word_overrides_need_a_confident_teacher():
    unsure = decide("girl", "filename", teacher("Go!", -0.9), teacher("go"))
    assert (unsure.text, unsure.rule) == ("", "text-disputed")
    sure = decide("girl", "game-text", teacher("Go!", -0.2), teacher("go"))
    assert (sure.text, sure.rule) == ("go", "tiny=base!=text")


def test_prompts_and_single_word_names_are_never_replaced_by_the_teachers():
    # From the spot check: a studio prompt list and one-word names are what was said.
    prompt = decide("Is set to.", "prompt-list", teacher("Is that too?"), teacher("is that too"))
    assert (prompt.text, prompt.rule) == ("", "text-disputed")
    word = decide("anchovy", "filename", teacher("And should be."), teacher("and should be"))
    assert (word.text, word.rule) == ("", "text-disputed")
    # A pack whose file names are categories: the line said is the teachers'.
    line = decide("bye bye", "filename", teacher("I'm out of here!"), teacher("I'm out of here."))
    assert (line.text, line.rule) == ("i'm out of here", "tiny=base!=text")


def test_teacher_text_faster_than_speech_is_a_hallucination():
    loop = " ".join(["la"] * 300)
    d = decide("stupid", "filename", teacher(loop), teacher(loop), duration=1.42)
    assert (d.text, d.rule) == ("", "text-disputed")
    ok = decide("", "", teacher("victory is ours"), teacher("victory is ours"), duration=1.08)
    assert ok.text == "victory is ours"
