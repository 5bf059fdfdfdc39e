"""Catering fumes verdicts: cases worked by hand from shared/domain/standards.md §7.

GB 18483-2001: 油烟 ≤ 2.0 mg/m³ for every scale (Table 2); purifier removal ≥ 60 / 75 / 85 % for small /
medium / large (Table 2); scale by base stoves [1,3) / [3,6) / ≥6 (Table 1); no purifier -> exceeds (§5.1).
DB11/1488-2018 (Beijing, from 2019-01-01): 油烟 ≤ 1.0, 颗粒物 ≤ 5.0, 非甲烷总烃 ≤ 10.0 from 2020-01-01.
超标倍数 (exceedance) = (measured − limit) / limit when above the limit.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any

import pytest

from ecohotline.standards.errors import StandardsError
from ecohotline.standards.fumes import (
    FumesScale,
    FumesVerdict,
    Pollutant,
    Verdict,
    fumes_verdict,
    reference_concentration,
    sampling_average,
    scale_for_stoves,
)

TODAY = datetime.date(2026, 11, 22)
GB = "GB 18483-2001 饮食业油烟排放标准（试行）"
DB = "DB11/1488-2018 北京市餐饮业大气污染物排放标准"


def national(**kwargs: Any) -> FumesVerdict:
    return fumes_verdict(on=TODAY, in_beijing=False, **kwargs)


# --- GB 18483-2001 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stoves", "scale"),
    [
        (1, FumesScale.SMALL),  # ≥1, <3
        (2, FumesScale.SMALL),
        (3, FumesScale.MEDIUM),  # ≥3, <6
        (5, FumesScale.MEDIUM),
        (6, FumesScale.LARGE),  # ≥6
        (40, FumesScale.LARGE),
    ],
)
def test_scale_from_base_stoves(stoves: int, scale: FumesScale) -> None:
    assert scale_for_stoves(stoves) is scale
    assert national(concentration=1.0, stoves=stoves).scale is scale


@pytest.mark.parametrize(
    ("concentration", "verdict", "exceedance"),
    [
        (0.0, "compliant", 0.0),
        (2.0, "compliant", 0.0),  # equal to the 2.0 limit complies
        (2.01, "exceeds", 0.005),  # (2.01 − 2.0) / 2.0 = 0.005
        (3.0, "exceeds", 0.5),  # (3.0 − 2.0) / 2.0 = 0.5
        (5.0, "exceeds", 1.5),  # (5.0 − 2.0) / 2.0 = 1.5
    ],
)
@pytest.mark.parametrize("scale", [None, "small", "medium", "large"])
def test_national_concentration_limit_is_2_for_every_scale(
    concentration: float, verdict: str, exceedance: float, scale: str | None
) -> None:
    result = national(concentration=concentration, scale=scale)
    assert result.standard == GB
    assert result.standard_code == "GB 18483-2001"
    assert result.clause == "表2"
    assert result.limit == 2.0
    assert result.measured == concentration
    assert result.verdict == verdict
    assert result.exceedance == exceedance
    assert result.reasons == ("fumes_within_limit" if verdict == "compliant" else "fumes_above_limit",)


@pytest.mark.parametrize(
    ("scale", "efficiency", "minimum", "verdict", "reason"),
    [
        ("small", 60.0, 60.0, "compliant", "removal_efficiency_meets_minimum"),  # at the minimum
        ("small", 59.9, 60.0, "exceeds", "removal_efficiency_below_minimum"),
        ("medium", 75.0, 75.0, "compliant", "removal_efficiency_meets_minimum"),
        ("medium", 74.9, 75.0, "exceeds", "removal_efficiency_below_minimum"),
        ("medium", 60.0, 75.0, "exceeds", "removal_efficiency_below_minimum"),  # enough for small only
        ("large", 85.0, 85.0, "compliant", "removal_efficiency_meets_minimum"),
        ("large", 84.9, 85.0, "exceeds", "removal_efficiency_below_minimum"),
        ("large", 100.0, 85.0, "compliant", "removal_efficiency_meets_minimum"),
    ],
)
def test_national_minimum_removal_efficiency_by_scale(
    scale: str, efficiency: float, minimum: float, verdict: str, reason: str
) -> None:
    # concentration 1.5 ≤ 2.0 complies, so only the efficiency decides
    result = national(concentration=1.5, scale=scale, removal_efficiency=efficiency)
    assert result.minimum_removal_efficiency == minimum
    assert result.removal_efficiency == efficiency
    assert result.verdict == verdict
    assert result.reasons == ("fumes_within_limit", reason)


def test_efficiency_rule_uses_the_scale_from_stoves() -> None:
    # 4 stoves -> medium -> minimum 75; 70 < 75
    result = national(concentration=1.0, stoves=4, removal_efficiency=70.0)
    assert result.scale is FumesScale.MEDIUM
    assert result.verdict is Verdict.EXCEEDS
    assert result.reasons == ("fumes_within_limit", "removal_efficiency_below_minimum")


def test_scale_and_stoves_may_both_be_given_when_they_agree() -> None:
    assert national(concentration=1.0, scale="large", stoves=6).scale is FumesScale.LARGE


def test_concentration_and_efficiency_both_failing_give_both_reasons() -> None:
    result = national(concentration=2.4, scale="small", removal_efficiency=50.0)
    assert result.verdict is Verdict.EXCEEDS
    assert result.exceedance == 0.2  # (2.4 − 2.0) / 2.0
    assert result.reasons == ("fumes_above_limit", "removal_efficiency_below_minimum")


def test_no_purifier_is_deemed_to_exceed_nationally() -> None:
    # §5.1 无组织排放视同超标, even though 0.5 ≤ 2.0
    result = national(concentration=0.5, purifier_installed=False)
    assert result.verdict is Verdict.EXCEEDS
    assert result.reasons == ("fumes_within_limit", "no_purifier")


def test_national_standard_does_not_judge_pm_or_nmhc() -> None:
    result = national(concentration=1.0, particulate_matter=50.0, non_methane_hydrocarbons=99.0)
    assert result.verdict is Verdict.COMPLIANT
    assert [p.pollutant for p in result.pollutants] == [Pollutant.FUMES]
    assert result.notes == ("particulate_matter_not_set_by_standard", "non_methane_hydrocarbons_not_set_by_standard")


# --- Beijing: DB11/1488-2018 and the date switch ---------------------------------------------------


@pytest.mark.parametrize(
    ("on", "in_beijing", "standard", "limit", "verdict"),
    [
        (datetime.date(2002, 1, 1), False, GB, 2.0, "compliant"),  # GB 18483 effective date
        (datetime.date(2002, 1, 1), True, GB, 2.0, "compliant"),
        (datetime.date(2018, 12, 31), True, GB, 2.0, "compliant"),  # day before DB11: 1.5 ≤ 2.0
        (datetime.date(2019, 1, 1), True, DB, 1.0, "exceeds"),  # DB11 in force: 1.5 > 1.0
        (datetime.date(2019, 1, 1), False, GB, 2.0, "compliant"),  # outside Beijing stays national
        (TODAY, True, DB, 1.0, "exceeds"),
        (TODAY, False, GB, 2.0, "compliant"),
    ],
)
def test_standard_in_force_by_place_and_date(
    on: datetime.date, in_beijing: bool, standard: str, limit: float, verdict: str
) -> None:
    result = fumes_verdict(concentration=1.5, on=on, in_beijing=in_beijing)
    assert result.standard == standard
    assert result.limit == limit
    assert result.verdict == verdict


def test_beijing_is_the_default_place() -> None:
    assert fumes_verdict(concentration=1.0, on=TODAY).standard == DB


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (datetime.datetime(2019, 1, 1, 0, 30), "DB11/1488-2018"),  # naive: its own calendar day
        (datetime.datetime(2018, 12, 31, 23, 59), "GB 18483-2001"),
        # aware: read in Beijing time, 2018-12-31 16:30 UTC = 2019-01-01 00:30 UTC+8
        (datetime.datetime(2018, 12, 31, 16, 30, tzinfo=datetime.UTC), "DB11/1488-2018"),
        (datetime.datetime(2018, 12, 31, 15, 59, tzinfo=datetime.UTC), "GB 18483-2001"),  # 23:59 in Beijing
    ],
)
def test_a_datetime_works_as_the_date(on: datetime.datetime, code: str) -> None:
    assert fumes_verdict(concentration=1.0, on=on).standard_code == code


@pytest.mark.parametrize(
    ("concentration", "verdict", "exceedance"),
    [
        (1.0, "compliant", 0.0),  # at the limit
        (1.01, "exceeds", 0.01),  # (1.01 − 1.0) / 1.0
        (1.5, "exceeds", 0.5),
        (2.0, "exceeds", 1.0),  # national limit, but double the Beijing one
    ],
)
def test_beijing_fumes_limit(concentration: float, verdict: str, exceedance: float) -> None:
    result = fumes_verdict(concentration=concentration, on=TODAY)
    assert result.standard_code == "DB11/1488-2018"
    assert result.clause is None  # DB11 clause numbers not verified
    assert result.verdict == verdict
    assert result.exceedance == exceedance
    assert result.minimum_removal_efficiency is None


@pytest.mark.parametrize(
    ("pm", "verdict", "exceedance"),
    [
        (5.0, "compliant", 0.0),
        (5.1, "exceeds", 0.02),  # (5.1 − 5.0) / 5.0
    ],
)
def test_beijing_particulate_matter(pm: float, verdict: str, exceedance: float) -> None:
    result = fumes_verdict(concentration=0.8, particulate_matter=pm, on=datetime.date(2019, 1, 1))
    assert result.verdict == verdict
    pm_result = result.pollutants[1]
    assert (pm_result.pollutant, pm_result.limit, pm_result.exceedance) == (
        Pollutant.PARTICULATE_MATTER,
        5.0,
        exceedance,
    )
    # the top-level fields stay about 油烟 (0.8 ≤ 1.0)
    assert (result.limit, result.measured, result.exceedance) == (1.0, 0.8, 0.0)
    assert result.reasons == (
        "fumes_within_limit",
        "particulate_matter_within_limit" if verdict == "compliant" else "particulate_matter_above_limit",
    )


def test_beijing_nmhc_not_judged_before_2020() -> None:
    result = fumes_verdict(concentration=0.8, non_methane_hydrocarbons=50.0, on=datetime.date(2019, 12, 31))
    assert result.verdict is Verdict.COMPLIANT
    assert [p.pollutant for p in result.pollutants] == [Pollutant.FUMES]
    assert result.notes == ("non_methane_hydrocarbons_not_yet_applicable",)


@pytest.mark.parametrize(
    ("nmhc", "verdict", "exceedance"),
    [
        (10.0, "compliant", 0.0),
        (10.5, "exceeds", 0.05),  # (10.5 − 10) / 10
    ],
)
def test_beijing_nmhc_judged_from_2020(nmhc: float, verdict: str, exceedance: float) -> None:
    result = fumes_verdict(concentration=0.8, non_methane_hydrocarbons=nmhc, on=datetime.date(2020, 1, 1))
    assert result.verdict == verdict
    nmhc_result = result.pollutants[-1]
    assert (nmhc_result.pollutant, nmhc_result.limit, nmhc_result.verdict) == (
        Pollutant.NON_METHANE_HYDROCARBONS,
        10.0,
        verdict,
    )
    assert nmhc_result.exceedance == exceedance


def test_beijing_ignores_scale_and_efficiency_with_notes() -> None:
    # 30 % would fail every GB 18483 minimum, but DB11 has no known efficiency rule.
    result = fumes_verdict(concentration=0.9, on=TODAY, stoves=8, removal_efficiency=30.0)
    assert result.verdict is Verdict.COMPLIANT
    assert result.scale is FumesScale.LARGE
    assert result.notes == ("scale_not_used_by_standard", "removal_efficiency_not_set_by_standard")


def test_beijing_no_purifier_is_deemed_to_exceed() -> None:
    result = fumes_verdict(concentration=0.2, on=TODAY, purifier_installed=False)
    assert result.verdict is Verdict.EXCEEDS
    assert result.reasons == ("fumes_within_limit", "no_purifier")


def test_as_dict_is_plain_json() -> None:
    result = fumes_verdict(concentration=1.2, particulate_matter=4.0, on=TODAY)
    expected = {
        "standard": DB,
        "standard_code": "DB11/1488-2018",
        "clause": None,
        "limit": 1.0,
        "measured": 1.2,
        "exceedance": 0.2,
        "verdict": "exceeds",
        "reasons": ["fumes_above_limit", "particulate_matter_within_limit"],
        "pollutants": [
            {
                "pollutant": "fumes",
                "label": "油烟",
                "limit": 1.0,
                "measured": 1.2,
                "exceedance": 0.2,
                "verdict": "exceeds",
                "clause": None,
            },
            {
                "pollutant": "particulate_matter",
                "label": "颗粒物",
                "limit": 5.0,
                "measured": 4.0,
                "exceedance": 0.0,
                "verdict": "compliant",
                "clause": None,
            },
        ],
        "scale": None,
        "removal_efficiency": None,
        "minimum_removal_efficiency": None,
        "notes": [],
    }
    assert result.as_dict() == expected
    assert json.loads(json.dumps(result.as_dict())) == expected


def test_national_as_dict_has_scale() -> None:
    data = national(concentration=1.0, stoves=3, removal_efficiency=80.0).as_dict()
    assert (data["scale"], data["removal_efficiency"], data["minimum_removal_efficiency"]) == ("medium", 80.0, 75.0)
    json.dumps(data)


def test_verdict_is_frozen() -> None:
    result = national(concentration=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = Verdict.EXCEEDS  # type: ignore[misc]


def test_scale_labels() -> None:
    assert [s.label for s in FumesScale] == ["小型", "中型", "大型"]


# --- GB 18483 §6.5 / §6.6 helpers --------------------------------------------------------------------


def test_reference_concentration() -> None:
    # c_基 = 3.0 × 8000 / (2 × 2000) = 6.0
    assert reference_concentration(measured=3.0, flow_rate=8000.0, stoves=2) == pytest.approx(6.0)
    # 1.2 × 3000 / (3 × 2000) = 0.6
    assert reference_concentration(measured=1.2, flow_rate=3000.0, stoves=3) == pytest.approx(0.6)


def test_sampling_average_discards_values_below_a_quarter_of_the_maximum() -> None:
    # max 2.2, ¼ = 0.55: 0.4 dropped; (2.0 + 1.8 + 1.6 + 2.2) / 4 = 1.9
    assert sampling_average([2.0, 1.8, 0.4, 1.6, 2.2]) == pytest.approx(1.9)
    # max 4, ¼ = 1: values equal to ¼ are kept; (4 + 1 + 1 + 1) / 4 = 1.75
    assert sampling_average([4.0, 1.0, 1.0, 1.0]) == pytest.approx(1.75)


# --- impossible input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"concentration": -0.1}, "negative_value", "concentration"),
        ({"concentration": math.nan}, "not_finite", "concentration"),
        ({"concentration": math.inf}, "not_finite", "concentration"),
        ({"concentration": "1.0"}, "not_a_number", "concentration"),
        ({"concentration": True}, "not_a_number", "concentration"),
        ({"concentration": 1.0, "particulate_matter": -1.0}, "negative_value", "particulate_matter"),
        ({"concentration": 1.0, "non_methane_hydrocarbons": math.nan}, "not_finite", "non_methane_hydrocarbons"),
        ({"concentration": 1.0, "scale": "huge"}, "unknown_scale", "scale"),
        ({"concentration": 1.0, "scale": "小型"}, "unknown_scale", "scale"),
        ({"concentration": 1.0, "stoves": 0}, "stoves_below_one", "stoves"),
        ({"concentration": 1.0, "stoves": -2}, "stoves_below_one", "stoves"),
        ({"concentration": 1.0, "stoves": 2.5}, "not_an_integer", "stoves"),
        ({"concentration": 1.0, "stoves": True}, "not_an_integer", "stoves"),
        ({"concentration": 1.0, "scale": "small", "stoves": 3}, "scale_conflict", "scale"),
        (
            {"concentration": 1.0, "scale": "large", "removal_efficiency": -1.0},
            "efficiency_out_of_range",
            "removal_efficiency",
        ),
        (
            {"concentration": 1.0, "scale": "large", "removal_efficiency": 100.1},
            "efficiency_out_of_range",
            "removal_efficiency",
        ),
        ({"concentration": 1.0, "scale": "large", "removal_efficiency": math.nan}, "not_finite", "removal_efficiency"),
        ({"concentration": 1.0, "removal_efficiency": 90.0}, "scale_required", "scale"),
        (
            {"concentration": 1.0, "scale": "small", "removal_efficiency": 90.0, "purifier_installed": False},
            "efficiency_without_purifier",
            "removal_efficiency",
        ),
        ({"concentration": 1.0, "on": datetime.date(2001, 12, 31)}, "no_standard_in_force", "on"),
    ],
)
def test_impossible_input_is_refused(kwargs: dict[str, Any], code: str, field: str) -> None:
    kwargs = {"on": TODAY, "in_beijing": False, **kwargs}
    with pytest.raises(StandardsError) as info:
        fumes_verdict(**kwargs)
    assert info.value.code == code
    assert info.value.field == field


def test_validation_happens_in_beijing_too() -> None:
    with pytest.raises(StandardsError) as info:
        fumes_verdict(concentration=1.0, on=TODAY, removal_efficiency=120.0)
    assert info.value.code == "efficiency_out_of_range"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"measured": -1.0, "flow_rate": 1000.0, "stoves": 1}, "negative_value", "measured"),
        ({"measured": 1.0, "flow_rate": 0.0, "stoves": 1}, "flow_rate_not_positive", "flow_rate"),
        ({"measured": 1.0, "flow_rate": math.inf, "stoves": 1}, "not_finite", "flow_rate"),
        ({"measured": 1.0, "flow_rate": 1000.0, "stoves": 0}, "stoves_below_one", "stoves"),
    ],
)
def test_reference_concentration_refuses_impossible_input(kwargs: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(StandardsError) as info:
        reference_concentration(**kwargs)
    assert (info.value.code, info.value.field) == (code, field)


@pytest.mark.parametrize(
    ("samples", "code"),
    [
        ([], "empty_input"),
        ([1.0, -1.0, 1.0], "negative_value"),
        ([4.0, 0.5, 0.9, 3.0, 0.2], "too_few_valid_samples"),  # ¼ of 4.0 = 1.0: only 4.0 and 3.0 remain
        ([1.0, 1.0], "too_few_valid_samples"),
    ],
)
def test_sampling_average_refuses(samples: list[float], code: str) -> None:
    with pytest.raises(StandardsError) as info:
        sampling_average(samples)
    assert info.value.code == code
