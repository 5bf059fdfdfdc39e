"""Remit check (是否本局职责): keep the order, return it to the hotline with the likely right department, or
call joint handling.

Two parts decide:

1. **The department model**: a linear model over character n-grams (`textmodels`) trained on the 9,210
   labelled citizen messages of the TipDM Cup 2020 data (../shared/data/govmsg, 7 first-level labels). It
   gives the probability that a text belongs to each department's remit; 环境保护 is ours. The model
   shipped in the package (`data/remit.joblib`) is trained on the 70% training split only, so
   `ecohotline eval-remit` can measure it on the untouched 30% hold-out; `ecohotline train-remit` rebuilds
   it. It is loaded on first use, not at import.
2. **The responsibility matrix** (权责清单): which sub-categories, or which situations within them, the
   district assigns to another unit, alone (return) or together with the bureau (joint).

The decision for a text and its pollution sub-category:

* the model's top department is 环境保护 → **keep**;
* the pollution classifier is sure it is pollution (confidence ≥ the `pollution_keep` threshold) → **keep**;
* another department is predicted with probability ≥ `return` and 环境保护 gets less than `joint` →
  **return**, naming the department;
* another department is on top but 环境保护 gets at least `joint` → **joint** handling with it;
* otherwise → **keep** with a low confidence and the likely department named for the dispatcher.

Then a kept or joint decision meets the responsibility matrix, whose first matching entry decides.

The thresholds are chosen when training, on 5-fold cross-validated predictions *inside the training
split* (`choose_thresholds`), and stored in the model file: the largest share of other departments'
messages returned, subject to at most 2% of 环境保护 messages being returned, at least 95% of returns
naming the right department, and at most 8% of 环境保护 messages sent to joint handling.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from ecohotline.intake.textmodels import LinearTextModel, ModelCache, fit_temperature, softmax
from ecohotline.org.selectors import ResponsibilityMatrix, responsibility_matrix

log = logging.getLogger(__name__)

DEPARTMENTS: tuple[str, ...] = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游",
                                "卫生计生")
OURS = "环境保护"
# How the reasons name each first-level department (the units that usually hold that remit in a district).
DEPARTMENT_NAMES: dict[str, str] = {
    "城乡建设": "城乡建设（住建/城管）",
    "环境保护": "环境保护（生态环境）",
    "交通运输": "交通运输（交通）",
    "教育文体": "教育文体（教育/文旅/体育）",
    "劳动和社会保障": "劳动和社会保障（人社）",
    "商贸旅游": "商贸旅游（商务/市场监管/文旅）",
    "卫生计生": "卫生计生（卫健）",
}

# The fixed hold-out of labelled_messages.csv. Split rule: number the data rows of the CSV from 0 in file
# order; within each label, order the rows by the SHA-256 hex digest of "<SPLIT_SEED>:<row number>"; the
# first floor(HOLDOUT_SHARE × rows of that label + 0.5) rows are the hold-out, the rest the training split.
# (Stable across library versions: it depends on nothing but the file.)
SPLIT_SEED = 20260503
HOLDOUT_SHARE = 0.3
CV_FOLDS = 5
MIN_MACRO_F1 = 0.90

# Used when a model file carries no thresholds (the shipped model does).
DEFAULT_THRESHOLDS: dict[str, float] = {"return": 0.8, "joint": 0.15, "pollution_keep": 0.75}
# Limits for choose_thresholds (see the module docstring).
MAX_OURS_RETURNED = 0.02
MIN_RETURN_PRECISION = 0.95
MAX_OURS_JOINT = 0.08
# The pollution classifier's confidence from which a text counts as pollution whatever the department
# model says: on the training split, 32% of 环境保护 messages and 1.5% of the others reach it.
POLLUTION_KEEP_CONFIDENCE = 0.75

# The confidence of a decision taken by the responsibility matrix (a table rule triggered by words).
MATRIX_CONFIDENCE = 0.8

SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "remit.joblib"


@dataclass
class RemitDecision:
    decision: str  # "keep", "return" or "joint"
    confidence: float
    department: str = ""
    reason: str = ""
    probabilities: dict[str, float] = field(default_factory=dict)

    def as_payload(self) -> dict[str, object]:
        payload: dict[str, object] = {"decision": self.decision, "confidence": round(self.confidence, 3),
                                      "department": self.department, "reason": self.reason}
        if self.probabilities:
            payload["probabilities"] = {k: round(v, 3) for k, v in self.probabilities.items()}
        return payload


# --- the responsibility matrix (权责清单) -------------------------------------------------------------------


def matrix_entry(text: str, category_code: str, matrix: ResponsibilityMatrix) -> dict[str, Any] | None:
    """The first line of the 权责清单 (`org.selectors.responsibility_matrix`) that decides this order: the
    sub-category's lines, then its category's; a line matches when it has no words or the text has one."""
    lowered = text.lower()
    for key in (category_code, category_code.split(".")[0]):
        for entry in matrix.get(key, []):
            words = entry.get("when_any") or []
            if not words or any(str(word).lower() in lowered for word in words):
                return entry
    return None


# --- the department model ---------------------------------------------------------------------------------


def model_path() -> Path:
    configured = getattr(settings, "REMIT_MODEL_FILE", "")
    return Path(configured) if configured else SHIPPED_MODEL


_MODEL = ModelCache(model_path)


def department_model() -> LinearTextModel | None:
    """The department model, loaded on first use (and again if the file changes); None without a file."""
    return _MODEL.get()


def _label(name: str) -> str:
    return DEPARTMENT_NAMES.get(name, name)


def check_remit(text: str, category_code: str, *, classification: Any = None,
                matrix: ResponsibilityMatrix | None = None) -> RemitDecision:
    """Keep, return or joint for an order's text and its pollution sub-category. `classification` (a
    `classify.Classification` of the same text) saves classifying the text again; `matrix` (the 权责清单 as
    `org.selectors.responsibility_matrix` reads it) saves reading it again: a batch reads it once."""
    model = department_model()
    if model is None:
        return RemitDecision("keep", 0.3, "", "部门模型不可用，未做职责判断，请派单员确认")
    if classification is None:
        from ecohotline.intake.classify import classify

        classification = classify(text)
    thresholds = {**DEFAULT_THRESHOLDS, **model.meta.get("thresholds", {})}
    probs = model.probabilities([text])[0]
    by_label = {label: float(p) for label, p in zip(model.labels, probs, strict=True)}
    ours = by_label.get(OURS, 0.0)
    top = model.labels[int(probs.argmax())]
    p_top = by_label[top]
    polluting = classification.code != "other" and classification.confidence >= thresholds["pollution_keep"]

    if top == OURS:
        decision = RemitDecision("keep", ours, "", f"属生态环境部门职责（部门模型：环境保护，置信度 {ours:.2f}）")
    elif polluting:
        words = "、".join(classification.words[:3])
        decision = RemitDecision(
            "keep", classification.confidence, "",
            f"污染类型明确（{category_code}：{words}），属生态环境部门职责；部门模型倾向{_label(top)}"
            f"（{p_top:.2f}），如涉及其他部门请发起联合办理")
    elif p_top >= thresholds["return"] and ours < thresholds["joint"]:
        decision = RemitDecision("return", p_top, top, f"更可能属于{_label(top)}部门职责，置信度 {p_top:.2f}")
    elif ours >= thresholds["joint"]:
        decision = RemitDecision(
            "joint", p_top, top,
            f"可能涉及{_label(top)}部门职责（置信度 {p_top:.2f}），也与生态环境相关（{ours:.2f}），建议联合办理")
    else:
        decision = RemitDecision(
            "keep", 1.0 - p_top, "",
            f"部门模型倾向{_label(top)}（{p_top:.2f}），把握不足，请派单员确认是否属本局职责")
    decision.probabilities = by_label

    if decision.decision != "return" and category_code:
        if matrix is None:
            matrix = responsibility_matrix()
        entry = matrix_entry(text, category_code, matrix)
        if entry is not None and entry.get("decision") in ("return", "joint"):
            decision = RemitDecision(
                str(entry["decision"]), MATRIX_CONFIDENCE, str(entry.get("department", "")),
                "权责清单：" + str(entry.get("reason") or f"{category_code} 由{entry.get('department', '')}处理"),
                by_label)
    return decision


# --- data, split, training and evaluation -----------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    row: int
    subject: str
    body: str
    label: str

    @property
    def text(self) -> str:
        return f"{self.subject} {self.body}".strip()


def default_data_dir() -> Path:
    return Path(settings.PROJECT_DIR).parent / "shared" / "data" / "govmsg"


def labelled_file(data_dir: Path) -> Path:
    return data_dir / "labelled_messages.csv"


def load_messages(data_dir: Path) -> list[Message]:
    """The labelled messages (labelled_messages.csv), in file order. Raises FileNotFoundError."""
    path = labelled_file(data_dir)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"留言主题", "留言详情", "一级标签"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path} lacks the columns {', '.join(sorted(missing))}")
        return [Message(i, row["留言主题"] or "", row["留言详情"] or "", row["一级标签"])
                for i, row in enumerate(reader)]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def holdout_split(labels: Sequence[str], *, seed: int = SPLIT_SEED,
                  share: float = HOLDOUT_SHARE) -> tuple[list[int], list[int]]:
    """(training rows, hold-out rows), both ascending: see SPLIT_SEED for the rule."""
    by_label: dict[str, list[int]] = {}
    for row, label in enumerate(labels):
        by_label.setdefault(label, []).append(row)
    holdout: set[int] = set()
    for rows in by_label.values():
        rows.sort(key=lambda r: hashlib.sha256(f"{seed}:{r}".encode()).hexdigest())
        holdout.update(rows[:int(share * len(rows) + 0.5)])
    return [r for r in range(len(labels)) if r not in holdout], sorted(holdout)


def rows_digest(rows: Sequence[int]) -> str:
    return hashlib.sha256(",".join(map(str, rows)).encode()).hexdigest()


def _decisions(probs: np.ndarray, polluting: np.ndarray, t_return: float, t_joint: float) -> np.ndarray:
    """0 keep, 1 return, 2 joint (the order the thresholds act in check_remit, without the matrix)."""
    ours = DEPARTMENTS.index(OURS)
    top = probs.argmax(axis=1)
    p_top = probs.max(axis=1)
    p_ours = probs[:, ours]
    other = (top != ours) & ~polluting
    out = np.zeros(len(probs), dtype=np.int8)
    out[other & (p_top >= t_return) & (p_ours < t_joint)] = 1
    out[other & ~(out == 1) & (p_ours >= t_joint)] = 2
    return out


def choose_thresholds(probs: np.ndarray, truth: np.ndarray, polluting: np.ndarray) -> dict[str, Any]:
    """Pick `return` and `joint` on held-out probabilities (see the module docstring)."""
    ours = DEPARTMENTS.index(OURS)
    is_ours = truth == ours
    best: dict[str, Any] | None = None
    for t_joint in (0.10, 0.15, 0.20, 0.25, 0.30):
        for t_return in np.arange(0.50, 0.96, 0.05):
            d = _decisions(probs, polluting, float(t_return), t_joint)
            returned_others = (d == 1) & ~is_ours
            stats = {
                "ours_returned": float((d[is_ours] == 1).mean()),
                "ours_joint": float((d[is_ours] == 2).mean()),
                "others_returned": float(returned_others.sum() / max(1, (~is_ours).sum())),
                "return_precision": float((probs[returned_others].argmax(axis=1) == truth[returned_others]).mean())
                if returned_others.any() else 0.0,
            }
            if (stats["ours_returned"] <= MAX_OURS_RETURNED and stats["return_precision"] >= MIN_RETURN_PRECISION
                    and stats["ours_joint"] <= MAX_OURS_JOINT
                    and (best is None or stats["others_returned"] > best["validation"]["others_returned"] + 1e-9)):
                best = {"return": round(float(t_return), 2), "joint": t_joint, "validation": stats}
    if best is None:  # nothing meets the limits: never return, only flag
        best = {"return": 1.01, "joint": DEFAULT_THRESHOLDS["joint"], "validation": {}}
    best["pollution_keep"] = POLLUTION_KEEP_CONFIDENCE
    return best


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = DEPARTMENTS) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(truth), list(predicted), labels=list(labels), average="macro", zero_division=0))


def train_department_model(messages: Sequence[Message], rows: Sequence[int], *, meta: dict[str, Any] | None = None,
                           folds: int = CV_FOLDS, seed: int = SPLIT_SEED,
                           progress: Any = None) -> LinearTextModel:
    """Fit on `rows`; calibrate the softmax and choose the thresholds on `folds`-fold cross-validated
    scores within those rows."""
    from sklearn.model_selection import StratifiedKFold

    from ecohotline.intake.classify import classify_by_rules

    texts = [messages[r].text for r in rows]
    labels = [messages[r].label for r in rows]
    truth = np.array([DEPARTMENTS.index(label) for label in labels])
    scores = np.zeros((len(rows), len(DEPARTMENTS)), dtype=np.float32)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for k, (fit_idx, val_idx) in enumerate(splitter.split(texts, truth), start=1):
        if progress:
            progress(f"cross-validation fold {k}/{folds}")
        fold = LinearTextModel.train([texts[i] for i in fit_idx], [labels[i] for i in fit_idx],
                                     label_order=DEPARTMENTS)
        scores[val_idx] = fold.scores([texts[i] for i in val_idx])
    temperature = fit_temperature(scores, truth)
    probs = softmax(scores, temperature)
    polluting = np.array([(c.code != "other" and c.confidence >= POLLUTION_KEEP_CONFIDENCE)
                          for c in map(classify_by_rules, texts)])
    thresholds = choose_thresholds(probs, truth, polluting)
    predicted = [DEPARTMENTS[i] for i in probs.argmax(axis=1)]
    cv = {"folds": folds, "macro_f1": round(macro_f1(labels, predicted), 4),
          "accuracy": round(float(np.mean(probs.argmax(axis=1) == truth)), 4)}
    if progress:
        progress("final fit")
    model = LinearTextModel.train(texts, labels, label_order=DEPARTMENTS)
    model.temperature = temperature
    model.meta = {**(meta or {}), "cross_validation": cv, "thresholds": thresholds,
                  "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "messages": len(rows)}
    return model


@dataclass
class Evaluation:
    size: int
    per_label: dict[str, dict[str, float]]
    macro_f1: float
    accuracy: float


def evaluate(model: LinearTextModel, messages: Sequence[Message], rows: Sequence[int]) -> Evaluation:
    from sklearn.metrics import precision_recall_fscore_support

    truth = [messages[r].label for r in rows]
    predicted = model.predict([messages[r].text for r in rows])
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=list(DEPARTMENTS), zero_division=0)
    per_label = {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                 for i, label in enumerate(DEPARTMENTS)}
    accuracy = float(np.mean([a == b for a, b in zip(truth, predicted, strict=True)]))
    return Evaluation(len(rows), per_label, float(np.mean(f)), accuracy)


def measure_speed(model: LinearTextModel, texts: Sequence[str], *, runs: int = 5, single: bool = False) -> float:
    """Median messages per second over `runs` passes, on one core (BLAS/OpenMP pools limited to one thread).
    single=True scores one message per call, as triage does; otherwise the whole list in one batch."""
    from threadpoolctl import threadpool_limits

    rates = []
    with threadpool_limits(limits=1):
        for _ in range(runs):
            started = time.perf_counter()
            if single:
                for text in texts:
                    model.probabilities([text])
            else:
                model.probabilities(list(texts))
            rates.append(len(texts) / (time.perf_counter() - started))
    return float(np.median(rates))
