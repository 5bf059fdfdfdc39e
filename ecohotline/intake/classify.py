"""Classify: the pollution sub-category of an order's text, with a confidence and the words that decided it.

Two layers:

* **Rules** (always there): weighted keywords. Each code has *marks* (words that name the problem itself:
  油烟, 扬尘, 尾气 …, counted whenever they occur) and *sources* (words that name where it comes from: 工地,
  KTV, 高架 …, counted only when the problem itself is named, by the code's marks or by its family's marks
  such as 噪声/噪音 for every noise code). Longer keywords win over the shorter ones inside them
  (排风机 over 风机; the text is read left to right). The highest score wins; the confidence grows with
  the score and the lead over the runner-up; the words are the keywords that counted.
* **Model** (when trained): `ecohotline train-classifier` fits a linear model on the cases dispatchers
  confirmed and saves it at `model_path()`. When the file exists, the model decides if its calibrated
  probability reaches `MODEL_MIN_CONFIDENCE` and the rules' confidence, or if both agree; its words are the
  n-grams of the text that pushed hardest towards its answer (overlapping ones joined). Otherwise — and
  for the sub-categories it has not learnt — the rules decide.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from ecohotline.intake.textmodels import LinearTextModel, ModelCache, normalise

CODES: tuple[str, ...] = (
    "noise.social", "noise.construction", "noise.industrial", "noise.traffic", "air.catering_fumes",
    "air.odor", "air.dust", "air.industrial", "air.vehicle", "air.burning", "water.discharge",
    "water.quality", "waste.hazardous", "waste.solid", "radiation.electromagnetic", "radiation.ionizing",
    "soil", "ecology", "other",
)

# The model decides when its calibrated probability reaches this; below it the rules decide.
MODEL_MIN_CONFIDENCE = 0.5
# Codes need this many confirmed cases before train-classifier learns them (fewer: the rules handle them).
MIN_CASES_PER_CODE = 5


@dataclass(frozen=True)
class Rule:
    marks: dict[str, int]
    sources: dict[str, int] = field(default_factory=dict)
    family: str = ""


# Words that name a family's problem: they count for every code of the family (the first code listed in
# RULES for a family is its default when no source says which).
FAMILY_MARKS: dict[str, dict[str, int]] = {
    "noise": {"噪声": 3, "噪音": 3, "吵闹": 2, "吵": 2, "轰鸣": 2, "分贝": 2, "嗡嗡": 2, "刺耳": 2, "震耳": 2,
              "喧哗": 2, "声音很大": 3, "声音大": 3, "扰民": 1, "声音": 1, "响声": 1, "睡不着": 1, "震动": 1},
    "radiation": {"辐射": 3},
}

RULES: dict[str, Rule] = {
    "noise.social": Rule(
        marks={"社会生活噪声": 5, "广场舞": 3, "高音喇叭": 3, "音响": 2, "喇叭": 2},
        sources={"ktv": 3, "酒吧": 3, "歌厅": 3, "装修": 2, "电钻": 2, "电锤": 2,
                 "健身房": 3, "邻居": 2, "楼上": 2, "唱歌": 2, "商户": 1, "底商": 2, "超市": 1, "便利店": 1,
                 "台球": 2, "洗浴": 2, "水泵": 2, "排风机": 2, "冷柜": 2, "空调外机": 2, "外放": 2, "音乐": 2,
                 "划拳": 2, "烧烤": 1, "餐厅": 1, "营业": 1},
        family="noise"),
    "noise.construction": Rule(
        marks={"施工噪声": 5, "施工噪音": 5, "夜间施工": 4, "夜间施工证明": 4, "打桩": 3, "破碎锤": 3, "施工扰民": 4},
        sources={"工地": 3, "施工": 3, "浇筑": 3, "混凝土": 2, "塔吊": 2, "钢筋": 2, "渣土车": 1, "工程": 1,
                 "项目": 1, "挖掘机": 2},
        family="noise"),
    "noise.industrial": Rule(
        marks={"工业噪声": 5, "厂界噪声": 5},
        sources={"工厂": 2, "厂房": 2, "车间": 2, "厂": 1, "冷却塔": 3, "空压机": 3, "风机": 2, "设备": 2,
                 "汽修": 2, "加工": 2, "机器": 2, "数据中心": 2, "物流园": 2, "洗车": 2, "电锯": 2, "钣金": 2,
                 "叉车": 2, "生产": 2, "金属": 1, "切割": 1},
        family="noise"),
    "noise.traffic": Rule(
        marks={"交通噪声": 5, "交通运输噪声": 5, "声屏障": 3},
        sources={"高架": 3, "道路": 2, "鸣笛": 3, "过往车辆": 3, "车辆": 1, "大货车": 2, "货车": 1, "公交": 2,
                 "场站": 1, "地铁": 2, "火车": 2, "铁路": 2, "临街": 2, "车流": 2, "主路": 2, "快速路": 2},
        family="noise"),
    "air.catering_fumes": Rule(
        marks={"油烟": 5, "餐饮油烟": 6, "餐馆": 1, "饭店": 1, "饭馆": 1, "餐厅": 1, "烧烤": 1},
        sources={"排烟": 2, "火锅": 2, "食堂": 2, "串吧": 2,
                 "净化器": 2, "净化设施": 2, "餐饮": 2, "炒菜": 2, "小吃": 1, "露天烧烤": 2}),
    "air.odor": Rule(
        marks={"异味": 4, "臭味": 4, "恶臭": 4, "臭气": 4, "刺鼻": 2, "气味": 2, "臭": 2, "臭鸡蛋": 3,
               "油漆味": 3, "溶剂味": 3, "熏": 1},
        sources={"垃圾楼": 2, "垃圾站": 2, "转运站": 2, "化粪池": 2, "污水处理": 2, "干洗": 2, "喷漆": 1,
                 "养殖": 2, "味道": 1, "餐厨垃圾": 2}),
    "air.dust": Rule(
        marks={"扬尘": 5, "尘土": 3, "粉尘": 3, "苫盖": 3, "裸露土方": 3, "裸土": 3, "遗撒": 3, "洒水降尘": 3,
               "满天是土": 3, "一层土": 3, "灰尘": 2, "湿法作业": 2},
        sources={"渣土": 2, "工地": 1, "拆除": 1, "土方": 2, "车辆冲洗": 2, "道路施工": 1, "搅拌站": 2}),
    "air.industrial": Rule(
        marks={"废气": 4, "烟囱": 3, "排气筒": 3, "vocs": 3, "工业废气": 5, "冒黑烟": 1, "黑烟": 1, "白烟": 2,
               "冒烟": 2},
        sources={"锅炉": 2, "印刷": 2, "化工": 2, "车间": 1, "家具厂": 2, "厂": 1, "企业": 1, "实验": 1,
                 "排风口": 1, "化学试剂": 2, "油墨": 2, "喷漆": 1, "生产": 1}),
    "air.vehicle": Rule(
        marks={"尾气": 5, "黑烟车": 5, "机动车排放": 5, "怠速": 3, "冒黑烟": 2, "黑烟": 2},
        sources={"柴油车": 3, "货车": 2, "车辆": 1, "机动车": 2, "公交": 1, "公交车": 2, "教练车": 2,
                 "运输车": 2, "行驶": 1}),
    "air.burning": Rule(
        marks={"焚烧": 5, "烧垃圾": 5, "秸秆": 3, "烧荒": 4, "露天焚烧": 6, "烧落叶": 4},
        sources={"浓烟": 2, "落叶": 1, "杂草": 1, "电线": 1, "火灾": 1}),
    "water.discharge": Rule(
        marks={"污水": 4, "废水": 4, "排污口": 4, "偷排": 4, "暗管": 3, "排污": 3, "污水直排": 5, "污水横流": 5,
               "排放污水": 5, "排口": 2},
        sources={"排水口": 2, "雨水管": 2, "管道": 1, "排入": 2, "河": 1, "养殖": 1, "洗车": 1, "排出": 1,
                 "厂区": 1, "泡沫": 2}),
    "water.quality": Rule(
        marks={"水质": 4, "黑臭水体": 6, "黑臭": 4, "死鱼": 4, "蓝藻": 4, "发绿": 3, "水体": 3, "油污": 3},
        sources={"河水": 2, "河道": 2, "湖": 2, "水库": 2, "漂浮物": 2, "浑浊": 2, "发黑": 2, "坑塘": 2, "水面": 2}),
    "waste.hazardous": Rule(
        marks={"危废": 5, "危险废物": 6, "废机油": 5, "医疗废物": 5, "废铅酸": 4, "废电池": 3, "废油": 3,
               "废酸": 3, "废化学品": 4, "废液": 3},
        sources={"化学品": 2, "桶": 1, "泄漏": 2, "汽修": 1, "实验室": 2, "乱倒": 1}),
    "waste.solid": Rule(
        marks={"固体废物": 5, "建筑垃圾": 4, "生活垃圾": 3, "垃圾": 2, "废渣": 3, "倾倒": 3, "乱堆": 2, "堆放": 2,
               "工业固废": 5, "固废": 4},
        sources={"渣土": 1, "废料": 2, "堆积": 2, "清运": 1}),
    "radiation.electromagnetic": Rule(
        marks={"电磁辐射": 6, "电磁": 4, "基站": 3, "信号塔": 3, "变电站": 3, "高压线": 3},
        sources={"天线": 2, "通信": 1, "5g": 2, "发射塔": 3, "雷达": 2},
        family="radiation"),
    "radiation.ionizing": Rule(
        marks={"放射源": 5, "核辐射": 5, "电离辐射": 6, "探伤": 4, "放射性": 4, "射线": 3},
        sources={"放射科": 3, "x光": 2, "ct": 1, "同位素": 3},
        family="radiation"),
    "soil": Rule(marks={"土壤": 4, "土壤污染": 7, "污染地块": 5}, sources={"耕地": 1, "地下水": 1}),
    "ecology": Rule(
        marks={"生态破坏": 6, "砍伐": 4, "毁林": 5, "湿地": 3, "取土": 3, "挖山": 4, "野生动物": 3, "盗伐": 4},
        sources={"树木": 2, "山体": 2, "林地": 3, "开挖": 2, "填埋": 2, "植被": 2, "自然保护区": 3}),
    "other": Rule(
        marks={"光污染": 6, "太亮": 3, "刺眼": 3, "强光": 3, "景观灯": 3, "广告屏": 3, "led": 2},
        sources={"灯光": 2, "闪烁": 2, "大屏": 2, "亮度": 2}),
}

_FAMILY_DEFAULT: dict[str, str] = {}
for _code, _rule in RULES.items():
    if _rule.family:
        _FAMILY_DEFAULT.setdefault(_rule.family, _code)


@dataclass
class Classification:
    code: str
    confidence: float
    words: list[str] = field(default_factory=list)
    reason: str = ""
    source: str = "rules"  # "rules" or "model"

    @property
    def category(self) -> str:
        return self.code.split(".")[0]

    def as_payload(self) -> dict[str, object]:
        return {"code": self.code, "confidence": round(self.confidence, 3), "words": self.words,
                "reason": self.reason, "source": self.source}


def _keyword_index() -> tuple[re.Pattern[str], dict[str, list[tuple[str, str, int]]]]:
    """One pattern matching every keyword (longest first, so a longer keyword wins where both start) and,
    per keyword, its (owner, kind, weight) entries; the owner is a code or a family."""
    owners: dict[str, list[tuple[str, str, int]]] = {}
    for family, words in FAMILY_MARKS.items():
        for word, weight in words.items():
            owners.setdefault(word, []).append((family, "family", weight))
    for code, rule in RULES.items():
        for kind, words in (("mark", rule.marks), ("source", rule.sources)):
            for word, weight in words.items():
                owners.setdefault(word, []).append((code, kind, weight))
    pattern = re.compile("|".join(re.escape(word) for word in sorted(owners, key=lambda w: (-len(w), w))))
    return pattern, owners


_PATTERN, _OWNERS = _keyword_index()


def classify_by_rules(text: str) -> Classification:
    norm = normalise(text)
    found: dict[str, dict[str, int]] = {}  # owner → word → weight (each word once)
    kinds: dict[tuple[str, str], str] = {}
    for match in _PATTERN.finditer(norm):  # non-overlapping, left to right
        word = match.group()
        for owner, kind, weight in _OWNERS[word]:
            found.setdefault(owner, {})[word] = weight
            kinds[(owner, word)] = kind
    scores: dict[str, tuple[float, list[str]]] = {}
    for code, rule in RULES.items():
        own = found.get(code, {})
        marks = {w: v for w, v in own.items() if kinds[(code, w)] == "mark"}
        family = found.get(rule.family, {}) if rule.family else {}
        if not marks and sum(family.values()) < 2:
            continue  # sources alone, or a weak family word alone (扰民, 声音), do not name a problem
        sources = {w: v for w, v in own.items() if kinds[(code, w)] == "source"}
        if rule.family and not marks and not sources and _FAMILY_DEFAULT[rule.family] != code:
            continue  # family words alone speak for the family's default code only
        score = sum(marks.values()) + sum(sources.values()) + sum(family.values())
        ordered = sorted({**family, **marks, **sources}.items(), key=lambda item: (-item[1], norm.find(item[0])))
        scores[code] = (score, [w for w, _ in ordered])
    if not scores:
        return Classification("other", 0.2, [], "未命中任何关键词")
    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], CODES.index(item[0])))
    code, (best, words) = ranked[0]
    second = ranked[1][1][0] if len(ranked) > 1 else 0.0
    confidence = min(0.95, 0.35 + 0.5 * (1 - math.exp(-best / 4)) + 0.1 * min(1.0, (best - second) / 3))
    return Classification(code, confidence, words[:6], "关键词：" + "、".join(words[:6]), "rules")


# --- the trained model ------------------------------------------------------------------------------------


def model_path() -> Path:
    """Where train-classifier saves the model: settings.CLASSIFIER_MODEL_FILE if set, else
    DATA_DIR/models/classifier.joblib."""
    configured = getattr(settings, "CLASSIFIER_MODEL_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "models" / "classifier.joblib"


_MODEL = ModelCache(model_path)


def trained_model() -> LinearTextModel | None:
    """The trained classifier, loaded on first use and again when the file changes; None without one."""
    return _MODEL.get()


def classify_by_model(text: str, model: LinearTextModel) -> Classification:
    probabilities = model.probabilities([text])[0]
    best = int(probabilities.argmax())
    return _learned(text, model, model.labels[best], float(probabilities[best]))


def _learned(text: str, model: LinearTextModel, code: str, confidence: float) -> Classification:
    words = [e.text for e in model.evidence(text, code, top=5)]
    reason = f"模型（{model.meta.get('cases', '?')} 件已确认案件训练）：" + "、".join(words)
    return Classification(code, confidence, words, reason, "model")


def classify(text: str) -> Classification:
    """The sub-category of a text: the model's when it is confident, else the rules'. The last few results
    are remembered, so classifying the same text again (check_remit does) costs nothing."""
    model = trained_model()
    code, confidence, words, reason, source = _classify(text, _MODEL.key if model is not None else None)
    return Classification(code, confidence, list(words), reason, source)


@functools.lru_cache(maxsize=256)
def _classify(text: str, model_key: tuple[str, int, int] | None) -> tuple[str, float, tuple[str, ...], str, str]:
    result = _decide(text, trained_model() if model_key is not None else None)
    return result.code, result.confidence, tuple(result.words), result.reason, result.source


def _decide(text: str, model: LinearTextModel | None) -> Classification:
    rules = classify_by_rules(text)
    if model is None:
        return rules
    if rules.words and rules.code not in model.labels:
        return rules  # a sub-category the model has not learnt (too few confirmed cases)
    probabilities = model.probabilities([text])[0]
    best = int(probabilities.argmax())
    code, confidence = model.labels[best], float(probabilities[best])
    if code == rules.code and rules.words:  # both agree: the rules' words are the clearest explanation
        return Classification(code, max(confidence, rules.confidence), rules.words,
                              f"模型（{model.meta.get('cases', '?')} 件已确认案件训练）与关键词一致："
                              + "、".join(rules.words), "model")
    if confidence >= max(MODEL_MIN_CONFIDENCE, rules.confidence) or (not rules.words and confidence > 0.2):
        return _learned(text, model, code, confidence)
    return rules


# --- training from confirmed cases ------------------------------------------------------------------------


@dataclass
class TrainingReport:
    cases: int
    per_code: dict[str, int]
    skipped: dict[str, int]  # codes with too few cases (left to the rules)
    folds: int = 0
    model_accuracy: float | None = None  # cross-validated, on the cases of the codes learnt
    rules_accuracy: float | None = None  # the rules on the same cases


def train_classifier(texts: list[str], codes: list[str], *, min_cases: int = MIN_CASES_PER_CODE,
                     seed: int = 1) -> tuple[LinearTextModel, TrainingReport]:
    """Fit the classifier on confirmed cases' texts and sub-categories; calibrate its probabilities and
    compare it with the rules by cross-validation. Raises ValueError when fewer than two codes have
    `min_cases` cases."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from ecohotline.intake.textmodels import fit_temperature, softmax

    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    kept = {code for code, n in counts.items() if n >= min_cases and code in CODES}
    if len(kept) < 2:
        raise ValueError(f"need at least two sub-categories with {min_cases} or more confirmed cases "
                         f"(have: {', '.join(f'{c} {n}' for c, n in sorted(counts.items())) or 'none'})")
    pairs = [(t, c) for t, c in zip(texts, codes, strict=True) if c in kept]
    x = [t for t, _ in pairs]
    y = [c for _, c in pairs]
    labels = tuple(code for code in CODES if code in kept)
    report = TrainingReport(len(pairs), {c: counts[c] for c in labels},
                            {c: n for c, n in sorted(counts.items()) if c not in kept})
    folds = min(3, min(counts[c] for c in labels))
    temperature = 1.0
    if folds >= 2:
        truth = np.array([labels.index(c) for c in y])
        scores = np.zeros((len(y), len(labels)), dtype=np.float32)
        for fit_idx, val_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, truth):
            fold = LinearTextModel.train([x[i] for i in fit_idx], [y[i] for i in fit_idx], label_order=labels)
            scores[val_idx] = fold.scores([x[i] for i in val_idx])
        temperature = fit_temperature(scores, truth)
        report.folds = folds
        report.model_accuracy = float(np.mean(softmax(scores, temperature).argmax(axis=1) == truth))
        report.rules_accuracy = float(np.mean([classify_by_rules(t).code == c for t, c in pairs]))
    model = LinearTextModel.train(x, y, label_order=labels)
    model.temperature = temperature
    model.meta = {"cases": len(pairs), "per_code": report.per_code, "cv_folds": report.folds,
                  "cv_model_accuracy": report.model_accuracy, "cv_rules_accuracy": report.rules_accuracy}
    return model, report
