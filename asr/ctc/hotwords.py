"""Hotwords: a character trie of boosted words and phrases for the beam search.

`boost` is a natural-log bonus per matched character (the sherpa-onnx convention), so a partly
spoken hotword already rises in the beam; the bonus is kept only when the whole word or phrase
is completed, and taken back when the prefix leaves the trie.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asr.tokens import normalize_text

DEFAULT_BOOST = 2.0


@dataclass
class TrieNode:
    children: dict[str, int] = field(default_factory=dict)
    boost: float = 0.0  # bonus for reaching this node (the largest boost of phrases through it)
    terminal: bool = False


class HotwordTrie:
    """Node 0 is the root (a word boundary); `step(node, char)` follows one character."""

    def __init__(self, phrases: dict[str, float] | None = None):
        self.nodes = [TrieNode()]
        self.words: set[str] = set()
        for phrase, boost in (phrases or {}).items():
            self.add(phrase, boost)

    def __bool__(self) -> bool:
        return len(self.nodes) > 1

    def add(self, phrase: str, boost: float = DEFAULT_BOOST) -> None:
        text = normalize_text(phrase)
        if not text:
            raise ValueError(f"hotword {phrase!r} has no letters")
        self.words.update(text.split())
        node = 0
        for char in text:
            child = self.nodes[node].children.get(char)
            if child is None:
                child = len(self.nodes)
                self.nodes.append(TrieNode())
                self.nodes[node].children[char] = child
            node = child
            self.nodes[node].boost = max(self.nodes[node].boost, boost)
        self.nodes[node].terminal = True

    def step(self, node: int, char: str) -> int | None:
        """The node after `char`, or None when the prefix leaves the trie."""
        return self.nodes[node].children.get(char)


def parse_hotwords(spec: str | None) -> dict[str, float]:
    """`"pittsburgh:3,turn left,open door:1.5"` → {phrase: boost}; boost defaults to 2."""
    result: dict[str, float] = {}
    if not spec:
        return result
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        phrase, _, boost = item.rpartition(":") if ":" in item else (item, "", "")
        try:
            value = float(boost) if boost else DEFAULT_BOOST
        except ValueError as error:
            raise ValueError(f"hotword {item!r}: boost {boost!r} is not a number") from error
        if not normalize_text(phrase):
            raise ValueError(f"hotword {item!r} has no letters")
        result[phrase.strip()] = value
    return result
