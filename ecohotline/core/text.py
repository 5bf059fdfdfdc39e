"""Chinese text compared without word segmentation: character bigrams and their Jaccard similarity (the duplicate
lookup at intake and the similar past cases of the case page use the same measure)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=8192)
def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of a text, white space removed (remembered: the same earlier cases come up for many
    new ones)."""
    text = "".join(text.split())
    return frozenset(text[i: i + 2] for i in range(len(text) - 1))


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (robust for Chinese without word segmentation)."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    common = len(left & right)
    return common / (len(left) + len(right) - common)
