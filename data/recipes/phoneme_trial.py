"""The phoneme-units trial of issue 21: a phoneme model against a character model, decoded alike.

    python data/recipes/phoneme_trial.py assets --out DIR [--text MANIFEST ...]
    python data/recipes/phoneme_trial.py score MODEL.onnx SET.jsonl [...] --assets DIR
        [--weights 0.5 --bonuses 1.5]

`assets` pronounces every word of the shipped lexicon, the shipped LM and the LM's text
(`asr.prepare.pronunciations`: CMUdict, espeak-ng for the rest) and builds a trigram LM over
pronunciations from the text the shipped LM was built from (`--text` manifests and text
files + the system sentences, data/cards/lm.md). `score` computes the model's log-probabilities
once (int8 ONNX, whole utterance, one thread) and decodes them: a character model with the
shipped default decoder, a phoneme model with the same beam search over the pronunciation
lexicon and LM, whose words are then spelled by the English word LM (a small beam over the
homophones of each pronunciation). WER / CER against the manifest text, one JSON line per set
and setting.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from asr.audio import load_audio
from asr.commands.lm import system_text
from asr.ctc.beam_search import BeamConfig, BeamSearchDecoder
from asr.ctc.decoder import DecoderFactory
from asr.ctc.lexicon import Lexicon, default_lexicon_path, read_word_list, vocabulary_words
from asr.ctc.lm import NgramLm, read_arpa
from asr.ctc.lm_build import build_arpa, read_text_lines, write_arpa
from asr.ctc.options import DecodingOptions, default_lm_path
from asr.manifest import read_manifest
from asr.tokens import normalize_text
from asr.wer import cer, wer
from streaming.model import OnnxAcousticModel
from streaming.recognizer import utterance_log_probs

# The shipped LM's text, as data/cards/lm.md: /work/corpora/NAME/train.jsonl and the prose of
# `asr prepare lm-text --out /work/corpora/lm-text`
LM_TEXT = [Path(f"/work/corpora/{name}/train.jsonl") for name in ("tts", "spell", "human")]
LM_TEXT += [Path(f"/work/corpora/lm-text/{name}.txt") for name in ("sotu", "moby-dick", "austen")]


def build_assets(out: Path, texts: list[Path]) -> None:
    from asr.prepare.pronunciations import Pronouncer

    out.mkdir(parents=True, exist_ok=True)
    sentences = [normalize_text(line).split() for line in read_text_lines(texts)]
    sentences += [normalize_text(line).split() for line in system_text()]
    lm = read_arpa(default_lm_path())
    words = vocabulary_words(read_word_list(default_lexicon_path()), lm)
    words |= {w for sentence in sentences for w in sentence}
    pronouncer = Pronouncer()
    pronouncer.add(sorted(words))
    print(f"{len(words)} words, {len(pronouncer.guessed)} pronounced by espeak-ng")
    (out / "pronunciations.tsv").write_text(
        "".join(f"{w}\t{c}\n" for w, c in sorted(pronouncer.codes.items()) if c)
    )
    lines = [" ".join(pronouncer.codes[w] for w in s if pronouncer.codes[w]) for s in sentences]
    vocab, orders = build_arpa(lines, 3, (1, 2, 2), 50000, written=False)
    print("pronunciation LM n-grams:", write_arpa(out / "pron-lm.arpa.gz", vocab, orders))


class PhonemeDecoder:
    """Pronunciation beam search, then the words of each pronunciation chosen by the word LM."""

    def __init__(self, assets: Path, word_lm: NgramLm):
        self.homophones: dict[str, list[str]] = {}
        for line in (assets / "pronunciations.tsv").read_text().splitlines():
            word, code = line.split("\t")[:2]
            self.homophones.setdefault(code, []).append(word)
        self.lm = read_arpa(assets / "pron-lm.arpa.gz")
        self.lexicon = Lexicon(vocabulary_words(self.homophones, self.lm), self.lm)
        self.word_lm = word_lm
        # Words outside the word LM get their share of <unk>, as in the character decoder.
        word_lm.add_lexicon(vocabulary_words(read_word_list(default_lexicon_path()), word_lm))

    def decode(self, log_probs: np.ndarray, vocabulary, config: BeamConfig) -> str:
        search = BeamSearchDecoder(vocabulary, config, self.lm, self.lexicon)
        search.accept(log_probs)
        return " ".join(self.spell(vocabulary.decode(search.finalize().ids).split()))

    def spell(self, codes: list[str], beam: int = 8) -> list[str]:
        lm = self.word_lm
        hypotheses = [(0.0, lm.start(), [])]
        for code in codes:
            best: dict = {}
            for score, state, words in hypotheses:
                for word in self.homophones.get(code, [code]):
                    value, next_state = lm.score(state, word)
                    if next_state not in best or score + value > best[next_state][0]:
                        best[next_state] = (score + value, next_state, [*words, word])
            hypotheses = sorted(best.values(), key=lambda h: -h[0])[:beam]
        return max(hypotheses, key=lambda h: h[0] + lm.end(h[1]))[2]


def score(args: argparse.Namespace) -> None:
    model = OnnxAcousticModel(args.model, provider="cpu", threads=1)
    vocabulary = model.info.vocabulary
    word_lm = read_arpa(default_lm_path())
    phonemes = None if vocabulary.written else PhonemeDecoder(args.assets, word_lm)
    for set_path in args.sets:
        entries = read_manifest(set_path)[0]
        started = time.perf_counter()
        rate = model.info.feature_config.sample_rate
        log_probs = [utterance_log_probs(model, load_audio(e.audio_path, rate)) for e in entries]
        model_seconds = time.perf_counter() - started
        references = [normalize_text(e.text) for e in entries]
        for weight in args.weights:
            for bonus in args.bonuses:
                if phonemes is None:
                    options = DecodingOptions(lm_weight=weight, word_bonus=bonus, beam=args.beam)
                    factory = DecoderFactory.create(options)
                config = BeamConfig(beam=args.beam, lm_weight=weight, word_bonus=bonus)
                hypotheses = []
                for lp in log_probs:
                    if len(lp) == 0:
                        hypotheses.append("")
                    elif phonemes is None:
                        decoder = factory.new(vocabulary)
                        decoder.accept(lp)
                        hypotheses.append(vocabulary.decode(decoder.finalize().ids))
                    else:
                        hypotheses.append(phonemes.decode(lp, vocabulary, config))
                row = {
                    "model": str(args.model),
                    "set": str(set_path),
                    "lm_weight": weight,
                    "word_bonus": bonus,
                    "utts": len(entries),
                    "wer": round(100 * wer(references, hypotheses), 2),
                    "cer": round(100 * cer(references, hypotheses), 2),
                    "model_seconds": round(model_seconds, 1),
                }
                print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    assets = sub.add_parser("assets", help="pronunciations and the pronunciation LM")
    assets.add_argument("--out", type=Path, required=True)
    assets.add_argument(
        "--text",
        type=Path,
        nargs="*",
        default=LM_TEXT,
    )
    scoring = sub.add_parser("score", help="WER / CER of a model on manifests")
    scoring.add_argument("model", type=Path)
    scoring.add_argument("sets", type=Path, nargs="+")
    scoring.add_argument("--assets", type=Path, default=Path("phoneme-assets"))
    scoring.add_argument("--weights", type=float, nargs="+", default=[0.5])
    scoring.add_argument("--bonuses", type=float, nargs="+", default=[1.5])
    scoring.add_argument("--beam", type=int, default=16)
    args = parser.parse_args()
    if args.command == "assets":
        build_assets(args.out, args.text)
    else:
        score(args)


if __name__ == "__main__":
    main()
