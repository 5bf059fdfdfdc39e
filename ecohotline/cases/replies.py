"""答复 drafting: reply templates (答复口径) filled from the case, and a check before a reply is sent.

Pure reads: nothing here writes. A reply is sent through `services.reply_to_complainant`.

Placeholders are written in braces, `{核查情况}`. Each known placeholder is filled from the case; where the
case does not hold the data yet, it becomes a visible gap such as `【待填写：核查情况】` for the handler to
fill, never an empty string. A placeholder nobody knows (a typo, `{核查情形}`) is left as it is and reported.
The complainant is addressed by surname only (`张先生/女士`), never by the full name; anonymous and
confidential complainants as `尊敬的市民`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecohotline.cases import measurements
from ecohotline.cases.models import (
    Case,
    ContactAttempt,
    Inspection,
    Measurement,
    Rectification,
    RectificationStatus,
    ReplyTemplate,
    RequestType,
)
from ecohotline.cases.selectors import category_labels

PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")
GAP_PREFIX = "【待填写"
GAP = re.compile(r"【待填写[^】]*】")


def gap(name: str) -> str:
    """The visible gap left where the case does not hold the data for a placeholder yet."""
    return f"{GAP_PREFIX}：{name}】"


@dataclass(frozen=True)
class ReplyWarning:
    """Something a good reply has and this one lacks, or a step missing before the reply may go out."""

    code: str
    message: str


# The name the issue used; `ReplyWarning` avoids shadowing the built-in `Warning` elsewhere.
Warning = ReplyWarning


@dataclass
class Draft:
    """A template rendered for a case: the text, the known placeholders it left as gaps (no data yet) and the
    unknown placeholders it left as they were."""

    text: str
    gaps: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Choosing a template


def _case_category(case: Case) -> str:
    return case.category or (case.sub_category.split(".")[0] if case.sub_category else "")


def templates_for(case: Case) -> list[ReplyTemplate]:
    """The active templates that fit the case, most specific first: those for its sub-category, then those
    for its category, then those for any case; in each group by their order."""
    sub, category = case.sub_category, _case_category(case)
    codes = [code for code in (sub, category) if code]
    templates = ReplyTemplate.objects.filter(Q(category__in=codes) | Q(category=""), is_active=True)
    rank = {code: i for i, code in enumerate([*codes, ""])}
    return sorted(templates, key=lambda t: (rank[t.category], t.sort_order, t.name, t.pk))


# ---------------------------------------------------------------------------------------------------------
# Filling the placeholders


def _date_zh(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；.!?;" else text + "。"


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# Standard codes as they appear in measurement verdicts → their titles.
STANDARD_TITLES = {
    "GB 3096-2008": "《声环境质量标准》（GB 3096-2008）",
    "GB 12348-2008": "《工业企业厂界环境噪声排放标准》（GB 12348-2008）",
    "GB 22337-2008": "《社会生活环境噪声排放标准》（GB 22337-2008）",
    "GB 12523-2011": "《建筑施工场界环境噪声排放标准》（GB 12523-2011）",
    "DB11/1488-2018": "北京市《餐饮业大气污染物排放标准》（DB11/1488-2018）",
    "GB 18483-2001": "《饮食业油烟排放标准（试行）》（GB 18483-2001）",
    "GB 14554-93": "《恶臭污染物排放标准》（GB 14554-93）",
    "GB 3838-2002": "《地表水环境质量标准》（GB 3838-2002）",
    "GB 8702-2014": "《电磁环境控制限值》（GB 8702-2014）",
}

# The law a case of each category is handled under (the statute only: article numbers are for the handler).
LAWS = {
    "noise": "《中华人民共和国噪声污染防治法》",
    "air": "《中华人民共和国大气污染防治法》",
    "water": "《中华人民共和国水污染防治法》",
    "waste": "《中华人民共和国固体废物污染环境防治法》",
}

# The standard that usually applies to a sub-category when no measurement names one.
DEFAULT_STANDARDS = {
    "noise.social": "GB 22337-2008",
    "noise.construction": "GB 12523-2011",
    "noise.industrial": "GB 12348-2008",
    "noise.traffic": "GB 3096-2008",
    "air.catering_fumes": "DB11/1488-2018",
    "air.odor": "GB 14554-93",
}

PERIODS = {"day": "昼间", "night": "夜间"}


def describe_measurement(measurement: Measurement) -> str:
    """The measurement and the standard's verdict in words, for a reply (always in Chinese)."""
    values: dict[str, Any] = measurement.values if isinstance(measurement.values, dict) else {}
    verdict: dict[str, Any] = measurement.verdict if isinstance(measurement.verdict, dict) else {}
    kind = measurements.KINDS.get(measurement.kind)
    with translation.override("zh-hans"):
        parts = []
        for key, value in values.items():
            item = kind.field(key) if kind else None
            if item is None or item.widget != "number" or value in (None, ""):
                continue
            parts.append(f"{item.label}{_number(value)}{item.unit}")
    period = PERIODS.get(str(verdict.get("period") or values.get("period") or ""), "")
    where = [period] if period else []
    if values.get("point"):
        where.append(f"测点位于{values['point']}")
    text = f"{_date_zh(measurement.measured_at)}监测"
    if where:
        text += f"（{'，'.join(where)}）"
    text += "，" + ("，".join(parts) if parts else "监测数据见监测报告")
    standard = str(verdict.get("standard") or "")
    if standard:
        text += f"。执行{STANDARD_TITLES.get(standard, standard)}"
    outcome = measurements.verdict_outcome(verdict)
    unit = measurements.VERDICT_UNITS.get(measurement.kind, "")
    if verdict.get("water_class"):
        return text + f"，水质类别为{verdict.get('label') or verdict['water_class']}。"
    if verdict.get("limit") is not None:
        zone = f"{verdict['zone_class']}类区" if verdict.get("zone_class") else ""
        text += f"，{zone}{period}限值为{_number(verdict['limit'])}{unit}"
    exceedance = verdict.get("exceedance")
    if outcome == "exceeds":
        if exceedance and measurement.kind == "catering_fumes":
            text += f"，监测结果超标（超标{_number(exceedance)}倍）"
        elif exceedance:
            text += f"，监测结果超标（超标{_number(exceedance)}{unit}）"
        else:
            text += "，监测结果超标"
    elif outcome == "compliant":
        text += "，监测结果达标"
    elif outcome == "remeasure":
        text += "，背景噪声与测量值相差不足3dB(A)，需重新监测"
    return text + "。"


RECTIFICATION_WORDS: dict[str, str] = {
    RectificationStatus.ORDERED: "目前正在整改",
    RectificationStatus.DONE: "已整改完成",
    RectificationStatus.VERIFIED: "经复查已整改到位",
}


def _rectification_words(item: Rectification, polluter: str) -> str:
    requirement = item.requirement.strip().rstrip("。；;")
    if not requirement.startswith(("责令", "要求", "督促")):
        requirement = f"责令{polluter or '当事方'}{requirement}"
    if item.deadline:
        requirement += f"，限于{_date_zh(item.deadline)}前完成"
    status = RECTIFICATION_WORDS.get(item.status, "")
    return f"{requirement}（{status}）" if status else requirement


class _Facts:
    """What the case holds for a reply, read once."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.inspection: Inspection | None = case.inspections.order_by("-at", "-pk").first()
        self.measurement: Measurement | None = case.measurements.order_by("-measured_at", "-pk").first()
        self.rectifications: list[Rectification] = list(case.rectifications.order_by("created_at", "pk"))

    def salutation(self) -> str:
        case = self.case
        name = case.complainant_name.strip()
        # The surname only, as masking shows it (张**): the reply is read beyond the complainant.
        if case.complainant_anonymous or case.complainant_confidential or len(name) < 2:
            return "尊敬的市民"
        return f"{name[0]}先生/女士"

    def received(self) -> str:
        return _date_zh(self.case.received_at)

    def reference(self) -> str:
        return self.case.reference

    def subject(self) -> str:
        if self.case.title.strip():
            return self.case.title.strip()
        names = category_labels().get(self.case.sub_category or self.case.category)
        return names[0] if names else ""

    def address(self) -> str:
        return self.case.address.strip()

    def polluter(self) -> str:
        return self.case.polluter.strip()

    def inspected_at(self) -> str:
        return _date_zh(self.inspection.at) if self.inspection else ""

    def findings(self) -> str:
        return _sentence(self.inspection.findings) if self.inspection else ""

    def conclusion(self) -> str:
        """属实 when the case holds proof (an exceedance, an ordered rectification); otherwise the handler says."""
        exceeded = bool(self.measurement and measurements.verdict_outcome(self.measurement.verdict) == "exceeds")
        return "属实" if exceeded or self.rectifications else ""

    def measurement_words(self) -> str:
        return describe_measurement(self.measurement) if self.measurement else ""

    def measures(self) -> str:
        return _sentence("；".join(_rectification_words(r, self.polluter()) for r in self.rectifications))

    def result(self) -> str:
        if not self.rectifications:
            return ""
        statuses = {r.status for r in self.rectifications}
        if statuses == {RectificationStatus.VERIFIED}:
            return "经复查，相关问题已整改到位。"
        if RectificationStatus.ORDERED not in statuses:
            return "当事方已完成整改，我局将复查整改效果。"
        return "当事方正在整改，我局将跟踪督促并复查整改情况。"

    def unit(self) -> str:
        return self.case.handling_unit.name if self.case.handling_unit else ""

    def contact_person(self) -> str:
        handler = self.case.handler
        if handler is None:
            return ""
        return (handler.display_name or handler.get_full_name()).strip()

    def contact_phone(self) -> str:
        # The handling unit's public number (set in the admin); never the handler's own, possibly private,
        # mobile. Without one the handler fills the gap.
        return self.case.handling_unit.phone.strip() if self.case.handling_unit else ""

    def legal_basis(self) -> str:
        law = LAWS.get(_case_category(self.case), "")
        standard = ""
        if self.measurement and isinstance(self.measurement.verdict, dict):
            standard = str(self.measurement.verdict.get("standard") or "")
        standard = standard or DEFAULT_STANDARDS.get(self.case.sub_category, "")
        standard = STANDARD_TITLES.get(standard, standard)
        return "、".join(part for part in (law, standard) if part)


# Placeholder → how it is filled. The names are what template authors write.
FILLERS: dict[str, Callable[[_Facts], str]] = {
    "诉求人称呼": _Facts.salutation,
    "受理时间": _Facts.received,
    "工单编号": _Facts.reference,
    "诉求事项": _Facts.subject,
    "地址": _Facts.address,
    "污染源": _Facts.polluter,
    "核查时间": _Facts.inspected_at,
    "核查情况": _Facts.findings,
    "核查结论": _Facts.conclusion,
    "监测结果": _Facts.measurement_words,
    "整改措施": _Facts.measures,
    "办理结果": _Facts.result,
    "承办单位": _Facts.unit,
    "联系人": _Facts.contact_person,
    "联系电话": _Facts.contact_phone,
    "法律依据": _Facts.legal_basis,
}
PLACEHOLDERS = tuple(FILLERS)
# The gap says what to write where the choice is the handler's.
GAP_HINTS = {"核查结论": "核查结论（属实/部分属实/不属实）"}


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in `text` that `render_template` does not know, in order, each once."""
    return list(dict.fromkeys(m for m in PLACEHOLDER.findall(text) if m not in FILLERS))


def render_template(template: ReplyTemplate | str, case: Case) -> Draft:
    """Fill a template's placeholders from the case. Missing data leaves a visible gap (【待填写：核查情况】);
    unknown placeholders are left as they are and reported in `Draft.unknown`."""
    source = template if isinstance(template, str) else template.text
    facts = _Facts(case)
    cache: dict[str, str] = {}
    gaps: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        filler = FILLERS.get(name)
        if filler is None:
            return match.group(0)
        if name not in cache:
            cache[name] = filler(facts)
        value = cache[name]
        if value:
            return value
        if name not in gaps:
            gaps.append(name)
        return gap(GAP_HINTS.get(name, name))

    text = PLACEHOLDER.sub(fill, source)
    return Draft(text=text, gaps=gaps, unknown=unknown_placeholders(source))


# ---------------------------------------------------------------------------------------------------------
# The check before sending
#
# A good 答复 says what was found (核查), what was done (措施), what came of it (结果) and whom to call (联系).
# Each is looked for by keywords a bureau's reply uses; a reply that has none of a group draws a warning.
# The heuristics only warn: the handler decides.

FINDING_WORDS = ("核查", "经查", "查明", "核实", "检查", "现场", "发现", "属实", "监测", "检测", "经了解")
MEASURE_WORDS = ("责令", "要求", "督促", "整改", "处罚", "罚款", "立案", "约谈", "告知", "协调", "采取",
                 "停止", "清洗", "安装", "关停", "拆除", "巡查", "移交", "转交", "联合执法")
RESULT_WORDS = ("结果", "已整改", "整改到位", "整改完成", "已完成", "已解决", "已停止", "已消除", "已拆除",
                "已关停", "达标", "超标", "恢复正常", "复查", "目前", "现已")
_CONTACT_WORD = "(?:联系电话|联系人|电话|咨询|来电|拨打)"
_PHONE_NUMBER = r"(?<!\d)(?:1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})(?!\d)"
# A contact is a phone number near a contact word (联系电话：62345678 / 可拨打62345678咨询), not any number: an
# order number is not a contact.
CONTACT = re.compile(rf"{_CONTACT_WORD}[^\n]{{0,30}}?{_PHONE_NUMBER}|{_PHONE_NUMBER}[^\n]{{0,10}}?{_CONTACT_WORD}")
# Requests whose answer is an explanation, not an inspection: only the contact and the gaps are checked.
EXPLAINED_TYPES = frozenset({RequestType.ENQUIRY, RequestType.SUGGESTION, RequestType.PRAISE})


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def check_reply(case: Case, text: str) -> list[ReplyWarning]:
    """Warnings for a reply about to be sent: what a good reply has and this text lacks, gaps and placeholders
    still in it, the complainant's identity in it, and no contact with the complainant on record."""
    warnings: list[ReplyWarning] = []
    body = GAP.sub("", text)
    if case.request_type not in EXPLAINED_TYPES:
        if not _has_any(body, FINDING_WORDS):
            warnings.append(ReplyWarning("no_findings", _(
                "The reply does not say what was found (for example 经现场核查…, 情况属实).")))
        if not _has_any(body, MEASURE_WORDS):
            warnings.append(ReplyWarning("no_measures", _(
                "The reply does not say what was done (for example 责令整改, 督促, 立案处罚).")))
        if not _has_any(body, RESULT_WORDS):
            warnings.append(ReplyWarning("no_result", _(
                "The reply does not say the result (for example 已整改到位, 监测达标, 将复查).")))
    if not CONTACT.search(body):
        warnings.append(ReplyWarning("no_contact_details", _(
            "The reply gives no contact: name a contact person and a phone number.")))
    gaps = GAP.findall(text)
    if gaps:
        warnings.append(ReplyWarning("gaps_left", ngettext(
            "%(count)d gap is still to be filled: %(gaps)s",
            "%(count)d gaps are still to be filled: %(gaps)s", len(gaps),
        ) % {"count": len(gaps), "gaps": "、".join(dict.fromkeys(gaps))}))
    placeholders = list(dict.fromkeys(PLACEHOLDER.findall(text)))
    if placeholders:
        warnings.append(ReplyWarning("placeholders_left", _(
            "Placeholders are still in the text: %(names)s") % {
            "names": "、".join("{" + name + "}" for name in placeholders)}))
    name, phone = case.complainant_name.strip(), re.sub(r"\D", "", case.complainant_phone)
    if (len(name) >= 2 and name in text) or (len(phone) >= 7 and phone in re.sub(r"[\s-]", "", text)):
        warnings.append(ReplyWarning("complainant_identity", _(
            "The reply names the complainant or gives their phone number: address them as 先生/女士.")))
    warnings.extend(_contact_warnings(case))
    return warnings


def _contact_warnings(case: Case) -> list[ReplyWarning]:
    attempts = ContactAttempt.objects.filter(case=case)
    if attempts.filter(reached=True).exists():
        return []
    tried = attempts.count()
    if not tried:
        return [ReplyWarning("no_contact_attempt", _(
            "No contact with the complainant is on record: call them before replying, and log the call."))]
    return [ReplyWarning("complainant_not_reached", ngettext(
        "The complainant was never reached (%(count)d attempt on record): try again, or say so in the reply.",
        "The complainant was never reached (%(count)d attempts on record): try again, or say so in the reply.",
        tried,
    ) % {"count": tried})]
