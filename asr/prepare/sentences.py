"""Sentence text for synthetic speech: offline text sources and generators.

Every sentence is a `Sentence(text, source)` where `text` is what the TTS engine is asked to
say: lower-case words of the model's vocabulary with light punctuation (, . ? ! ; :) kept for
prosody. The training label is `normalize_text(text)`, so the label is exactly the words the
engine read: digits, symbols and abbreviations are spelled out (or the sentence is dropped)
before synthesis, never left to each engine's own text expansion.

Sources (Debian packages, installed by `asr prepare tts`):
- WordNet 3.0 example sentences (`wordnet-base`, WordNet 3.0 licence: use/copy/modify/distribute
  with the copyright notice kept);
- fortune cookies from a hand-picked subset of the `fortunes` files (BSD licence of fortune-mod;
  short quotations of mixed provenance);
- the King James Bible (`bible-kjv`, public domain text), split into clauses;
- generated numbers, digit strings, dates, times, money and voice commands (this project, MIT).
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.tokens import normalize_text

WORDNET_DIR = Path("/usr/share/wordnet")
FORTUNE_DIR = Path("/usr/share/games/fortunes")
# Files whose items are mostly short aphorisms in plain English. Left out: long quotations of
# copyrighted works (pratchett, startrek, songs-poems, zippy), pictures (art, ascii-art),
# jargon and chat logs (computers, linux*, perl, debian, knghtbrd), and topics with many
# crude or dated jokes (ethnic, men-women, politics, drugs, love, definitions, kids).
FORTUNE_FILES = (
    "education",
    "food",
    "fortunes",
    "goedel",
    "humorists",
    "law",
    "literature",
    "magic",
    "medicine",
    "miscellaneous",
    "news",
    "paradoxum",
    "people",
    "pets",
    "platitudes",
    "science",
    "sports",
    "tao",
    "wisdom",
    "work",
)

MIN_WORDS = 3
MAX_WORDS = 25

_KEEP_PUNCT = ",.?!;:"
_VOWELS = set("aeiouy")
_ALLOWED_RAW = re.compile(r"^[A-Za-z0-9 ,.;:?!'\"()\-$%&/]+$")
_ABBREVIATION = re.compile(
    r"\b(?:[A-Za-z]\.){2,}|\b(?:etc|viz|cf|vs|ca|approx|esp|Mr|Mrs|Ms|Dr|St|Jr|Sr|Co|Inc|Ltd|No)\.",
    re.I,
)
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


@dataclass(frozen=True)
class Sentence:
    text: str  # what the engine reads (lower case, light punctuation)
    source: str

    @property
    def label(self) -> str:
        return normalize_text(self.text)


# ----------------------------------------------------------------------------- cleaning


def speakable(raw: str) -> str | None:
    """`raw` text as engine input whose spoken words equal its normalised label, or None when the
    sentence has something an engine would read differently from the label (acronyms,
    abbreviations, symbols, vowel-less words) or is too short/long."""
    raw = unicodedata.normalize("NFKD", raw)
    raw = "".join(ch for ch in raw if not unicodedata.combining(ch))
    raw = raw.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    raw = raw.replace("—", " -- ").replace("–", " -- ")
    raw = " ".join(raw.split())
    if not raw or not _ALLOWED_RAW.match(raw):
        return None
    if _ABBREVIATION.search(raw) or _ACRONYM.search(raw.replace("I ", "i ")):
        return None
    raw = raw.replace("--", ",").replace("(", ",").replace(")", ",").replace(" - ", ", ")
    words: list[str] = []
    for token in raw.split():
        core = token.strip("\"'" + _KEEP_PUNCT)
        bare = token.rstrip("\"'")
        trailing = bare[-1] if bare and bare[-1] in _KEEP_PUNCT else ""
        spoken = normalize_text(core) if core else ""
        if core and not spoken:
            return None
        if spoken:
            for word in spoken.split():
                letters = word.replace("'", "")
                if len(letters) > 1 and not (_VOWELS & set(letters)):
                    return None  # "mr", "hmm", "tv": engines disagree with the label
            words.append(spoken)
        if trailing and words and not words[-1].endswith(tuple(_KEEP_PUNCT)):
            words[-1] += trailing
    text = " ".join(words).strip(" ,;:")
    text = re.sub(r"([,;:])(?=[,;:.?!])", "", text)
    count = len(normalize_text(text).split())
    if count < MIN_WORDS or count > MAX_WORDS:
        return None
    return text


def _clean_all(raws: Iterable[str], source: str) -> Iterator[Sentence]:
    for raw in raws:
        text = speakable(raw)
        if text:
            yield Sentence(text, source)


# ----------------------------------------------------------------------------- text sources


def wordnet_examples(root: Path = WORDNET_DIR) -> list[Sentence]:
    """Quoted usage examples from the WordNet glosses (`data.noun`, `data.verb`, ...)."""
    raws: list[str] = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = root / f"data.{pos}"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or "|" not in line:
                continue  # licence header
            gloss = line.split("|", 1)[1]
            raws.extend(re.findall(r'"([^"]+)"', gloss))
    # Attributions ("... - Shakespeare") are not part of the example.
    raws = [re.sub(r"\s+-\s*[A-Z][\w. ]*$", "", raw) for raw in raws]
    return list(_clean_all(raws, "wordnet"))


def fortune_sentences(
    root: Path = FORTUNE_DIR, files: Iterable[str] = FORTUNE_FILES
) -> list[Sentence]:
    """Sentences of short fortune cookies (attributions and dialogues dropped)."""
    raws: list[str] = []
    for name in files:
        path = root / name
        if not path.is_file():
            continue
        for item in path.read_text(encoding="latin-1").split("\n%\n"):
            lines = [line for line in item.splitlines() if line.strip()]
            if not lines or any(
                re.match(r"^\s*(--|\w[\w .']{0,20}:\s)", line) for line in lines[:-1]
            ):
                continue  # dialogues, Q/A, lists with labels
            lines = [line for line in lines if not re.match(r"^\s*(--|\()", line.strip())]
            text = " ".join(line.strip() for line in lines)
            if len(text.split()) > 60:
                continue
            raws.extend(re.split(r"(?<=[.!?])\s+", text))
    return list(_clean_all(raws, "fortunes"))


def bible_clauses(program: str = "bible") -> list[Sentence]:
    """King James Bible verses (via the `bible` program of `bible-kjv`), long verses split at
    `;` and `:` into clauses."""
    try:
        result = subprocess.run(
            [program, "-f", "Gen1:1-Rev22:21"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return []
    raws: list[str] = []
    for line in result.stdout.splitlines():
        parts = line.split(" ", 1)
        if len(parts) != 2 or not re.match(r"^\w+\d+:\d+$", parts[0]):
            continue
        verse = parts[1].strip()
        if len(verse.split()) <= MAX_WORDS:
            raws.append(verse)
        else:
            raws.extend(clause.strip() for clause in re.split(r"[;:]", verse))
    return list(_clean_all(raws, "bible"))


# ----------------------------------------------------------------------------- generators

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NOUNS = (
    "apples", "boxes", "people", "cars", "pages", "dollars", "miles", "minutes", "houses",
    "students", "tickets", "books", "points", "steps", "days", "years", "bottles", "chairs",
    "songs", "emails", "files", "photos", "eggs", "kilometres", "meters", "pounds", "seats",
)  # fmt: skip
NAMES = (
    "anna", "ben", "carol", "david", "emma", "frank", "grace", "henry", "james", "kate",
    "laura", "mark", "nina", "oliver", "peter", "rachel", "sam", "tom", "victor", "william",
    "mum", "dad", "the office", "the doctor", "my sister", "my brother", "john", "mary", "lucy",
)  # fmt: skip
PLACES = (
    "london", "paris", "boston", "chicago", "denver", "seattle", "dallas", "toronto", "sydney",
    "berlin", "madrid", "dublin", "new york", "san francisco", "the airport", "the station",
    "home", "work", "the nearest hospital", "the city centre", "the beach", "the library",
)  # fmt: skip
DEVICES = (
    "lights", "kitchen lights", "bedroom lamp", "heating", "fan", "television", "radio",
    "music", "alarm", "air conditioning", "coffee machine", "front door", "garage door",
    "oven", "washing machine", "microphone", "camera", "screen", "computer",
)  # fmt: skip
ROOMS = ("kitchen", "bedroom", "living room", "bathroom", "office", "hall", "garden")
GENRES = ("jazz", "rock", "classical", "pop", "country", "some relaxing", "the news", "a podcast")
APPS = ("the calendar", "my email", "the browser", "settings", "the camera", "maps", "messages")
TASKS = (
    "call the bank", "buy milk", "take my medicine", "water the plants", "pick up the kids",
    "send the report", "book a table", "walk the dog", "pay the rent", "check the oven",
)  # fmt: skip
SHORT_COMMANDS = (
    "yes", "no", "stop", "go", "cancel", "next", "previous", "back", "go back", "pause",
    "play", "resume", "repeat", "help", "okay", "confirm", "delete", "undo", "redo", "up",
    "down", "left", "right", "on", "off", "start", "finish", "open", "close", "save", "skip",
    "louder", "quieter", "volume up", "volume down", "mute", "unmute", "scroll down",
    "scroll up", "zoom in", "zoom out", "select all", "copy that", "read it again",
    "what time is it", "what day is it today", "what's the weather like", "thank you",
    "never mind", "hang up", "answer the call", "take a picture", "start recording",
    "stop recording", "new line", "full stop", "next slide", "previous slide",
)  # fmt: skip


def _num(value: int, rng: np.random.Generator | None = None) -> str:
    """A cardinal in words ("one thousand three hundred and two"; "and" dropped at random when
    `rng` is given, as American speakers often do)."""
    from num2words import num2words

    words = normalize_text(num2words(value))
    if rng is not None and rng.random() < 0.5:
        words = words.replace(" and ", " ")
    return words


def _ordinal(value: int) -> str:
    from num2words import num2words

    return normalize_text(num2words(value, to="ordinal"))


def _year(rng: np.random.Generator) -> str:
    return normalize_text(str(int(rng.integers(1900, 2040))))


def _pick(rng: np.random.Generator, items: tuple[str, ...]) -> str:
    return items[int(rng.integers(len(items)))]


def gen_digits(rng: np.random.Generator) -> str:
    """A single digit word (the FSDD test words) or a digit string (PINs, phone numbers)."""
    kind = rng.random()
    if kind < 0.45:
        return _pick(rng, DIGITS)
    length = int(rng.integers(2, 11))
    digits = [_pick(rng, DIGITS) for _ in range(length)]
    if kind < 0.55:
        return ", ".join(digits)
    groups = [" ".join(digits[i : i + 3]) for i in range(0, length, 3)]
    frame = _pick(
        rng,
        ("{}", "{}", "my number is {}", "the code is {}", "call {}", "dial {}",
         "the pin is {}", "extension {}", "flight {}", "room {}"),
    )  # fmt: skip
    return frame.format(", ".join(groups))


def gen_number(rng: np.random.Generator) -> str:
    kind = int(rng.integers(8))
    magnitude = int(rng.choice([10, 100, 1000, 100000, 10000000]))
    value = int(rng.integers(0, magnitude))
    if kind == 0:
        return _num(value, rng)
    if kind == 1:
        return f"{_num(value, rng)} {_pick(rng, NOUNS)}"
    if kind == 2:
        return f"there are {_num(value, rng)} {_pick(rng, NOUNS)} left"
    if kind == 3:
        fraction = " ".join(_pick(rng, DIGITS) for _ in range(int(rng.integers(1, 3))))
        return f"{_num(int(rng.integers(0, 1000)))} point {fraction}"
    if kind == 4:
        return f"{_num(int(rng.integers(0, 101)))} percent"
    if kind == 5:
        dollars, cents = int(rng.integers(1, 2000)), int(rng.integers(1, 100))
        return f"{_num(dollars, rng)} dollars and {_num(cents)} cents"
    if kind == 6:
        thing = _pick(rng, ("floor", "time", "place", "page", "row", "day"))
        return f"the {_ordinal(int(rng.integers(1, 101)))} {thing}"
    return f"page {_num(int(rng.integers(1, 500)))}, line {_num(int(rng.integers(1, 60)))}"


def gen_date(rng: np.random.Generator) -> str:
    month, day = _pick(rng, MONTHS), _ordinal(int(rng.integers(1, 32)))
    kind = int(rng.integers(6))
    if kind == 0:
        return f"{month} {day}"
    if kind == 1:
        return f"the {day} of {month}"
    if kind == 2:
        return f"{month} {day}, {_year(rng)}"
    if kind == 3:
        return f"{_pick(rng, WEEKDAYS)}, the {day} of {month} {_year(rng)}"
    if kind == 4:
        return f"in {_year(rng)}"
    return f"the meeting is on {_pick(rng, WEEKDAYS)} {month} {day}"


def gen_time(rng: np.random.Generator) -> str:
    hour, minute = int(rng.integers(1, 13)), int(rng.integers(0, 60))
    kind = int(rng.integers(7))
    if kind == 0:
        return f"{_num(hour)} o'clock"
    if kind == 1:
        return f"half past {_num(hour)}"
    if kind == 2:
        return f"quarter {_pick(rng, ('past', 'to'))} {_num(hour)}"
    if kind == 3:
        tail = "oh " + _num(minute) if 0 < minute < 10 else (_num(minute) if minute else "")
        return f"{_num(hour)} {tail}".strip()
    if kind == 4:
        when = _pick(rng, ("in the morning", "in the afternoon", "in the evening", "at night"))
        return f"at {_num(hour)} {_num(minute) if minute >= 10 else ''} {when}".replace("  ", " ")
    if kind == 5:
        return f"{_num(minute)} minutes past {_num(hour)}" if minute else "midnight"
    return f"the train leaves at {_num(hour)} {_num(minute) if minute >= 10 else 'fifteen'}"


def gen_command(rng: np.random.Generator) -> str:
    kind = int(rng.integers(14))
    if kind == 0:
        return _pick(rng, SHORT_COMMANDS)
    if kind == 1:
        return f"turn {_pick(rng, ('on', 'off'))} the {_pick(rng, DEVICES)}"
    if kind == 2:
        return f"turn {_pick(rng, ('on', 'off'))} the {_pick(rng, ROOMS)} lights"
    if kind == 3:
        unit = _pick(rng, ("minutes", "seconds", "hours"))
        return f"set a timer for {_num(int(rng.integers(2, 61)))} {unit}"
    if kind == 4:
        return f"{_pick(rng, ('call', 'text', 'email', 'message', 'ring'))} {_pick(rng, NAMES)}"
    if kind == 5:
        return (
            f"play {_pick(rng, GENRES)} music"
            if rng.random() < 0.6
            else f"play {_pick(rng, GENRES)}"
        )
    if kind == 6:
        return f"what's the weather like in {_pick(rng, PLACES)}"
    if kind == 7:
        return f"{_pick(rng, ('open', 'close', 'show me'))} {_pick(rng, APPS)}"
    if kind == 8:
        return f"remind me to {_pick(rng, TASKS)} at {gen_time(rng)}"
    if kind == 9:
        verb = _pick(rng, ("navigate to", "take me to", "how far is it to", "directions to"))
        return f"{verb} {_pick(rng, PLACES)}"
    if kind == 10:
        return f"set the temperature to {_num(int(rng.integers(15, 30)))} degrees"
    if kind == 11:
        message = _pick(rng, ("i am on my way", "running late", "see you soon", "call me back"))
        return f"send a message to {_pick(rng, NAMES)} saying {message}"
    if kind == 12:
        verb = _pick(rng, ("go to", "skip to", "open"))
        thing = _pick(rng, ("page", "chapter", "track", "slide"))
        return f"{verb} {thing} {_num(int(rng.integers(1, 100)))}"
    return f"set an alarm for {gen_time(rng)}"


LETTERS = "abcdefghijklmnopqrstuvwxyz"
SPELLED_WORDS = tuple(
    w for w in (*NAMES, *PLACES, *NOUNS, *ROOMS, *DEVICES) if w.isalpha() and len(w) <= 10
)


def gen_spelling(rng: np.random.Generator) -> str:
    """Spelled letters: names and words letter by letter, random letter strings and codes of
    letters and digits (names, postcodes, booking references, call signs). The engine reads
    "h, i, n" so that every letter is said by its name ("a" would be read as the article); the
    label is "h i n"."""
    kind = rng.random()
    if kind < 0.35:
        word = _pick(rng, SPELLED_WORDS)
        items = list(word)
    elif kind < 0.7:
        word = ""
        items = [LETTERS[int(rng.integers(26))] for _ in range(int(rng.integers(1, 9)))]
    else:
        word = ""
        items = [
            _pick(rng, DIGITS) if rng.random() < 0.35 else LETTERS[int(rng.integers(26))]
            for _ in range(int(rng.integers(2, 9)))
        ]
    spelled = ", ".join(items)
    if word and rng.random() < 0.5:
        frame = _pick(rng, ("{w}, {s}", "{w}, that's {s}", "it's spelled {s}", "{s}, {w}"))
        return frame.format(w=word, s=spelled)
    if rng.random() < 0.25:
        frame = _pick(
            rng,
            ("the code is {}", "my reference is {}", "spell {}", "the letters are {}",
             "that's {}", "the postcode is {}"),
        )  # fmt: skip
        return frame.format(spelled)
    return spelled


GENERATORS: dict[str, Callable[[np.random.Generator], str]] = {
    "digits": gen_digits,
    "numbers": gen_number,
    "dates": gen_date,
    "times": gen_time,
    "commands": gen_command,
    "spelling": gen_spelling,
}
# Each generator's seed stream is fixed, so a new source changes no other source's sentences.
_GENERATOR_SEED_INDEX = {
    "commands": 0, "dates": 1, "digits": 2, "numbers": 3, "times": 4, "spelling": 5,
}  # fmt: skip

# Share of clips drawn from each source (renormalised over the sources that are available).
SOURCE_WEIGHTS: dict[str, float] = {
    "wordnet": 0.36,
    "fortunes": 0.12,
    "bible": 0.10,
    "digits": 0.12,
    "numbers": 0.09,
    "dates": 0.05,
    "times": 0.05,
    "commands": 0.11,
    "spelling": 0.06,
}
GENERATED_PER_SOURCE = 20000


def generated_sentences(source: str, count: int, seed: int) -> list[Sentence]:
    """`count` sentences from a generator, deterministic given `seed` (duplicates kept: short
    commands and digits recur in real use too)."""
    rng = np.random.default_rng([seed, _GENERATOR_SEED_INDEX[source], 7])
    make = GENERATORS[source]
    return [Sentence(" ".join(make(rng).split()), source) for _ in range(count)]


def build_sentences(
    seed: int, generated_per_source: int = GENERATED_PER_SOURCE
) -> dict[str, list[Sentence]]:
    """All sentence pools, by source. Text sources are de-duplicated by label across sources."""
    pools: dict[str, list[Sentence]] = {}
    seen: set[str] = set()
    for source, load in (
        ("wordnet", wordnet_examples),
        ("fortunes", fortune_sentences),
        ("bible", bible_clauses),
    ):
        unique = []
        for sentence in load():
            label = sentence.label
            if label not in seen:
                seen.add(label)
                unique.append(sentence)
        if unique:
            pools[source] = unique
    for source in GENERATORS:
        pools[source] = generated_sentences(source, generated_per_source, seed)
    return pools
