"""Classify: the keyword rules with their words and confidence; train-classifier from confirmed cases, on
the demo district (labelled by construction) and on the bureau's own words."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecohotline.cases import services
from ecohotline.cases.models import Case
from ecohotline.core.workdays import BEIJING
from ecohotline.demo.generator import generate_cases
from ecohotline.demo.organisation import build_organisation
from ecohotline.factories import make_case
from ecohotline.intake.classify import CODES, RULES, classify, classify_by_rules, trained_model

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_model_file(settings: Any, tmp_path: Path) -> Path:
    """Each test has its own (absent until trained) classifier file, whatever DATA_DIR holds."""
    settings.CLASSIFIER_MODEL_FILE = str(tmp_path / "classifier.joblib")
    return tmp_path / "classifier.joblib"


@pytest.mark.parametrize(("text", "code", "words"), [
    ("中关村大街12号楼下烧烤店油烟直排，晚上十一点还在营业，孩子咳嗽。", "air.catering_fumes", {"油烟", "烧烤"}),
    ("反映工地夜间施工，凌晨两点还在打桩，噪声很大", "noise.construction", {"夜间施工", "打桩", "噪声"}),
    ("工地裸露土方没有苫盖，风一刮满天是土", "air.dust", {"苫盖", "裸露土方"}),
    ("小区旁边的KTV每天晚上音响声音很大", "noise.social", {"ktv", "音响"}),
    ("饭店的排风机噪声一直不停", "noise.social", {"排风机", "噪声"}),
    ("数据中心冷却塔轰鸣声很大，晚上睡不着", "noise.industrial", {"冷却塔", "轰鸣"}),
    ("高架路段车辆鸣笛，交通噪声太大", "noise.traffic", {"交通噪声", "鸣笛"}),
    ("物流公司运输车辆冒着黑烟行驶", "air.vehicle", {"黑烟"}),
    ("锅炉房烟囱冒黑烟", "air.industrial", {"烟囱", "锅炉"}),
    ("垃圾转运站臭味很重，不敢开窗", "air.odor", {"臭味"}),
    ("有人在绿化带焚烧落叶，浓烟滚滚", "air.burning", {"焚烧"}),
    ("厂区向河里排放污水，水面有泡沫", "water.discharge", {"排放污水"}),
    ("公园湖里出现大量死鱼，水质发绿", "water.quality", {"死鱼", "水质"}),
    ("废品站废机油随意倾倒", "waste.hazardous", {"废机油"}),
    ("村边空地倾倒大量建筑垃圾", "waste.solid", {"建筑垃圾", "倾倒"}),
    ("楼顶新装了通信基站，担心辐射", "radiation.electromagnetic", {"基站", "辐射"}),
    ("工地探伤作业没有设置警戒", "radiation.ionizing", {"探伤"}),
    ("原工厂地块土壤污染", "soil", {"土壤污染"}),
    ("山上大片树木被砍伐", "ecology", {"砍伐"}),
    ("商场外墙大屏夜间太亮，光污染", "other", {"光污染"}),
])
def test_the_rules_name_the_sub_category_and_the_words(text: str, code: str, words: set[str]) -> None:
    result = classify(text)
    assert result.code == code, result
    assert words <= set(result.words) and result.source == "rules"
    assert result.reason.startswith("关键词：") and 0.5 < result.confidence <= 0.95


def test_the_rules_confidence_follows_the_evidence() -> None:
    strong = classify_by_rules("烧烤店油烟直排，净化器不开，餐饮油烟扰民")
    weak = classify_by_rules("楼下烧烤店很吵")
    assert strong.confidence > weak.confidence
    nothing = classify_by_rules("请问如何办理居住证")
    assert (nothing.code, nothing.confidence, nothing.words) == ("other", 0.2, [])
    assert classify_by_rules("要求停止扰民行为").code == "other"  # 扰民 alone names no problem
    assert set(RULES) == set(CODES)



def _accuracy(cases: list[tuple[str, str, str]], decide: Any) -> float:
    return sum(decide(f"{title} {description}").code == code for title, description, code in cases) / len(cases)


def test_train_classifier_round_trip_on_the_demo_district(_own_model_file: Path) -> None:
    build_organisation()
    generate_cases(count=600, seed=11, end=dt.date(2026, 11, 22))
    out = StringIO()
    call_command("train-classifier", stdout=out)
    assert _own_model_file.is_file() and "Cross-validated accuracy" in out.getvalue()
    first = Case.objects.order_by("-pk").values_list("pk", flat=True)[0]
    generate_cases(count=400, seed=12, end=dt.date(2026, 11, 22), append=True)  # unseen cases
    unseen = list(Case.objects.filter(pk__gt=first).values_list("title", "description", "sub_category"))
    rules = _accuracy(unseen, classify_by_rules)
    combined = _accuracy(unseen, classify)
    # Figures of this test (600 cases of seed 11 → 400 of seed 12): rules 0.990, rules + model 0.9975 (the
    # first keyword version of classify.py: 0.89). The demo texts are templated, so the rules do well too.
    assert combined >= 0.99 and combined > rules, f"rules {rules:.3f}, with the model {combined:.3f}"
    learnt = classify(f"{unseen[0][0]} {unseen[0][1]}")
    assert learnt.source == "model" and learnt.words and re.match(r"模型（\d+ 件已确认案件训练）", learnt.reason)


LOCAL = {  # how this bureau's callers put things, in words the keyword rules do not know
    "air.catering_fumes": "{}大排档后厨排风扇直吹居民窗户，一到饭点满楼都是炒菜味",
    "noise.construction": "{}罐车半夜进出，泵车作业到凌晨",
    "water.discharge": "{}洗车房把脏水直接冲进雨水箅子",
}
PLACES = ("胜利路", "学院路", "清河", "西三旗", "上地", "永丰", "苏家坨", "温泉", "四季青", "万柳")


def test_the_model_learns_the_bureaus_own_words(_own_model_file: Path) -> None:
    start = dt.datetime(2026, 5, 1, 9, tzinfo=BEIJING)
    for code, template in LOCAL.items():
        for i, place in enumerate(PLACES):
            make_case(received_at=start + dt.timedelta(hours=i), title="", description=template.format(place),
                      category=code.split(".")[0], sub_category=code, category_confirmed=True)
    probe = "黄庄大排档后厨排风扇直吹窗户，饭点满楼炒菜味"
    assert classify(probe).code != "air.catering_fumes"  # the rules alone miss it
    call_command("train-classifier", stdout=StringIO())
    result = classify(probe)
    assert result.code == "air.catering_fumes" and result.source == "model" and result.confidence >= 0.5
    assert any("排档" in word or "炒菜" in word or "排风" in word for word in result.words), result.words
    assert classify("双清路罐车半夜进出，泵车一直响").code == "noise.construction"
    assert trained_model() is not None and trained_model().meta["cases"] == 30


def test_since_and_too_few_cases(_own_model_file: Path) -> None:
    old = dt.datetime(2026, 1, 5, 9, tzinfo=BEIJING)
    new = dt.datetime(2026, 6, 5, 9, tzinfo=BEIJING)
    for i, place in enumerate(PLACES[:6]):
        make_case(received_at=old, description=LOCAL["water.discharge"].format(place), category="water",
                  sub_category="water.discharge", category_confirmed=True)
        make_case(received_at=new + dt.timedelta(minutes=i), description=LOCAL["air.catering_fumes"].format(place),
                  category="air", sub_category="air.catering_fumes", category_confirmed=True)
    with pytest.raises(CommandError, match="at least two sub-categories"):
        call_command("train-classifier", since="2026-06-01", stdout=StringIO())
    assert not _own_model_file.exists()
    out = StringIO()
    call_command("train-classifier", since="2026-01-01", stdout=out)
    assert "12 confirmed cases received since 2026-01-01" in out.getvalue() and _own_model_file.is_file()


# --- only confirmed labels are learnt --------------------------------------------------------------------

FUMES_PROBE = "黄庄大排档后厨排风扇直吹窗户，饭点满楼炒菜味"


def _local_cases(code: str, *, label: str | None = None, confirmed: bool = True) -> list[Case]:
    """One order per place in the bureau's own words for `code`, labelled `label` (default: `code`)."""
    label = label or code
    start = dt.datetime(2026, 5, 1, 9, tzinfo=BEIJING)
    return [make_case(received_at=start + dt.timedelta(hours=i), description=LOCAL[code].format(place),
                      category=label.split(".")[0], sub_category=label, category_confirmed=confirmed)
            for i, place in enumerate(PLACES)]


def test_unconfirmed_guesses_are_not_learnt(_own_model_file: Path) -> None:
    _local_cases("noise.construction")
    _local_cases("water.discharge")
    # The classifier's guess for these fumes orders (social noise, for the 排风扇) was never confirmed.
    _local_cases("air.catering_fumes", label="noise.social", confirmed=False)
    out = StringIO()
    call_command("train-classifier", stdout=out)
    assert "20 confirmed cases." in out.getvalue()
    assert "Left out: 10 cases whose sub-category nobody confirmed" in out.getvalue()
    model = trained_model()
    assert model is not None and set(model.labels) == {"noise.construction", "water.discharge"}
    assert model.meta["cases"] == 20


def test_a_dispatchers_correction_is_learnt(org: Any, _own_model_file: Path) -> None:
    _local_cases("noise.construction")
    _local_cases("water.discharge")
    guesses = _local_cases("air.catering_fumes", label="noise.social", confirmed=False)
    assert classify(FUMES_PROBE).code != "air.catering_fumes"  # the rules alone miss it
    for case in guesses:
        services.set_category(actor=org.dispatcher, case=case, sub_category="air.catering_fumes")
    out = StringIO()
    call_command("train-classifier", stdout=out)
    assert "30 confirmed cases." in out.getvalue() and "Left out" not in out.getvalue()
    model = trained_model()
    assert model is not None and "air.catering_fumes" in model.labels and "noise.social" not in model.labels
    result = classify(FUMES_PROBE)
    assert (result.code, result.source) == ("air.catering_fumes", "model"), result
