import json
import shutil

import pytest
import torch
from conftest import FSDD, TINY_CONFIG

from asr.ctc.lm_build import build_arpa
from asr.phonemes import PHONEME_SYMBOLS, decode_phones, encode_phones
from asr.prepare.pronunciations import ipa_to_arpabet
from asr.tokens import DEFAULT_SYMBOLS, Vocabulary
from asr.train import Trainer
from asr.train_config import TrainConfig
from asr.wer import cer, wer

# CMUdict's pronunciations of the FSDD words, typed here so the test needs no dictionary.
DIGITS = {
    "zero": "Z IH1 R OW0", "one": "W AH1 N", "two": "T UW1", "three": "TH R IY1",
    "four": "F AO1 R", "five": "F AY1 V", "six": "S IH1 K S", "seven": "S EH1 V AH0 N",
    "eight": "EY1 T", "nine": "N AY1 N",
}  # fmt: skip


def test_phone_codes_round_trip_and_drop_stress():
    assert encode_phones("K AH0 M P L EY1 N".split()) == "kamplen"
    assert decode_phones("kamplen") == ["K", "AH", "M", "P", "L", "EY", "N"]
    assert encode_phones(["DH", "TH", "ZH", "SH", "NG"]) == "DTZSG"
    assert len(PHONEME_SYMBOLS) == 41 and not Vocabulary(PHONEME_SYMBOLS).written
    assert Vocabulary(DEFAULT_SYMBOLS).written
    with pytest.raises(ValueError, match="'QX'"):
        encode_phones(["QX"])


def test_a_phoneme_vocabulary_takes_its_text_as_it_is():
    """The English normaliser would lower-case DH ("D") into D ("d"): phoneme codes skip it."""
    phonemes, letters = Vocabulary(PHONEME_SYMBOLS), Vocabulary()
    assert not phonemes.written and letters.written
    assert phonemes.encode("Da") != phonemes.encode("da")
    assert phonemes.decode(phonemes.encode("Da  kQt")) == "Da kQt"
    assert letters.encode("Da") == letters.encode("da")


def test_scores_of_phoneme_transcripts_keep_case():
    assert wer(["Da kQt"], ["da kQt"]) == 0.0  # as written English they would be equal
    assert wer(["Da kQt"], ["da kQt"], written=False) == 0.5
    assert cer(["Da"], ["da"], written=False) == 0.5


def test_espeak_ipa_maps_to_arpabet():
    assert ipa_to_arpabet("ɹˈoʊli") == ["R", "OW", "L", "IY"]
    assert ipa_to_arpabet("lˈɛdɚhˌoʊzən") == "L EH D ER HH OW Z AH N".split()
    assert ipa_to_arpabet("tʃˈɜːtʃ") == ["CH", "ER", "CH"]  # two-symbol phones first


def test_lm_over_phoneme_words_keeps_them_apart():
    vocab, _ = build_arpa(["Da kQt", "da dOg", "Da dOg"], order=2, min_counts=(1, 1), written=False)
    assert {"Da", "da", "kQt", "dOg"} <= set(vocab)


def test_init_turns_a_character_model_into_a_phoneme_model(trained_run, tmp_path):
    """The encoder is kept, the output layer is new (41 phoneme units); dev scores are taken on
    the phoneme codes as they are."""
    rows = [json.loads(line) for line in (FSDD / "train.jsonl").read_text().splitlines()]
    for row in rows:
        shutil.copy(FSDD / row["audio_filepath"], tmp_path / row["audio_filepath"])
        row["text"] = encode_phones(DIGITS[row["text"]].split())
    manifest = tmp_path / "phonemes.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    config = TrainConfig.from_dict({**TINY_CONFIG, "units": "phonemes"}).with_overrides(
        max_epochs=1, lr=1e-9
    )
    result = Trainer(config, tmp_path / "ph", tmp_path / "cache").run(
        manifest, manifest, init=trained_run["checkpoint"]
    )
    tuned = torch.load(tmp_path / "ph" / "last.pt", weights_only=True)
    source = torch.load(trained_run["checkpoint"], weights_only=True)
    assert tuned["vocabulary"] == list(PHONEME_SYMBOLS)
    assert tuned["model_config"] == {**source["model_config"], "vocab_size": 41}
    assert tuned["model_state"]["classifier.weight"].shape[0] == 41
    for name, weights in source["model_state"].items():
        if not name.startswith("classifier."):
            assert torch.allclose(tuned["model_state"][name], weights.float(), atol=1e-5), name
    # An untrained output layer: the phoneme codes are not yet recognised.
    assert result["history"][0]["dev_wer"] > 0.5


def test_units_must_be_known():
    with pytest.raises(ValueError, match="units"):
        TrainConfig.from_dict({"units": "syllables"})


def test_init_still_refuses_weights_that_do_not_fit(trained_run, tmp_path):
    """Only the output layer may be missing, and only when the units change."""
    source = torch.load(trained_run["checkpoint"], weights_only=True)
    state = dict(source["model_state"])
    del state["lstm.weight_ih_l0"]
    broken = tmp_path / "broken.pt"
    torch.save({**source, "model_state": state}, broken)
    config = TrainConfig.from_dict(TINY_CONFIG).with_overrides(max_epochs=1)
    with pytest.raises(SystemExit, match="do not fit"):
        Trainer(config, tmp_path / "ft", tmp_path / "cache").run(
            FSDD / "train.jsonl", FSDD / "train.jsonl", init=broken
        )
