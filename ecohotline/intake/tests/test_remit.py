"""Remit check: the department model on the fixed 30% hold-out, the decisions, the responsibility matrix.

The hold-out tests need ../shared/data/govmsg next to the project. Without it they are skipped, unless
ECOHOTLINE_REQUIRE_SHARED=1 (CI), which makes them fail. Speed is measured in bench/remit_speed.py, not here.
"""

from __future__ import annotations

import csv
import importlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ecohotline.intake import remit
from ecohotline.intake.classify import Classification
from ecohotline.intake.textmodels import LinearTextModel
from ecohotline.intake.triage import TriageContext
from ecohotline.org.models import ResponsibilityEntry
from ecohotline.org.selectors import responsibility_matrix

# The 权责清单 the migration seeds (tests that do not touch the database pass it explicitly).
SHIPPED_MATRIX = importlib.import_module("ecohotline.org.migrations.0002_responsibility_matrix").MATRIX


@dataclass
class Govmsg:
    folder: Path
    messages: list[remit.Message]
    train: list[int]
    holdout: list[int]


@pytest.fixture(scope="module")
def govmsg() -> Govmsg:
    folder = remit.default_data_dir()
    if not remit.labelled_file(folder).is_file():
        message = f"the shared govmsg data is missing: {remit.labelled_file(folder)} does not exist"
        if os.environ.get("ECOHOTLINE_REQUIRE_SHARED") == "1":
            pytest.fail(f"{message} (ECOHOTLINE_REQUIRE_SHARED=1 requires it)", pytrace=False)
        pytest.skip(message)
    messages = remit.load_messages(folder)
    train, holdout = remit.holdout_split([m.label for m in messages])
    return Govmsg(folder, messages, train, holdout)


@pytest.fixture(scope="module")
def shipped() -> LinearTextModel:
    return LinearTextModel.load(remit.SHIPPED_MODEL)


# --- the fixed hold-out -------------------------------------------------------------------------------------


def test_the_hold_out_is_a_fixed_stratified_30_percent(govmsg: Govmsg) -> None:
    assert len(govmsg.messages) == 9210
    assert (len(govmsg.train), len(govmsg.holdout)) == (6446, 2764)
    assert not set(govmsg.train) & set(govmsg.holdout)
    for label in remit.DEPARTMENTS:
        total = sum(m.label == label for m in govmsg.messages)
        held = sum(govmsg.messages[r].label == label for r in govmsg.holdout)
        assert held == int(0.3 * total + 0.5), label
    # the rule depends on nothing but the row numbers: the same split every time, and another seed differs
    assert remit.holdout_split([m.label for m in govmsg.messages]) == (govmsg.train, govmsg.holdout)
    assert remit.holdout_split([m.label for m in govmsg.messages], seed=1)[1] != govmsg.holdout


def test_the_shipped_model_never_saw_the_hold_out(govmsg: Govmsg, shipped: LinearTextModel) -> None:
    meta = shipped.meta
    assert meta["training_rows"] == "train" and meta["messages"] == len(govmsg.train)
    assert meta["split"]["train_rows_sha256"] == remit.rows_digest(govmsg.train)
    assert meta["data_sha256"] == remit.file_sha256(remit.labelled_file(govmsg.folder))
    assert remit.SHIPPED_MODEL.stat().st_size < 4_000_000


def test_macro_f1_on_the_hold_out_reaches_0_90(govmsg: Govmsg, shipped: LinearTextModel) -> None:
    result = remit.evaluate(shipped, govmsg.messages, govmsg.holdout)
    figures = {label: round(row["f1"], 3) for label, row in result.per_label.items()}
    assert result.size == 2764
    assert result.macro_f1 >= remit.MIN_MACRO_F1, f"macro-F1 {result.macro_f1:.4f}; per label {figures}"
    assert result.accuracy >= 0.89 and min(figures.values()) >= 0.8, figures


def test_eval_remit_prints_the_figures(govmsg: Govmsg, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("eval-remit", runs=1)
    out = capsys.readouterr().out
    assert "training split 6,446, hold-out 2,764" in out
    assert all(label in out for label in remit.DEPARTMENTS)
    assert "macro-F1  0.9" in out and "accuracy" in out and "messages/s" in out
    with pytest.raises(CommandError) as failed:
        call_command("eval-remit", runs=1, min_f1=0.999)
    assert failed.value.returncode == 1 and "below 1.00" in str(failed.value)


# --- the commands without the data, and on a small data set --------------------------------------------------


@pytest.mark.parametrize("command", ["train-remit", "eval-remit"])
def test_a_missing_data_folder_is_said_clearly_with_status_2(command: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as failed:
        call_command(command, data=str(tmp_path / "nowhere"))
    assert failed.value.returncode == 2
    assert "labelled govmsg data was not found" in str(failed.value) and "nowhere" in str(failed.value)


SMALL = {  # label → (subject, body) templates of a tiny labelled set
    "城乡建设": ("小区物业乱收停车费", "开发商延期交房，物业服务差"),
    "环境保护": ("工厂排放废气污染环境", "河道污水直排，夜间噪音扰民"),
    "交通运输": ("出租车拒载绕路", "公路收费站乱收费，客运班线停运"),
    "教育文体": ("学校违规补课收费", "幼儿园乱收费，教师体罚学生"),
    "劳动和社会保障": ("公司拖欠工资不交社保", "养老保险转移接续，工伤认定"),
    "商贸旅游": ("景区门票价格虚高", "商家销售假冒伪劣商品，传销"),
    "卫生计生": ("医院乱收费看病难", "计划生育奖励政策，食品安全"),
}


def test_train_remit_rebuilds_a_model_from_a_data_folder(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "govmsg"
    folder.mkdir()
    with (folder / "labelled_messages.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级标签", "record_source"])
        for label, (subject, body) in SMALL.items():
            for i in range(20):
                writer.writerow([f"{label}{i}", "", f"A{i}市{subject}", "", body if i % 2 else "", label, ""])
    output = tmp_path / "remit.joblib"
    call_command("train-remit", data=str(folder), output=str(output))
    out = capsys.readouterr().out
    assert "training on 98 (the training split), hold-out 42" in out and "Thresholds:" in out
    model = LinearTextModel.load(output)
    assert model.labels == remit.DEPARTMENTS and model.meta["training_rows"] == "train"
    assert model.predict(["孩子的学校又要收补课费"]) == ["教育文体"]
    assert set(model.meta["thresholds"]) >= {"return", "joint", "pollution_keep"}


# --- decisions -----------------------------------------------------------------------------------------------

NOISE = "居民楼旁边的工厂机器噪音很大，晚上睡不着觉"
BUILDING_NOISE = "小区旁边工地夜间施工噪声扰民，凌晨两点还在打桩，严重影响休息。"
SCHOOL_FEES = "孩子所在的小学乱收费，每学期收取补课费和资料费800元，请教委查处。"
TENANCY = "房东到期不退押金，租房合同纠纷，中介也不管，请住建部门处理租赁纠纷。"


def test_a_noise_complaint_is_kept() -> None:
    decision = remit.check_remit(NOISE, "noise.industrial", matrix=SHIPPED_MATRIX)
    assert (decision.decision, decision.department) == ("keep", "")
    assert decision.reason.startswith("属生态环境部门职责（部门模型：环境保护，置信度")
    assert max(decision.probabilities, key=decision.probabilities.__getitem__) == "环境保护"


def test_clear_pollution_is_kept_even_when_the_model_leans_elsewhere() -> None:
    # construction sites are mostly 城乡建设 in the govmsg data; the pollution classifier is sure it is noise
    decision = remit.check_remit(BUILDING_NOISE, "noise.construction", matrix=SHIPPED_MATRIX)
    assert (decision.decision, decision.department) == ("keep", "")
    assert decision.reason.startswith("污染类型明确（noise.construction：") and "部门模型倾向" in decision.reason


def test_a_school_fee_complaint_goes_back_to_education() -> None:
    decision = remit.check_remit(SCHOOL_FEES, "other", matrix=SHIPPED_MATRIX)
    assert (decision.decision, decision.department) == ("return", "教育文体")
    assert re.fullmatch(r"更可能属于教育文体（教育/文旅/体育）部门职责，置信度 [01]\.\d\d", decision.reason)
    assert decision.as_payload()["department"] == "教育文体"


def test_a_tenancy_dispute_goes_back_to_housing() -> None:
    decision = remit.check_remit(TENANCY, "other", matrix=SHIPPED_MATRIX)
    assert (decision.decision, decision.department) == ("return", "城乡建设")
    assert "城乡建设（住建/城管）" in decision.reason


class StubModel:
    """A department model whose probabilities are given."""

    labels = remit.DEPARTMENTS
    meta = {"thresholds": {"return": 0.7, "joint": 0.1, "pollution_keep": 0.75}}

    def __init__(self, **probabilities: float) -> None:
        self.row = np.array([[probabilities.get(label, 0.0) for label in self.labels]])

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return self.row


@pytest.mark.parametrize(("probabilities", "confidence", "expected"), [
    ({"环境保护": 0.6, "城乡建设": 0.4}, 0.3, ("keep", "")),
    ({"城乡建设": 0.9, "环境保护": 0.05, "交通运输": 0.05}, 0.9, ("keep", "")),  # sure it is pollution
    ({"城乡建设": 0.9, "环境保护": 0.05, "交通运输": 0.05}, 0.3, ("return", "城乡建设")),
    ({"城乡建设": 0.6, "环境保护": 0.3, "交通运输": 0.1}, 0.3, ("joint", "城乡建设")),
    ({"城乡建设": 0.5, "交通运输": 0.45, "环境保护": 0.05}, 0.3, ("keep", "")),  # unsure: the dispatcher decides
])
def test_the_thresholds_decide(monkeypatch: pytest.MonkeyPatch, probabilities: dict[str, float],
                               confidence: float, expected: tuple[str, str]) -> None:
    monkeypatch.setattr(remit, "department_model", lambda: StubModel(**probabilities))
    classification = Classification("air.dust", confidence, ["扬尘"])
    decision = remit.check_remit("一段文字", "air.dust", classification=classification, matrix=SHIPPED_MATRIX)
    assert (decision.decision, decision.department) == expected
    if expected[0] == "keep" and confidence < 0.75 and probabilities.get("环境保护", 0) < 0.5:
        assert "把握不足" in decision.reason and "城乡建设" in decision.reason


def test_without_a_model_file_everything_is_kept_for_the_dispatcher(settings: Any, tmp_path: Path) -> None:
    settings.REMIT_MODEL_FILE = str(tmp_path / "none.joblib")
    decision = remit.check_remit(SCHOOL_FEES, "other", matrix=SHIPPED_MATRIX)
    assert decision.decision == "keep" and "不可用" in decision.reason


def test_choose_thresholds_respects_the_limits() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 7, 3000)
    scores = rng.normal(size=(3000, 7)) + 4 * np.eye(7)[truth]
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    chosen = remit.choose_thresholds(probs, truth, np.zeros(3000, dtype=bool))
    stats = chosen["validation"]
    assert stats["ours_returned"] <= remit.MAX_OURS_RETURNED and stats["return_precision"] >= 0.95
    assert 0.5 <= chosen["return"] <= 0.95 and chosen["pollution_keep"] == remit.POLLUTION_KEEP_CONFIDENCE


# --- the responsibility matrix ----------------------------------------------------------------------------------


def test_the_shipped_matrix_sends_neighbour_noise_back_and_ktv_noise_to_joint_handling() -> None:
    neighbours = remit.check_remit("楼上邻居天天装修，电钻噪音很大，周末也不停", "noise.social",
                                   matrix=SHIPPED_MATRIX)
    assert (neighbours.decision, neighbours.department) == ("return", "公安派出所、物业和居委会")
    assert neighbours.reason.startswith("权责清单：")
    ktv = remit.check_remit("小区门口的KTV每天晚上噪音很大，影响休息", "noise.social", matrix=SHIPPED_MATRIX)
    assert ktv.decision == "joint" and "城管" in ktv.department
    fumes = remit.check_remit("小区楼下烧烤店油烟直排，晚上十一点还在营业", "air.catering_fumes",
                              matrix=SHIPPED_MATRIX)
    assert fumes.decision == "keep"


@pytest.mark.django_db
def test_the_matrix_is_edited_in_the_database_and_read_by_triage() -> None:
    ResponsibilityEntry.objects.all().delete()
    ResponsibilityEntry.objects.create(subject="air", words="油烟\n烧烤", decision="return", department="城管执法",
                                       reason="本区餐饮油烟由城管执法负责")
    ResponsibilityEntry.objects.create(subject="air", words="", decision="joint", department="不会用到",
                                       reason="停用的行", is_active=False)
    fumes = remit.check_remit("小区楼下烧烤店油烟直排，晚上十一点还在营业", "air.catering_fumes")
    assert (fumes.decision, fumes.department) == ("return", "城管执法")
    assert fumes.reason == "权责清单：本区餐饮油烟由城管执法负责"
    assert remit.check_remit("小区门口的KTV每天晚上噪音很大", "noise.social").decision == "keep"  # no line for it
    # A batch reads the matrix once, with the rest of triage's context.
    context = TriageContext.load()
    assert context.matrix == {"air": [{"when_any": ["油烟", "烧烤"], "decision": "return", "department": "城管执法",
                                       "reason": "本区餐饮油烟由城管执法负责", "legal_basis": ""}]}


@pytest.mark.django_db
def test_the_migration_ships_the_starting_matrix() -> None:
    shipped = {(subject, len(entries)) for subject, entries in SHIPPED_MATRIX.items()}
    assert ResponsibilityEntry.objects.count() == sum(count for _, count in shipped)
    assert responsibility_matrix()["noise.social"][0]["when_any"][:2] == ["邻居", "楼上"]


def test_the_model_is_loaded_on_first_use_not_at_import() -> None:
    code = ("import django; django.setup()\n"
            "from ecohotline.intake import remit, triage\n"
            "print(remit._MODEL.key is None)\n"
            "remit.check_remit('噪声扰民', 'noise.social', matrix={})\n"
            "print(remit._MODEL.key is not None)\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ecohotline.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["True", "True"]
