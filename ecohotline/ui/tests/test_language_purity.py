"""No English left on a zh-Hans page and no Chinese left on an English page.

The main desk pages are rendered in both languages over a small district: the log-in page, the inbox of every
role, the case list, the case page of a case in each status (with the action panels its roles see), 登记工单, the
import page, the notifications and the settings. What a person reads is taken from each page (text nodes and
the `title`, `placeholder`, `aria-label` and `alt` attributes, never scripts or styles) and the data is taken
out: every name, text and number the fixture put in the database, and the language menu (each language is
named in its own). What is left is the catalogue's: on a zh-Hans page no run of two or more ASCII letters
outside `ZH_ALLOWED` (codes, file formats, units), on an English page no CJK character at all.

A page that shows a string the catalogue does not translate yet is marked `xfail` with that string in
`KNOWN_UNTRANSLATED`, so that the test stays green and says what is missing (it reports XPASS once the
catalogue has them: then remove the entry).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseEvent, Satisfaction
from ecohotline.factories import make_case
from ecohotline.intake.models import DuplicateSuggestion, ImportProfile, TriageSuggestion
from ecohotline.monitoring.models import Alert, Reading, Station
from ecohotline.notify.models import Notification
from ecohotline.org.models import LeaderArea, OrgUnit, Role, User

pytestmark = pytest.mark.django_db

# Runs of ASCII letters a zh-Hans page may show: codes, formats, standards and units written the same in Chinese.
ZH_ALLOWED = frozenset({
    "EH", "API", "CSV", "XLSX", "XLS", "JSON", "PDF", "URL", "ID", "GBK", "GB", "UTF", "WGS", "GCJ", "BD", "GPS",
    "HJ", "dB", "AQI", "PM", "SO", "NO", "CO", "COD", "BOD", "pH", "mg", "km", "HTTP", "HTTPS", "OpenAPI",
})
ASCII_RUN = re.compile(r"(?<![A-Za-z])Open311|[A-Za-z]{2,}")
# CJK ideographs and punctuation (not U+3000, the ideographic space that indents sub-categories in a menu).
CJK = re.compile(r"[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef]")
# What an English page may show in Chinese: each language's own name in the language menus, and the column
# headers of the 12345 export, which the import page names as the file has them.
EN_ALLOWED = ("简体中文", "工单编号", "受理时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求类型", "紧急程度",
              "所属区", "所属街乡", "办理时限", "经度", "纬度", "坐标系")
EN_ALLOWED_SEPARATOR = re.compile(r"(?<=\s)、|、(?=\s)|^、|、$")
# A JSON example in a hint ({"leq_db": 58.2}) is code, in both languages.
CODE_EXAMPLE = re.compile(r"\{[^{}]*\}")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SKIPPED_ELEMENTS = frozenset({"script", "style", "template"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})


class _ShownText(HTMLParser):
    """The text a reader sees (and the attributes read out), without scripts, styles and the language menu."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []  # the open elements whose content is not read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._skip:
            if tag not in VOID:
                self._skip.append(tag)
            return
        if tag in SKIPPED_ELEMENTS or attributes.get("id") == "language-select":
            if tag not in VOID:
                self._skip.append(tag)
            return
        self.parts.extend(value for name in SHOWN_ATTRIBUTES if (value := attributes.get(name)))
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def shown_text(html: str) -> list[str]:
    parser = _ShownText()
    parser.feed(html)
    return parser.parts


# --- the district ---------------------------------------------------------------------------------------

NOTE = "请尽快核查"
STATION = "万柳"
TEXTS = {
    "reply": "已到现场核查，责令商户加装油烟净化设施。",
    "return": "不属本队辖区",
    "findings": "现场发现排风口未安装净化设施",
    "supervise": "请局领导督办",
    "complainant": "赵先生",
    "extension": "需协调街道共同处置",
}


@dataclass
class District:
    cases: dict[str, Case]
    data: list[str]  # every data string the pages may show, longest first
    whole: frozenset[str]  # data a page shows as a text of its own only (usernames: "leader" is a word too)


def _data_strings(extra: Iterable[str]) -> list[str]:
    """The names, texts and numbers in the database that a page may show as they are."""
    values: set[str] = set(extra)
    values.update(OrgUnit.objects.values_list("name", flat=True))
    values.update(LeaderArea.objects.values_list("name", flat=True))
    for user in User.objects.all():  # not the usernames (leader, handler...): pages show the display names
        values.update({user.display_name, str(user)})
    for case in Case.objects.all():
        values.update({case.reference, case.title, case.description, case.address, case.community, case.polluter,
                       case.external_id, case.complainant_name, case.complainant_phone})
        if case.complainant_name:
            values.add(case.complainant_name[0] + "*" * (len(case.complainant_name) - 1))
    # Free texts of the timeline and triage's reasons (not their codes: a code shown as it is is a finding).
    for payload in CaseEvent.objects.values_list("payload", flat=True):
        values.update(value for value in _strings(payload) if CJK.search(value))
    for reasons in TriageSuggestion.objects.values_list("reasons", flat=True):
        values.update(value for value in _strings(reasons) if CJK.search(value))
    values.update(ImportProfile.objects.values_list("name", flat=True))
    values.discard("")
    # long first, so that a name inside a text goes with the text
    return sorted(values, key=len, reverse=True)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.fixture
def district(org: Any, django_capture_on_commit_callbacks: Any) -> District:
    spot = {"latitude": 39.9833, "longitude": 116.31, "district": "海淀区", "community": "海淀南路社区"}
    with django_capture_on_commit_callbacks(execute=True):
        new = make_case(street=org.street, title="餐馆油烟扰民", sub_category="air.catering_fumes",
                        category="air", complainant_name=TEXTS["complainant"],
                        complainant_phone="13812345678", **spot)
        earlier = make_case(street=org.street, title="同一餐馆油烟", sub_category="air.catering_fumes",
                            category="air", **spot)
        services.dispatch_case(actor=org.dispatcher, case=earlier, unit=org.squad, handler=org.handler)
        TriageSuggestion.objects.create(
            case=new, unit=org.squad, leader=org.leader, confidence=0.82, repeat_count_90d=4,
            reasons={"place": {"placed": True, "reason": "地址匹配：中关村大街", "street_name": org.street.name,
                               "community": "海淀南路社区", "decided_by": "address"},
                     "classify": {"code": "air.catering_fumes", "confidence": 0.91, "words": ["油烟"],
                                  "reason": "关键词：油烟", "source": "rules"},
                     "remit": {"decision": "keep", "confidence": 0.9, "department": "", "reason": "属生态环境部门职责"},
                     "hints": ["night"], "duplicates": [{"case": earlier.pk, "score": 0.74, "reasons": {}}],
                     "repeat_count_90d": 4, "repeated": True,
                     "route": {"unit": org.squad.pk, "unit_name": org.squad.name, "leader": org.leader.pk,
                               "confidence": 0.82, "reason": "分派规则：中关村街道的全部类别 → 执法一中队"}})
        DuplicateSuggestion.objects.create(case=new, candidate=earlier, score=0.74, reasons={"same_polluter": True})
        services.record_triage(case=new, result=TriageSuggestion.objects.get(case=new).reasons)

        returned = make_case(street=org.street, title="工地夜间施工噪声", sub_category="noise.construction",
                             category="noise", **spot)
        services.dispatch_case(actor=org.dispatcher, case=returned, unit=org.other_squad)
        services.return_order(actor=org.other_handler, case=returned, reason=TEXTS["return"])

        working = make_case(street=org.street, title="河道异味", sub_category="water", category="water",
                            complainant_phone="13900001111", **spot)
        services.dispatch_case(actor=org.dispatcher, case=working, unit=org.squad, handler=org.handler)
        services.accept_case(actor=org.handler, case=working)
        services.record_inspection(actor=org.handler, case=working, findings=TEXTS["findings"])
        services.record_measurement(actor=org.handler, case=working, kind="noise",
                                    values={"standard": "GB22337", "zone": "2", "leq_db": 58.2})
        services.request_extension(actor=org.handler, case=working, days=5, reason=TEXTS["extension"])
        services.supervise_case(actor=org.leader, case=working, note=TEXTS["supervise"])

        replied = make_case(street=org.street, title="锅炉冒黑烟", sub_category="air", category="air",
                            complainant_phone="13900002222", **spot)
        services.dispatch_case(actor=org.dispatcher, case=replied, unit=org.squad, handler=org.handler)
        services.accept_case(actor=org.handler, case=replied)
        services.reply_to_complainant(actor=org.handler, case=replied, text=TEXTS["reply"])

        closed = make_case(street=org.street, title="垃圾焚烧异味", sub_category="air", category="air",
                           complainant_phone="13900003333", **spot)
        services.dispatch_case(actor=org.dispatcher, case=closed, unit=org.squad, handler=org.handler)
        services.accept_case(actor=org.handler, case=closed)
        services.reply_to_complainant(actor=org.handler, case=closed, text=TEXTS["reply"])
        services.record_return_visit(actor=org.dispatcher, case=closed, contacted=True, solved=True,
                                     satisfaction=Satisfaction.SATISFIED)

        merged = make_case(street=org.street, title="同一工地噪声", sub_category="noise.construction",
                           category="noise", **spot)
        services.merge_case(actor=org.dispatcher, case=merged, into=working, note=NOTE)
        services.remind_case(actor=org.dispatcher, case=working, note=NOTE)
    ImportProfile.objects.get_or_create(name="hotline-standard")
    station = Station.objects.create(code="wanliu", name=STATION, latitude=39.987, longitude=116.287,
                                     street=org.street)
    hour = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    Reading.objects.bulk_create([Reading(station=station, parameter=parameter, at=hour + dt.timedelta(hours=n),
                                         value=value) for n in range(48) for parameter, value in
                                 (("pm25", 80.0), ("no2", 40.0), ("o3", 90.0), ("co", 0.8))])
    alert = Alert.objects.create(
        station=station, parameter="pm25", detector="sudden_rise", category="pollution", severity="high",
        reason="sudden_rise", first_at=hour, last_at=hour, peak_at=hour, peak_value=240.0, expected=30.0,
        params={"baseline": 30.0, "z": 9.1, "baseline_days": 28})
    cases = {"new": new, "dispatched": earlier, "returned": returned, "in_progress": working,
             "replied": replied, "closed": closed, "merged": merged}
    for case in cases.values():
        case.refresh_from_db()
    cases["alert"] = alert  # type: ignore[assignment]
    return District(cases, _data_strings([*TEXTS.values(), NOTE, STATION]),
                    frozenset(User.objects.values_list("username", flat=True)))


# --- the pages -----------------------------------------------------------------------------------------

ROLES = ("dispatcher", "handler", "unit_head", "leader", "analyst", "street_liaison", "admin")
# (page id, who looks, how to get the URL from the district)
PAGES: list[tuple[str, str | None, Callable[[District], str]]] = [
    ("login", None, lambda d: reverse("login")),
    *((f"inbox-{role}", role, lambda d: reverse("ui:inbox")) for role in ROLES),
    ("case-list", "dispatcher", lambda d: reverse("ui:case-list")),
    ("case-list-filtered", "analyst", lambda d: reverse("ui:case-list") + "?status=in_progress&q=x"),
    ("case-new-dispatcher", "dispatcher", lambda d: reverse("ui:case-detail", args=[d.cases["new"].pk])),
    ("case-dispatched-handler", "handler", lambda d: reverse("ui:case-detail", args=[d.cases["dispatched"].pk])),
    ("case-returned-dispatcher", "dispatcher",
     lambda d: reverse("ui:case-detail", args=[d.cases["returned"].pk])),
    ("case-in-progress-handler", "handler", lambda d: reverse("ui:case-detail", args=[d.cases["in_progress"].pk])),
    ("case-in-progress-unit-head", "unit_head",
     lambda d: reverse("ui:case-detail", args=[d.cases["in_progress"].pk])),
    ("case-in-progress-leader", "leader", lambda d: reverse("ui:case-detail", args=[d.cases["in_progress"].pk])),
    ("case-replied-dispatcher", "dispatcher", lambda d: reverse("ui:case-detail", args=[d.cases["replied"].pk])),
    ("case-closed-analyst", "analyst", lambda d: reverse("ui:case-detail", args=[d.cases["closed"].pk])),
    ("case-merged-admin", "admin", lambda d: reverse("ui:case-detail", args=[d.cases["merged"].pk])),
    ("new-order", "dispatcher", lambda d: reverse("ui:case-new")),
    ("import", "dispatcher", lambda d: reverse("intake:import")),
    ("notifications", "handler", lambda d: reverse("ui:notifications")),
    ("settings", "handler", lambda d: reverse("ui:settings")),
    ("stations", "handler", lambda d: reverse("monitoring:station-list")),
    ("station", "leader", lambda d: reverse("monitoring:station-detail", args=["wanliu"])),
    ("alerts", "dispatcher", lambda d: reverse("monitoring:alert-list")),
    ("alert", "dispatcher", lambda d: reverse("monitoring:alert-detail", args=[d.cases["alert"].pk])),
]

# Strings a page shows that the catalogue does not translate yet: {(page id, language): reason}.
_TIMELINE = "cases/timeline.py's msgids are not in the zh-Hans catalogue yet"
_IN_PROGRESS = (f"{_TIMELINE}: 'The duplicate merged in', 'Kind', 'Values', 'Days requested', 'Equivalent sound "
                "level'; the measurement's kind is shown as its code ('noise', timeline.py:285 and the "
                "placeholder in ui/action_forms.py PLACEHOLDERS)")
KNOWN_UNTRANSLATED: dict[tuple[str, str], str] = {}


def _cases() -> list[Any]:
    params = []
    for page_id, role, url in PAGES:
        for language in ("zh-hans", "en"):
            marks = []
            if (page_id, language) in KNOWN_UNTRANSLATED:
                marks.append(pytest.mark.xfail(reason=KNOWN_UNTRANSLATED[(page_id, language)]))
            params.append(pytest.param(page_id, role, url, language, id=f"{page_id}-{language}", marks=marks))
    return params


def _foreign(parts: list[str], language: str, data: list[str], whole: frozenset[str] = frozenset()) -> list[str]:
    """The pieces of `parts` in the other language, once the data is taken out."""
    found = []
    for part in parts:
        if part.strip() in whole:
            continue
        text = part
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        text = CODE_EXAMPLE.sub(" ", text)
        if language == "en":
            for term in EN_ALLOWED:
                text = text.replace(term, " ")
            text = EN_ALLOWED_SEPARATOR.sub(" ", " ".join(text.split()))
            if CJK.search(text):
                found.append(" ".join(text.split()))
        else:
            runs = [run for run in ASCII_RUN.findall(text) if run not in ZH_ALLOWED and run != "Open311"]
            if runs:
                found.append(f"{' '.join(text.split())}  [{', '.join(runs)}]")
    return sorted(set(found))


@pytest.mark.parametrize(("page_id", "role", "url", "language"), _cases())
def test_the_page_speaks_one_language(client: Any, org: Any, district: District, page_id: str, role: str | None,
                                      url: Callable[[District], str], language: str) -> None:
    if role is not None:
        user = org.by_role(Role(role)) if role != "street_liaison" else org.street_liaison
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
    address = url(district)
    response = client.get(address, {"lang": language}) if "?" not in address else \
        client.get(f"{address}&lang={language}")
    assert response.status_code == 200, (page_id, response.status_code)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert Notification.objects.exists()  # the notifications page has something to show
    foreign = _foreign(shown_text(html), language, district.data, district.whole)
    assert not foreign, "\n".join(["in the other language:", *foreign])


# --- the checker itself -----------------------------------------------------------------------------------


def test_the_checker_finds_the_other_language_and_lets_data_codes_and_units_through() -> None:
    html = ('<p title="Case list">案件 EH-12 · API · 58 dB(A) · CSV</p><script>var x = "English";</script>'
            '<select id="language-select"><option>English</option><option>简体中文</option></select>'
            '<p>例如 {"leq_db": 58.2}</p><p>王局 Wang</p><p>leader</p>')
    assert _foreign(shown_text(html), "zh-hans", ["王局 Wang"], frozenset({"leader"})) == [
        "Case list  [Case, list]"]
    html = '<p>Case list · 海淀南路社区 · 　Dust</p><p aria-label="案件">Cases</p><p>Columns: 工单编号、受理时间</p>'
    assert _foreign(shown_text(html), "en", ["海淀南路社区"]) == ["案件"]
