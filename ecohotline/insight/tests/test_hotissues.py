"""Hot issues (热点问题) on planted messages: the planted issues and only they are found, in heat order, named by
place and problem; a place with two problems gives two issues; the heat of an issue worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from ecohotline.insight.hotissues import HeatWeights, Message, find_hot_issues, heat, places

END = dt.datetime(2026, 6, 30, 20, 0)


def at(days_before_end: float) -> dt.datetime:
    return END - dt.timedelta(days=days_before_end)


# (id, user, subject, days before the end, text, supports, opposes)
PLANTED = [
    # A: 丽景花园小区, mixing plant noise: 6 messages from 4 users (a1 three times), the last on the last day.
    ("A1", "a1", "投诉海淀区丽景花园小区附近搅拌站噪音扰民", 9,
     "丽景花园小区旁边新建的搅拌站日夜施工，噪音很大，严重扰民。", 2, 0),
    ("A2", "a2", "丽景花园小区旁边搅拌站噪音太大", 8, "搅拌站的机器轰鸣，噪音吵得丽景花园小区居民无法休息。", 0, 0),
    ("A3", "a1", "再次投诉丽景花园小区搅拌站噪音扰民", 6,
     "搅拌站噪音扰民问题仍未解决，丽景花园小区居民晚上睡不着。", 0, 0),
    ("A4", "a3", "海淀区丽景花园小区搅拌站夜间噪音扰民", 4, "每天夜里搅拌站还在作业，噪音扰民严重。", 1, 0),
    ("A5", "a4", "丽景花园小区附近的搅拌站噪音严重影响休息", 2, "搅拌站噪音太大，孩子和老人都休息不好。", 0, 0),
    ("A6", "a1", "丽景花园小区搅拌站噪音问题何时解决", 0, "多次反映搅拌站噪音扰民，至今没有处理。", 0, 0),
    # B: 东湖路美食街, catering fumes: 4 messages from 4 users, two months before the end.
    ("B1", "b1", "东湖路美食街餐馆油烟扰民", 64, "东湖路美食街的餐馆油烟直排，楼上住户窗户都不敢开。", 0, 0),
    ("B2", "b2", "投诉东湖路美食街烧烤店油烟直排", 63, "美食街烧烤店没有油烟净化器，油烟熏人。", 0, 0),
    ("B3", "b3", "东湖路美食街饭店油烟太大", 62, "东湖路美食街饭店油烟很大，呛得人咳嗽。", 0, 0),
    ("B4", "b4", "东湖路美食街油烟污染严重", 61, "美食街油烟污染严重，请安装油烟净化设施。", 0, 0),
    # C: 丽景花园小区 again, another problem: the refuse station smells; 3 messages from 3 users.
    ("C1", "c1", "丽景花园小区垃圾站臭味熏人", 20, "小区垃圾站垃圾堆积，臭味熏人，夏天更严重。", 0, 0),
    ("C2", "c2", "投诉丽景花园小区垃圾站散发恶臭", 15, "垃圾站长期不清运，散发恶臭，蚊蝇很多。", 0, 0),
    ("C3", "c3", "丽景花园小区垃圾站臭气扰民", 10, "垃圾站臭气扰民，希望尽快清运垃圾。", 0, 0),
    # Singles: unrelated, two of them at 丽景花园小区 or 东湖路 with yet another problem.
    ("S1", "s1", "丽景花园小区地下车库漏水", 30, "地下车库顶板漏水，车辆被泡。", 0, 0),
    ("S2", "s2", "东湖路路灯不亮", 40, "东湖路一段路灯坏了很久，晚上出行不安全。", 0, 0),
    ("S3", "s3", "咨询人才公寓申请条件", 50, "想了解人才公寓的申请条件和流程。", 0, 0),
    ("S4", "s4", "西山公园厕所太少", 70, "西山公园游客多，厕所太少，排队很长。", 0, 0),
    ("S5", "s5", "某公司拖欠工资三个月", 80, "某科技有限公司拖欠员工工资三个月未发。", 0, 0),
]


def planted() -> list[Message]:
    return [Message(id=i, user=u, subject=s, time=at(d), text=t, supports=p, opposes=o)
            for i, u, s, d, t, p, o in PLANTED]


def test_places_are_named_without_the_administrative_prefix_and_the_surrounding_words() -> None:
    assert places("投诉A2区丽发新城附近建搅拌站噪音扰民") == ["丽发新城"]
    assert places("伊景园滨河苑捆绑车位销售合法吗？") == ["伊景园滨河苑"]
    assert places("A3区中海国际社区三期与四期中间空地夜间施工噪音扰民") == ["中海国际社区"]
    assert places("A市人才购房补贴申请是否与单位注册地有关？") == []
    assert places("A市丽发新城违建搅拌站") == ["丽发新城"]


def test_exactly_the_planted_issues_are_found_in_heat_order() -> None:
    issues = find_hot_issues(planted(), top=None)
    assert [sorted(issue.member_ids) for issue in issues] == [
        ["A1", "A2", "A3", "A4", "A5", "A6"], ["B1", "B2", "B3", "B4"], ["C1", "C2", "C3"]]
    assert [issue.rank for issue in issues] == [1, 2, 3]
    assert [(issue.messages, issue.complainants) for issue in issues] == [(6, 4), (4, 4), (3, 3)]
    # A: a1's repeats within 30 days weigh 0.1 each: 4.2 + 4 people + log2(1 + 3 supports), over 9 days, last today.
    assert issues[0].heat == pytest.approx((4.2 + 4 + 2) * (1 + 0.5 * 9 / 365), rel=1e-6)
    # B is older than C but has more people: (4 + 4) two months back beats (3 + 3) ten days back.
    assert issues[1].heat == pytest.approx(8 * (1 + 0.5 * 3 / 365) * 0.5 ** (61 / 180), rel=1e-6)
    assert issues[2].heat == pytest.approx(6 * (1 + 0.5 * 10 / 365) * 0.5 ** (10 / 180), rel=1e-6)
    assert issues[0].first_at == at(9) and issues[0].last_at == at(0)
    assert (issues[0].supports, issues[0].opposes) == (3, 0)


def test_issues_are_named_by_place_and_problem() -> None:
    first, second, third = find_hot_issues(planted(), top=3)
    assert "丽景花园" in first.place and "搅拌站" in first.problem and "噪音" in first.name
    assert first.place.startswith("海淀区")
    assert "东湖路美食街" in second.place and "油烟" in second.problem
    assert "丽景花园" in third.place and "垃圾站" in third.problem
    assert first.name == f"{first.place} {first.problem}"


def test_top_limits_the_list_and_singles_are_no_issue() -> None:
    assert [issue.member_ids[0] for issue in find_hot_issues(planted(), top=1)] == ["A1"]
    singles = [m for m in planted() if m.id.startswith("S")]
    assert find_hot_issues(singles) == []
    assert find_hot_issues([]) == []


def test_a_place_in_many_unrelated_messages_does_not_merge_them() -> None:
    subjects = ["丽景花园小区地下车库漏水", "丽景花园小区电梯经常故障", "丽景花园小区物业乱收停车费",
                "丽景花园小区门口道路坑洼", "丽景花园小区绿化带被占用", "丽景花园小区供暖温度不达标"]
    messages = [Message(id=str(k), user=f"u{k}", subject=s, time=at(k), text=s) for k, s in enumerate(subjects)]
    assert find_hot_issues(messages) == []


def test_one_problem_at_two_places_is_two_issues() -> None:
    messages = [Message(id=f"{place}{k}", user=f"{place}{k}", subject=f"{place}小区附近搅拌站噪音扰民",
                        time=at(k), text="搅拌站噪音很大，严重扰民。")
                for place in ("丽景花园", "金源家园") for k in range(3)]
    issues = find_hot_issues(messages)
    assert sorted(sorted(issue.member_ids) for issue in issues) == [
        ["丽景花园0", "丽景花园1", "丽景花园2"], ["金源家园0", "金源家园1", "金源家园2"]]


def test_heat_worked_out_by_hand() -> None:
    start = dt.datetime(2026, 1, 1)
    messages = [Message("1", "u1", "s", start, "t"),
                Message("2", "u1", "s", start + dt.timedelta(days=10), "t"),  # repeat within 30 days: 0.1
                Message("3", "u1", "s", start + dt.timedelta(days=50), "t"),  # later repeat: 0.5
                Message("4", "u2", "s", start + dt.timedelta(days=50), "t", supports=5, opposes=1)]
    end = start + dt.timedelta(days=230)  # 180 days after the last message: half
    expected = (2.6 + 2 + 2.321928094887362) * (1 + 0.5 * 50 / 365) * 0.5
    assert heat(messages, end) == pytest.approx(expected, rel=1e-9)
    assert heat(messages, end, HeatWeights(recency_half_life_days=90)) == pytest.approx(expected / 2, rel=1e-9)


@pytest.mark.parametrize("limit", [10, 3])
def test_large_inputs_split_into_components_find_the_same_issues(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Above DENSE_LIMIT messages the pairs graph is cut into components first (10: every component fits, exactly
    average linkage; 3: the 6-message component is split again at a stricter edge)."""
    import ecohotline.insight.hotissues as hotissues

    monkeypatch.setattr(hotissues, "DENSE_LIMIT", limit)
    assert [sorted(issue.member_ids) for issue in find_hot_issues(planted(), top=None)] == [
        ["A1", "A2", "A3", "A4", "A5", "A6"], ["B1", "B2", "B3", "B4"], ["C1", "C2", "C3"]]


def test_one_person_writing_again_and_again_is_no_hot_issue() -> None:
    messages = [Message(id=str(k), user="same", subject="丽景花园小区搅拌站噪音扰民", time=at(k * 40),
                        text="搅拌站噪音很大") for k in range(5)]
    assert find_hot_issues(messages) == []
    [issue] = find_hot_issues(messages, min_complainants=1)
    # 1 for the first message, 0.5 for each later one (40 days apart: past the 30-day window), one person.
    assert issue.heat == pytest.approx((1 + 4 * 0.5 + 1) * (1 + 0.5 * 160 / 365), rel=1e-9)
