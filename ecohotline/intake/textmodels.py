"""Text features and linear text models shared by the remit (department) model and the pollution classifier.

Features are character n-grams (1–2 characters by default) of the normalised text, in one or more *blocks*:
the whole text, and optionally its first N characters (the head, where a complaint usually says what it is
about). Each block is a sublinear TF-IDF vector normalised to unit length; the blocks are concatenated.
Character n-grams need no word segmentation (jieba costs more than the whole model at inference) and do as
well as words on Chinese complaint texts.

The vocabulary is exact (a dict from n-gram to column), stored in the model file as one newline-joined
string; coefficients are stored as float16. No scikit-learn object is pickled, so a model file does not
depend on the scikit-learn version; scikit-learn is needed only for training (LinearSVC).

Model files are plain joblib dumps of a dict (see `LinearTextModel.save`). Loading is the caller's business
(`ModelCache` gives lazy, cached loading that notices a retrained file).
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.signals import setting_changed

if TYPE_CHECKING:
    from scipy import sparse

FORMAT = "ecohotline-linear-text-model"
FORMAT_VERSION = 1

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, every run of digits → "0", whitespace runs → one space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def segment(text: str) -> list[str]:
    """Words of a text by jieba's dictionary (no HMM guessing of unknown words). Used to explain a model's
    decision in words, never for its features; jieba loads its dictionary on first use (about a second)."""
    import jieba

    if not getattr(segment, "_ready", False):
        jieba.setLogLevel(logging.WARNING)
        segment._ready = True  # type: ignore[attr-defined]
    return list(jieba.cut(text, HMM=False))


def _words_near(text: str, terms: list[str], margin: int = 4) -> list[str]:
    """The words of the parts of `text` around the first occurrence of each term (segmenting only those
    keeps jieba cheap); a word cut by a window's edge is left out."""
    windows: list[list[int]] = []
    for term in terms:
        at = text.find(term)
        if at >= 0:
            windows.append([max(0, at - margin), min(len(text), at + len(term) + margin)])
    windows.sort()
    merged: list[list[int]] = []
    for window in windows:
        if merged and window[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], window[1])
        else:
            merged.append(window)
    words: list[str] = []
    for start, end in merged:
        pieces = segment(text[start:end])
        words.extend(pieces[1 if start > 0 else 0:len(pieces) - 1 if end < len(text) else len(pieces)])
    return words


def char_ngrams(text: str, n_min: int, n_max: int) -> list[str]:
    grams: list[str] = []
    length = len(text)
    for n in range(n_min, n_max + 1):
        if n == 1:
            grams.extend(text)
        else:
            grams.extend(text[i:i + n] for i in range(length - n + 1))
    return grams


@dataclass
class NgramBlock:
    """One block of features: character n-grams of the text, or of its first `head` characters."""

    name: str
    n_min: int
    n_max: int
    head: int  # 0: the whole text
    terms: list[str]
    idf: np.ndarray  # float32, one per term
    vocabulary: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.vocabulary = {term: index for index, term in enumerate(self.terms)}

    @property
    def size(self) -> int:
        return len(self.terms)

    def grams(self, text: str) -> list[str]:
        return char_ngrams(text[:self.head] if self.head else text, self.n_min, self.n_max)

    @classmethod
    def fit(cls, name: str, texts: Sequence[str], *, n_min: int = 1, n_max: int = 2, head: int = 0) -> NgramBlock:
        """Vocabulary and smooth IDF (ln((1+n)/(1+df)) + 1, as scikit-learn) of normalised texts."""
        df: Counter[str] = Counter()
        block = cls(name, n_min, n_max, head, [], np.zeros(0, dtype=np.float32))
        for text in texts:
            df.update(set(block.grams(text)))
        terms = sorted(df)
        idf = np.array([math.log((1 + len(texts)) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float32)
        return cls(name, n_min, n_max, head, terms, idf)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and unit-length sublinear TF-IDF values of one normalised text."""
        get = self.vocabulary.get
        pairs = [(j, n) for gram, n in Counter(self.grams(text)).items() if (j := get(gram)) is not None]
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        both = np.array(pairs, dtype=np.int64)
        columns = both[:, 0]
        values = (1.0 + np.log(both[:, 1].astype(np.float32))) * self.idf[columns]
        values /= np.sqrt(np.dot(values, values))
        return columns, values

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "n_min": self.n_min, "n_max": self.n_max, "head": self.head,
                "terms": "\n".join(self.terms), "idf": self.idf.astype(np.float32)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NgramBlock:
        terms = data["terms"].split("\n") if data["terms"] else []
        return cls(data["name"], int(data["n_min"]), int(data["n_max"]), int(data["head"]), terms,
                   np.asarray(data["idf"], dtype=np.float32))


@dataclass(frozen=True)
class BlockSpec:
    name: str
    n_min: int = 1
    n_max: int = 2
    head: int = 0


# The features of both models: the whole text, and its first 24 characters again (validated on the govmsg
# training split: the head block adds about 0.003 macro-F1).
DEFAULT_BLOCKS: tuple[BlockSpec, ...] = (BlockSpec("head", head=24), BlockSpec("text"))


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = scores / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """The softmax temperature minimising the log loss of held-out decision scores (labels: column indices)."""
    best, best_loss = 1.0, math.inf
    for temperature in np.geomspace(0.02, 5.0, 80):
        probs = softmax(scores, float(temperature))
        loss = -float(np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


@dataclass
class Evidence:
    """A span of the text and how much it pushed towards the label (sum of its n-grams' contributions)."""

    text: str
    weight: float


@dataclass
class LinearTextModel:
    """A linear model over n-gram blocks: scores = X · coefᵀ + intercept; probabilities by a calibrated softmax."""

    labels: tuple[str, ...]
    blocks: tuple[NgramBlock, ...]
    coef: np.ndarray  # (labels, features) float32
    intercept: np.ndarray  # (labels,) float32
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.coef = np.ascontiguousarray(self.coef, dtype=np.float32)
        self.intercept = np.asarray(self.intercept, dtype=np.float32)
        self._offsets = np.cumsum([0] + [block.size for block in self.blocks])[:-1].tolist()
        self._coef_t = np.ascontiguousarray(self.coef.T)

    @property
    def n_features(self) -> int:
        return sum(block.size for block in self.blocks)

    # --- features -------------------------------------------------------------------------------------

    def matrix(self, texts: Iterable[str], *, normalised: bool = False) -> sparse.csr_matrix:
        """The feature matrix of many texts (scipy is imported here, not when the module loads)."""
        from scipy import sparse

        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for text in texts:
            columns, values = self._row(text if normalised else normalise(text))
            indices.append(columns)
            data.append(values)
            indptr.append(indptr[-1] + len(columns))
        if not data:
            return sparse.csr_matrix((0, self.n_features), dtype=np.float32)
        return sparse.csr_matrix((np.concatenate(data), np.concatenate(indices).astype(np.int32),
                                  np.asarray(indptr, dtype=np.int64)),
                                 shape=(len(indptr) - 1, self.n_features), dtype=np.float32)

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        if len(self.blocks) == 1:
            return self.blocks[0].row(text)
        parts = [block.row(text) for block in self.blocks]
        columns = np.concatenate([cols + offset for offset, (cols, _) in zip(self._offsets, parts, strict=True)])
        return columns, np.concatenate([vals for _, vals in parts])

    # --- inference ------------------------------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:  # the common case in triage: no sparse matrix, just the columns the text has
            columns, values = self._row(normalise(texts[0]))
            row = values @ self._coef_t[columns] + self.intercept
            return np.asarray(row, dtype=np.float32).reshape(1, -1)
        out: np.ndarray = np.asarray(self.matrix(texts) @ self._coef_t) + self.intercept
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.scores(texts), self.temperature)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.scores(texts).argmax(axis=1)]

    def evidence(self, text: str, label: str, *, top: int = 5) -> list[Evidence]:
        """The spans of `text` that pushed hardest towards `label`: the n-grams with the largest positive
        contributions (value × weight), merged where they overlap in the text, strongest first."""
        norm = normalise(text)
        columns, values = self._row(norm)
        return self._evidence(norm, columns, values, self.labels.index(label), top)

    def _evidence(self, norm: str, columns: np.ndarray, values: np.ndarray, k: int, top: int) -> list[Evidence]:
        """Words of the text (jieba, dictionary only) scored by the contributions of the n-grams inside them;
        the highest positive ones."""
        contribution = values * self.coef[k, columns]
        positive = np.flatnonzero(contribution > 0)
        if not len(positive):
            return []
        cols = columns[positive]
        blocks = np.searchsorted(self._offsets, cols, side="right") - 1
        by_term: dict[str, float] = {}
        for block, column, weight in zip(blocks.tolist(), cols.tolist(), contribution[positive].tolist(), strict=True):
            term = self.blocks[block].terms[column - self._offsets[block]]
            by_term[term] = by_term.get(term, 0.0) + weight  # the head and text blocks add up
        n_max = max(block.n_max for block in self.blocks)
        scored: dict[str, float] = {}
        for word in _words_near(norm, [t for t, _ in sorted(by_term.items(), key=lambda i: -i[1])[:3 * top]]):
            if len(word) < 2 or word in scored or not any(ch.isalnum() for ch in word):
                continue
            grams = set(char_ngrams(word, 1, min(n_max, len(word))))
            scored[word] = sum(by_term.get(gram, 0.0) for gram in grams)
        ranked = sorted(((weight, word) for word, weight in scored.items() if weight > 0), reverse=True)
        return [Evidence(word, weight) for weight, word in ranked[:top]]

    # --- training -------------------------------------------------------------------------------------

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, blocks: Sequence[BlockSpec] = DEFAULT_BLOCKS,
              c: float = 1.0, class_weight: str | None = "balanced", label_order: Sequence[str] | None = None,
              meta: dict[str, Any] | None = None) -> LinearTextModel:
        """Fit blocks and a linear SVM (one-vs-rest, squared hinge) on raw texts."""
        from sklearn.svm import LinearSVC

        norm = [normalise(t) for t in texts]
        fitted = tuple(NgramBlock.fit(s.name, norm, n_min=s.n_min, n_max=s.n_max, head=s.head) for s in blocks)
        order = tuple(label_order) if label_order else tuple(sorted(set(labels)))
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two labels")
        model = cls(order, fitted, np.zeros((len(order), sum(b.size for b in fitted)), dtype=np.float32),
                    np.zeros(len(order), dtype=np.float32), 1.0, dict(meta or {}))
        x = model.matrix(norm, normalised=True)
        y = np.array([order.index(label) for label in labels])
        svm = LinearSVC(C=c, class_weight=class_weight, dual=True, max_iter=5000, random_state=0)
        svm.fit(x, y)
        coef = np.zeros((len(order), x.shape[1]), dtype=np.float32)
        intercept = np.full(len(order), -1e3, dtype=np.float32)  # labels absent from training never win
        if len(svm.classes_) == 2:  # scikit-learn keeps one hyperplane for two classes
            a, b = svm.classes_
            coef[a], coef[b] = -svm.coef_[0] / 2, svm.coef_[0] / 2
            intercept[a], intercept[b] = -svm.intercept_[0] / 2, svm.intercept_[0] / 2
        else:
            coef[svm.classes_] = svm.coef_
            intercept[svm.classes_] = svm.intercept_
        return cls(order, fitted, coef, intercept, 1.0, dict(meta or {}))

    # --- files ----------------------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": FORMAT_VERSION, "labels": list(self.labels),
            "blocks": [block.as_dict() for block in self.blocks],
            "coef": self.coef.astype(np.float16), "intercept": self.intercept.astype(np.float32),
            "temperature": float(self.temperature), "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearTextModel:
        if data.get("format") != FORMAT or int(data.get("version", 0)) > FORMAT_VERSION:
            raise ValueError("not an EcoHotline text model (or one from a newer version)")
        return cls(tuple(data["labels"]), tuple(NgramBlock.from_dict(b) for b in data["blocks"]),
                   np.asarray(data["coef"], dtype=np.float32), np.asarray(data["intercept"], dtype=np.float32),
                   float(data["temperature"]), dict(data.get("meta") or {}))

    def save(self, path: Path) -> int:
        """Write the model (atomically: a reader never sees half a file); returns the size in bytes."""
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        joblib.dump(self.as_dict(), partial, compress=("xz", 6))
        os.replace(partial, path)
        _files_changed()
        return path.stat().st_size

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        import joblib

        return cls.from_dict(joblib.load(path))


_generation = [0]  # bumped whenever this process writes a model or the settings change


def _files_changed(**_kwargs: Any) -> None:
    _generation[0] += 1


setting_changed.connect(_files_changed)


class ModelCache:
    """Lazy, cached loading of a model file: loaded on first use, reloaded when the file changes, `None`
    while there is no file. Thread-safe.

    The file is looked at again at most every RECHECK_SECONDS (the intake asks for the model once per order;
    a stat and the settings lookup each time cost more than the model's answer) — at once when this process
    wrote a model or the settings changed."""

    RECHECK_SECONDS = 1.0

    def __init__(self, locate: Callable[[], Path]) -> None:
        self._locate = locate
        self._lock = threading.Lock()
        self._key: tuple[str, int, int] | None = None
        self._model: LinearTextModel | None = None
        self._checked: tuple[float, int] | None = None  # (monotonic time, generation) of the last look

    def get(self) -> LinearTextModel | None:
        checked, now = self._checked, time.monotonic()
        if checked is not None and checked[1] == _generation[0] and now - checked[0] < self.RECHECK_SECONDS:
            return self._model
        generation = _generation[0]
        path = self._locate()
        try:
            stat = path.stat()
        except OSError:
            with self._lock:
                self._key, self._model, self._checked = None, None, (now, generation)
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key != self._key:
            with self._lock:
                if key != self._key:
                    self._model = LinearTextModel.load(path)
                    self._key = key
        self._checked = (now, generation)
        return self._model

    @property
    def key(self) -> tuple[str, int, int] | None:
        """What identifies the loaded file (path, modification time, size); None before loading."""
        return self._key

    def clear(self) -> None:
        with self._lock:
            self._key, self._model, self._checked = None, None, None
