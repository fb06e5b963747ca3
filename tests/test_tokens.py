import pytest

from asr.tokens import BLANK, Vocabulary, normalize_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Hello, World!", "hello world"),
        ("It's O'Neil's 2nd try.", "it's o'neil's second try"),
        ("I have 3 cats and 21 dogs", "i have three cats and twenty-one dogs".replace("-", " ")),
        ("3.5%", "three point five percent"),
        ("$20", "twenty dollars"),
        ("in 1984 and 2024", "in nineteen eighty four and twenty twenty four"),
        ("1,000,000 people", "one million people"),
        ("Café — naïve", "cafe naive"),
        ("'quoted' words", "quoted words"),
        ("rock-and-roll", "rock and roll"),
        ("   ", ""),
        ("007", "zero zero seven"),
        ("Tom & Jerry", "tom and jerry"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalised_text_is_in_vocabulary():
    vocab = Vocabulary()
    text = normalize_text("Mr. Smith paid £3.50 on the 15th of May, 1999!")
    assert all(ch in vocab.symbols for ch in text)


def test_vocabulary_layout_and_round_trip():
    vocab = Vocabulary()
    assert vocab.symbols[0] == BLANK and vocab.blank == 0
    assert len(vocab) == 29
    ids = vocab.encode("Don't stop")
    assert vocab.decode(ids) == "don't stop"
    assert vocab.decode([0, *ids, 0]) == "don't stop"


def test_vocabulary_rejects_bad_symbol_lists():
    with pytest.raises(ValueError):
        Vocabulary(["a", BLANK])
    with pytest.raises(ValueError):
        Vocabulary([BLANK, "a", "a"])
