"""Classify: the pollution category of an order's text, with a confidence and the words that decided it.

First version: keyword rules. (A trained model replaces the rules' scores; the interface stays.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

# sub-category code → keywords (more specific first within each)
KEYWORDS: dict[str, tuple[str, ...]] = {
    "air.catering_fumes": ("油烟", "餐馆", "饭店", "烧烤", "排烟", "餐厅"),
    "air.dust": ("扬尘", "尘土", "粉尘", "渣土", "土堆"),
    "air.odor": ("异味", "臭味", "恶臭", "气味", "臭"),
    "air.industrial": ("废气", "烟囱", "喷漆", "冒烟", "工厂排"),
    "air.vehicle": ("尾气", "黑烟车", "柴油车"),
    "air.burning": ("焚烧", "烧垃圾", "烧秸秆", "露天烧"),
    "noise.construction": ("施工", "工地", "打桩", "夜间施工", "浇筑"),
    "noise.industrial": ("机器轰鸣", "车间噪声", "设备噪声", "风机"),
    "noise.traffic": ("鸣笛", "交通噪声", "车辆噪声", "高架"),
    "noise.social": ("噪声", "噪音", "吵", "广场舞", "音响", "KTV", "装修"),
    "water.discharge": ("污水", "排污", "废水", "直排"),
    "water.quality": ("河水", "水质", "黑臭水体", "死鱼"),
    "waste.hazardous": ("危废", "危险废物", "废机油", "医疗废物"),
    "waste.solid": ("垃圾", "固体废物", "堆放", "倾倒"),
    "radiation.electromagnetic": ("辐射", "基站", "电磁", "信号塔", "变电站"),
    "radiation.ionizing": ("放射源", "核辐射", "射线"),
    "soil": ("土壤",),
    "ecology": ("砍伐", "湿地", "生态破坏", "毁林"),
}


@dataclass
class Classification:
    code: str
    confidence: float
    words: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def category(self) -> str:
        return self.code.split(".")[0]

    def as_payload(self) -> dict[str, object]:
        return {"code": self.code, "confidence": round(self.confidence, 3), "words": self.words,
                "reason": self.reason}


def classify(text: str) -> Classification:
    scores: dict[str, list[str]] = {}
    for code, words in KEYWORDS.items():
        found = [word for word in words if word in text]
        if found:
            scores[code] = found
    if not scores:
        return Classification("other", 0.2, [], "未命中任何关键词")
    code, found = max(scores.items(), key=lambda item: (len(item[1]), -list(KEYWORDS).index(item[0])))
    confidence = min(0.95, 0.5 + 0.15 * len(found))
    return Classification(code, confidence, found, "关键词：" + "、".join(found))
