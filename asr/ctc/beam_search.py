"""CTC prefix beam search in numpy, incremental like `GreedyDecoder`, with an optional word
n-gram LM, a word insertion bonus and hotword boosting.

Feed log-prob chunks `[T, V]` with `accept`; `tokens` is the current best hypothesis (partial
results), `finalize()` applies the LM to the last word and the sentence end and returns the
best hypothesis with per-word confidences from the beam; `reset()` starts a new utterance. The
search is frame-synchronous, so any chunking gives the same result as one call.

Prefixes are nodes of a tree (parent, token), so merging hypotheses is a dict lookup and each
prefix's LM state, hotword state and extra score are computed once, when it is created. Per
frame only tokens within `token_prune` (natural log) of the best, at most `max_tokens` of them,
extend the beam; blank-only frames are pure numpy.

Scores: log P_ctc(prefix) + lm_weight * log P_lm(words) + word_bonus * words + hotword bonuses,
with `blank_penalty` taken off the blank's log-prob on every step.
The LM scores a word when a space ends it and at `finalize()`. Until then an unfinished word is
charged a lookahead, so that it competes fairly with hypotheses whose words are already scored
(without it a long unscored blob outranks the several words it glues together, each of which
has paid its LM cost): with a lexicon, the best unigram score of the words it can still
become; once it can become none, `<unk>` plus the per-letter cost of a non-word (`asr.lm`).

Vocabulary: with a `Lexicon` the search spells only its words (every extension that leaves the
lexicon's prefixes is pruned as it is made) unless `open_vocabulary`; `closed_vocabulary`
narrows it to the LM's words and the hotwords, like a grammar.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from asr.ctc.decoding import TokenSequence
from asr.ctc.hotwords import HotwordTrie
from asr.ctc.lexicon import Lexicon, vocabulary_words
from asr.ctc.lm import OOV_LETTER_LOG, NgramLm
from asr.ctc.options import DEFAULT_BEAM
from asr.tokens import Vocabulary

NEG = -1e30
CONF_FRAMES = 3  # a word in another hypothesis agrees when it starts within this many steps
COMPACT_NODES = 50_000  # prefix-tree size that triggers dropping dead prefixes


@dataclass(frozen=True)
class BeamConfig:
    beam: int = DEFAULT_BEAM
    max_tokens: int = 8  # token candidates per frame
    token_prune: float = 10.0  # skip tokens this far (natural log) below the frame's best
    lm_weight: float = 0.5
    word_bonus: float = 0.0
    hotwords: dict[str, float] = field(default_factory=dict)
    # Only words of the LM (and hotwords) may be output, as in a grammar: digits, commands,
    # names. Every extension that leaves the vocabulary's prefixes is pruned as it is made, so
    # the beam holds only spellable words (an open search keeps misspellings like "fine" for
    # "five" to the end, where a word LM alone cannot repair them).
    closed_vocabulary: bool = False
    # Any letter string may be output, even with a lexicon (which then only scores prefixes):
    # names and codes that no word list holds.
    open_vocabulary: bool = False
    # Subtracted from the blank's log-prob on every step: a model trained on little data puts
    # too much mass on blank, and a strong LM then drops words; this lets the LM weight rise
    # without more deletions.
    blank_penalty: float = 0.0


@dataclass
class _Node:
    """A prefix: its last token and everything derived from the prefix once."""

    parent: int
    token: int
    frame: int
    prob: float  # posterior of the token on the step it was emitted
    word: str  # letters of the unfinished word
    lm_state: tuple
    fixed: float  # LM + bonuses of finished words, confirmed hotword bonuses
    hot: int | None  # hotword trie node (0: at a word boundary; None: outside the trie)
    hot_partial: float  # bonus of an unfinished hotword, taken back if it does not complete
    depth: int = 0  # tokens in the prefix
    span: tuple[int, int] = (0, 0)  # the lexicon words the unfinished word can still become
    look: float = 0.0  # lookahead LM score of the unfinished word, replaced when it ends

    @property
    def extra(self) -> float:
        return self.fixed + self.hot_partial + self.look


class BeamSearchDecoder:
    """Incremental CTC prefix beam search (same interface as `GreedyDecoder`)."""

    # Skip the letters that cannot reach the beam (see `_lm_steps`); the result is the same
    # without it (tested), only slower.
    prune_letters: bool = True

    def __init__(
        self,
        vocabulary: Vocabulary,
        config: BeamConfig | None = None,
        lm: NgramLm | None = None,
        lexicon: Lexicon | None = None,
    ):
        """`lexicon`: the words to spell (share one between streams: it is built once). It
        should hold the LM's words and the hotwords (`asr.ctc.lexicon.vocabulary_words`); hotwords
        it lacks are added here. None: the LM's words and the hotwords, which are the grammar
        of `closed_vocabulary` and otherwise only score unfinished words."""
        self.vocabulary = vocabulary
        self.config = config or BeamConfig()
        if self.config.beam < 1:
            raise ValueError("beam must be at least 1")
        if self.config.closed_vocabulary and self.config.open_vocabulary:
            raise ValueError("a vocabulary cannot be both closed and open")
        self.lm = lm
        self.trie = HotwordTrie(self.config.hotwords)
        if lm is not None:
            lm.add_known(self.trie.words)
        self.blank = vocabulary.blank
        self.space = vocabulary.space
        self.symbols = vocabulary.symbols
        # Spell only the lexicon's words, or (a grammar) the LM's and the hotwords.
        self.constrained = self.config.closed_vocabulary or (
            lexicon is not None and not self.config.open_vocabulary
        )
        if lexicon is None and (self.config.closed_vocabulary or lm is not None):
            # Without a lexicon the LM's words still give unfinished words their lookahead.
            words = vocabulary_words(lm=lm, extra=self.trie.words)
            if not words:
                raise ValueError("a closed vocabulary needs an LM or hotwords")
            lexicon = Lexicon(words, lm)
        elif lexicon is not None and not all(w in lexicon for w in self.trie.words):
            lexicon = Lexicon([*lexicon.words, *self.trie.words], lm)
        self.lexicon = lexicon
        self._unk = lm.unk_log10 * math.log(10.0) if lm is not None else 0.0
        self._steps: dict[tuple[int, int], tuple[tuple[int, int], float] | None] = {}
        self.reset()

    # ---- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        start = self.lm.start() if self.lm is not None else ()
        span = self.lexicon.full if self.lexicon is not None else (0, 0)
        self._nodes = [_Node(-1, -1, -1, 1.0, "", start, 0.0, 0, 0.0, span=span)]
        self._children: dict[tuple[int, int], int] = {}
        self._steps = {}
        self._beam = np.zeros(1, np.int64)  # node ids
        self._last = np.full(1, -1, np.int64)  # each beam prefix's last token
        self._extra = np.zeros(1)  # each beam prefix's LM/bonus score
        self._pb = np.zeros(1)  # log P(prefix, ending in blank)
        self._pnb = np.full(1, NEG)  # log P(prefix, ending in its last token)
        self._offset = 0
        self._cached: tuple[int, TokenSequence] | None = None
        self._compacted_size = 0

    @property
    def frames_seen(self) -> int:
        return self._offset

    # ---- search --------------------------------------------------------------------------------
    def accept(self, log_probs: np.ndarray) -> None:
        frames = np.array(log_probs, np.float64)  # a copy: the caller's array is not changed
        if self.config.blank_penalty:
            frames[:, self.blank] -= self.config.blank_penalty
        for frame in frames:
            self._step(frame)
            self._offset += 1
        self._cached = None
        if len(self._nodes) > max(COMPACT_NODES, 2 * self._compacted_size):
            self._compact()

    def _compact(self) -> None:
        """Drop the prefixes no beam entry descends from: without endpoints (hours of audio in
        one utterance) the tree would otherwise grow by up to `beam` nodes per step."""
        keep: set[int] = {0}
        for n in self._beam:
            n = int(n)
            while n not in keep:
                keep.add(n)
                n = self._nodes[n].parent
        order = sorted(keep)  # parents come before their children
        new_id = {old: new for new, old in enumerate(order)}
        nodes = []
        for old in order:
            node = self._nodes[old]
            node.parent = new_id.get(node.parent, -1)
            nodes.append(node)
        self._nodes = nodes
        self._children = {
            (node.parent, node.token): index for index, node in enumerate(nodes) if index > 0
        }
        self._beam = np.array([new_id[int(n)] for n in self._beam], np.int64)
        self._steps = {}
        self._compacted_size = len(nodes)  # compact again at twice this: amortised O(1)

    def _step(self, lp: np.ndarray) -> None:
        config = self.config
        nodes = self._nodes
        beam, pb, pnb, last = self._beam, self._pb, self._pnb, self._last
        total = np.logaddexp(pb, pnb)
        stay_pb = total + lp[self.blank]
        stay_pnb = np.where(last >= 0, pnb + lp[np.maximum(last, 0)], NEG)

        floor = lp.max() - config.token_prune
        candidates = np.flatnonzero(lp >= floor)
        candidates = candidates[candidates != self.blank]
        if len(candidates) > config.max_tokens:
            order = np.argsort(-lp[candidates], kind="stable")
            candidates = candidates[order[: config.max_tokens]]
        if len(candidates) == 0:  # a blank-only frame: every prefix stays
            self._pb, self._pnb = stay_pb, stay_pnb
            return

        # Extending prefix b by token c: from blank-ending paths only when c repeats the last.
        source = np.where(last[:, None] == candidates[None, :], pb[:, None], total[:, None])
        extend = source + lp[candidates][None, :]
        approx = extend + self._extra[:, None]
        in_beam = {int(n): i for i, n in enumerate(beam)}
        merges = self._merges(beam, candidates, in_beam)
        if self.trie:
            approx = approx + self._hot_steps(beam, candidates)
        if self.lexicon is not None or self.lm is not None:
            stays = np.logaddexp(stay_pb, stay_pnb) + self._extra
            steps, floor = self._lm_steps(beam, candidates, approx, stays, merges)
            approx = approx + steps
        else:
            floor = NEG / 2
        limit = min(approx.size, config.beam)
        flat = np.argpartition(-approx.ravel(), limit - 1)[:limit]
        chosen = {int(i) for i in flat if approx.flat[i] > NEG / 2 and approx.flat[i] >= floor}
        chosen.update(merges)

        scores: dict[int, list[float]] = {
            int(n): [stay_pb[i], stay_pnb[i]] for i, n in enumerate(beam)
        }
        for index in chosen:
            b, k = divmod(index, len(candidates))
            token = int(candidates[k])
            value = float(extend[b, k])
            target, into_blank = self._child(int(beam[b]), token, lp, in_beam)
            slot = scores.setdefault(target, [NEG, NEG])
            column = 0 if into_blank else 1
            slot[column] = _logaddexp(slot[column], value)

        ids = np.fromiter(scores, np.int64, len(scores))
        values = np.array(list(scores.values()))
        extra = np.array([nodes[n].extra for n in ids])
        if len(ids) > config.beam:
            ranked = np.logaddexp(values[:, 0], values[:, 1]) + extra
            keep = np.argpartition(-ranked, config.beam - 1)[: config.beam]
            ids, values, extra = ids[keep], values[keep], extra[keep]
        self._beam, self._pb, self._pnb, self._extra = ids, values[:, 0], values[:, 1], extra
        self._last = np.array([nodes[n].token for n in ids], np.int64)

    def _merges(
        self, beam: np.ndarray, candidates: np.ndarray, in_beam: dict[int, int]
    ) -> dict[int, None]:
        """The extensions (flat indices of the [beam, candidates] grid) that lead to a prefix
        already in the beam: they add to it, whatever their own score. An ordered set, so the
        prefixes are updated in the same order on every run."""
        columns = len(candidates)
        column_of = {int(token): k for k, token in enumerate(candidates)}
        space_column = column_of.get(self.space)
        merges: dict[int, None] = {}
        for b, n in enumerate(beam):
            node = self._nodes[n]
            if node.parent in in_beam and node.token in column_of:
                merges[in_beam[node.parent] * columns + column_of[node.token]] = None
            if space_column is not None and not node.word:  # a space between words: no new
                merges[b * columns + space_column] = None  # token, the same prefix
        return merges

    def _lm_steps(
        self,
        beam: np.ndarray,
        candidates: np.ndarray,
        base: np.ndarray,
        stays: np.ndarray,
        merges: dict[int, None],
    ) -> tuple[np.ndarray, float]:
        """What each extension adds to its prefix's LM score, for pre-pruning: a letter changes
        the lookahead, a space replaces it with the word's LM score; NEG where a constrained
        vocabulary cannot spell the extension, or where it cannot reach the beam.

        In a constrained search without hotwords a letter never raises the score (the words a
        prefix can become only narrow), so letters are scored best `base` first and the rest
        skipped once `base` alone falls below the `beam`-th best of the scores so far: the
        extensions scored and `stays`, the beam's prefixes without a new token (a lower bound
        of their score after this step, which merges only raise). An extension into a prefix
        already in the beam (`merges`) is no new hypothesis: it is not counted. The hot path.
        Also returns that `beam`-th best score when it bounds the new hypotheses (NEG when it
        does not): an extension below it cannot enter the beam."""
        out = np.full(base.shape, NEG)
        columns = len(candidates)
        spaces = np.flatnonzero(candidates == self.space)
        best: list[float] = stays.tolist()  # becomes a min-heap of the best `beam` scores
        for b, n in enumerate(beam):  # a space's change can be positive: score them all first
            node = self._nodes[int(n)]
            for k in spaces:
                out[b, k] = self._space_step(node) - node.look if node.word else 0.0
                if b * columns + k not in merges:
                    heapq.heappush(best, base[b, k] + out[b, k])
        width = self.config.beam
        best = heapq.nlargest(width, best)
        heapq.heapify(best)
        bounded = self.prune_letters and self.constrained and not self.trie
        for index in np.argsort(-base, axis=None, kind="stable"):
            b, k = divmod(int(index), columns)
            token = int(candidates[k])
            if token == self.space:
                continue
            if bounded and len(best) >= width and base[b, k] <= best[0]:
                break
            n = int(beam[b])
            step = self._letter_step(n, token)
            if step is None:
                continue
            out[b, k] = step[1] - self._nodes[n].look
            value = base[b, k] + out[b, k]
            if index in merges:
                continue
            if len(best) < width:
                heapq.heappush(best, value)
            elif value > best[0]:
                heapq.heapreplace(best, value)
        return out, best[0] if bounded and len(best) >= width else NEG / 2

    def _space_step(self, node: _Node) -> float:
        """The score a space gives `node`'s unfinished word (NEG where it is not a word)."""
        if self.constrained and not self.lexicon.is_word(node.span, node.word):
            return NEG
        return self._word_score(node.word, node.lm_state)

    def _letter_step(self, node_id: int, token: int) -> tuple[tuple[int, int], float] | None:
        """The lexicon slice and lookahead after adding letter `token` to a prefix, or None
        when a constrained vocabulary has no word that begins so (cached per prefix)."""
        key = (node_id, token)
        if key in self._steps:
            return self._steps[key]
        node = self._nodes[node_id]
        word = node.word + self.symbols[token]
        span = node.span
        if self.lexicon is not None:
            span = self.lexicon.narrow(span, word)
        step = None
        if span[1] > span[0] or not self.constrained:
            step = (span, self._lookahead(word, span))
        self._steps[key] = step
        return step

    def _lookahead(self, word: str, span: tuple[int, int]) -> float:
        """The unfinished word's LM estimate: the best unigram of the lexicon words it begins,
        or, when it begins none, `<unk>` plus the letters of a non-word so far."""
        if self.lm is None or self.lexicon is None:
            return 0.0
        if span[1] > span[0]:
            return self.config.lm_weight * self.lexicon.lookahead(span)
        return self.config.lm_weight * (self._unk + OOV_LETTER_LOG * len(word))

    def _hot_steps(self, beam: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """The hotword bonus each extension would gain or lose, for pre-pruning."""
        out = np.zeros((len(beam), len(candidates)))
        for b, n in enumerate(beam):
            node = self._nodes[n]
            for k, token in enumerate(candidates):
                if node.hot is None or token == self.space:
                    continue
                child = self.trie.step(node.hot, self.symbols[token])
                out[b, k] = -node.hot_partial if child is None else self.trie.nodes[child].boost
        return out

    def _child(
        self, parent: int, token: int, lp: np.ndarray, in_beam: dict[int, int]
    ) -> tuple[int, bool]:
        """The node of prefix+token (created on first use) and whether the probability goes to
        its blank-ending column. A space at the start or after a space is no new word."""
        node = self._nodes[parent]
        if token == self.space and not node.word:
            return parent, node.token != self.space
        key = (parent, token)
        child = self._children.get(key)
        new = child is None
        if new:
            child = len(self._nodes)
            self._nodes.append(self._derive(node, parent, token))
            self._children[key] = child
        prob = float(math.exp(lp[token]))
        if child not in in_beam:  # (re-)entering the beam; a new prefix has no descendants
            emits = new or not self._has_live_descendant(child)
        else:  # a likelier emission of a prefix that entered on a weak one (a narrow closed-
            # vocabulary beam takes those in), unless longer prefixes already build on it
            emits = prob > self._nodes[child].prob and not self._has_live_descendant(child, True)
        if emits:  # this step emits the token
            self._nodes[child].frame = self._offset
            self._nodes[child].prob = prob
        return child, False

    def _has_live_descendant(self, node_id: int, strict: bool = False) -> bool:
        """Whether a beam prefix extends `node_id` (or is it, unless `strict`)."""
        depth = self._nodes[node_id].depth
        for n in self._beam:
            n = int(n)
            if strict and self._nodes[n].depth == depth:
                continue
            for _ in range(self._nodes[n].depth - depth):
                n = self._nodes[n].parent
            if n == node_id:
                return True
        return False

    def _derive(self, node: _Node, parent: int, token: int) -> _Node:
        fixed, hot, partial = node.fixed, node.hot, node.hot_partial
        word, lm_state, span, look = node.word, node.lm_state, node.span, 0.0
        if token == self.space:
            fixed += self._word_score(word, lm_state)
            if self.lm is not None:
                lm_state = self.lm.score(lm_state, word)[1]
            hot, fixed, partial = self._hot_space(hot, fixed, partial)
            word = ""
            span = self.lexicon.full if self.lexicon is not None else span
        else:
            char = self.symbols[token]
            step = self._letter_step(parent, token)
            assert step is not None, "an extension the vocabulary cannot spell"
            span, look = step
            word += char
            if hot is not None:
                hot = self.trie.step(hot, char)
                partial = 0.0 if hot is None else partial + self.trie.nodes[hot].boost
        return _Node(
            parent,
            token,
            self._offset,
            0.0,
            word,
            lm_state,
            fixed,
            hot,
            partial,
            node.depth + 1,
            span,
            look,
        )

    def _word_score(self, word: str, lm_state: tuple) -> float:
        score = self.config.word_bonus
        if self.lm is not None:
            score += self.config.lm_weight * self.lm.score(lm_state, word)[0]
        return score

    def _hot_space(self, hot: int | None, fixed: float, partial: float):
        """A word ended: confirm a completed hotword, continue a phrase, or drop the bonus."""
        if hot is None:
            return 0, fixed, 0.0
        trie_node = self.trie.nodes[hot]
        if trie_node.terminal:
            fixed, partial = fixed + partial, 0.0
        inside = self.trie.step(hot, " ")
        if inside is not None:
            return inside, fixed, partial + self.trie.nodes[inside].boost
        return 0, fixed, 0.0

    # ---- results -------------------------------------------------------------------------------
    def _final_extra(self, node: _Node) -> float:
        """The end-of-utterance score: the last word, hotword confirmation, sentence end."""
        extra = node.fixed
        lm_state = node.lm_state
        if self.constrained and node.word and not self.lexicon.is_word(node.span, node.word):
            return NEG  # ends inside a word: not spellable
        if node.word:
            extra += self._word_score(node.word, lm_state)
            if self.lm is not None:
                lm_state = self.lm.score(lm_state, node.word)[1]
        if node.hot is not None and self.trie.nodes[node.hot].terminal:
            extra += node.hot_partial
        if self.lm is not None:
            extra += self.config.lm_weight * self.lm.end(lm_state)
        return extra

    def _path(self, node_id: int) -> list[_Node]:
        path = []
        while node_id > 0:
            node = self._nodes[node_id]
            path.append(node)
            node_id = node.parent
        return path[::-1]

    @property
    def tokens(self) -> TokenSequence:
        """The current best hypothesis (acoustic confidences; the LM has not seen the last
        word yet)."""
        if self._cached is not None and self._cached[0] == self._offset:
            return self._cached[1]
        scores = np.logaddexp(self._pb, self._pnb) + self._extra
        best = int(self._beam[int(np.argmax(scores))])
        path = self._path(best)
        tokens = TokenSequence(
            [n.token for n in path], [n.frame for n in path], [n.prob for n in path]
        )
        self._cached = (self._offset, tokens)
        return tokens

    def finalize(self) -> TokenSequence:
        """The best hypothesis with the LM applied to the end; each character's probability is
        scaled by its word's share of the beam, so a word's mean is its confidence."""
        finals = np.logaddexp(self._pb, self._pnb) + [
            self._final_extra(self._nodes[n]) for n in self._beam
        ]
        if finals.max() <= NEG / 2:  # closed vocabulary, every hypothesis ends inside a word
            return self._completed()
        weights = np.exp(finals - finals.max())
        weights /= weights.sum()
        words = [_words(self._path(int(n)), self.space) for n in self._beam]
        best = int(np.argmax(finals))
        path = self._path(int(self._beam[best]))
        probs = [n.prob for n in path]
        for word, start, positions in _spans(path, self.space):
            share = sum(
                weight
                for weight, other in zip(weights, words)
                if any(w == word and abs(s - start) <= CONF_FRAMES for w, s in other)
            )
            for position in positions:
                probs[position] *= min(1.0, share)
        return TokenSequence([n.token for n in path], [n.frame for n in path], probs)

    def _completed(self) -> TokenSequence:
        """The best hypothesis with its unfinished last word completed to the best vocabulary
        word it begins (the audio stopped before the model spelled it out: "thre", "ze"). The
        added letters were not heard: probability 0, so the word's confidence shows it."""
        scores = np.logaddexp(self._pb, self._pnb) + self._extra
        node_id = int(self._beam[int(np.argmax(scores))])
        node = self._nodes[node_id]
        completion = self.lexicon.best_word(node.span)[len(node.word) :]
        path = self._path(node_id)
        frame = path[-1].frame if path else self._offset
        ids = [n.token for n in path] + [self.symbols.index(c) for c in completion]
        frames = [n.frame for n in path] + [frame] * len(completion)
        probs = [n.prob for n in path] + [0.0] * len(completion)
        return TokenSequence(ids, frames, probs)


def _logaddexp(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) of two floats, without numpy's per-call cost (the hot path)."""
    if a < b:
        a, b = b, a
    return a if b <= NEG / 2 else a + math.log1p(math.exp(b - a))


def _spans(path: list[_Node], space: int) -> list[tuple[str, int, list[int]]]:
    """(word, start step, positions in the path) of every word of a hypothesis."""
    spans: list[tuple[str, int, list[int]]] = []
    current: list[int] = []
    for position, node in enumerate(path + [None]):
        if node is None or node.token == space:
            if current:
                spans.append((path[current[-1]].word, path[current[0]].frame, current))
            current = []
        else:
            current.append(position)
    return spans


def _words(path: list[_Node], space: int) -> list[tuple[str, int]]:
    return [(word, start) for word, start, _ in _spans(path, space)]


def beam_decode(
    log_probs: np.ndarray,
    vocabulary: Vocabulary,
    config: BeamConfig | None = None,
    lm: NgramLm | None = None,
    lexicon: Lexicon | None = None,
) -> TokenSequence:
    """Beam search over a whole utterance `[T, V]`."""
    decoder = BeamSearchDecoder(vocabulary, config, lm, lexicon)
    decoder.accept(log_probs)
    return decoder.finalize()
