"""GB 3838-2002 water-quality class: cases worked by hand from shared/domain/standards.md §6 (Table 1).

Each per-indicator row is (value, expected class). The class is the best one whose limit the value meets:
"≤" items meet a class when value ≤ limit, dissolved oxygen when value ≥ limit. Where Table 1 repeats a limit
(e.g. COD I = II = 15), a value just above it skips every class sharing that limit.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecohotline.standards.errors import StandardsError
from ecohotline.standards.water import (
    WATER_INDICATORS,
    WaterClass,
    WaterClassResult,
    water_class,
)

W = "worse_than_V"

# fmt: off
RIVER_CASES: dict[str, list[tuple[float, str]]] = {
    # pH 6～9 for every class: inside (inclusive) -> I, outside -> 劣V (the file's UNCERTAIN implementers' reading)
    "ph": [(0, W), (5.99, W), (6, "I"), (7, "I"), (9, "I"), (9.01, W), (14, W)],
    # DO ≥ 7.5 / 6 / 5 / 3 / 2: 7.49 < 7.5 fails I but ≥ 6 -> II; 1.99 < 2 -> 劣V
    "dissolved_oxygen": [(8, "I"), (7.5, "I"), (7.49, "II"), (6, "II"), (5.99, "III"), (5, "III"), (4.99, "IV"),
                         (3, "IV"), (2.99, "V"), (2, "V"), (1.99, W), (0, W)],
    # CODMn ≤ 2 / 4 / 6 / 10 / 15
    "permanganate_index": [(0, "I"), (2, "I"), (2.01, "II"), (4, "II"), (4.01, "III"), (6, "III"), (6.01, "IV"),
                           (10, "IV"), (10.01, "V"), (15, "V"), (15.01, W)],
    # COD ≤ 15 / 15 / 20 / 30 / 40: 15.01 fails I and II (both 15) -> III
    "cod": [(15, "I"), (15.01, "III"), (20, "III"), (20.01, "IV"), (30, "IV"), (30.01, "V"), (40, "V"), (40.01, W)],
    # BOD5 ≤ 3 / 3 / 4 / 6 / 10: 3.01 -> III
    "bod5": [(3, "I"), (3.01, "III"), (4, "III"), (4.01, "IV"), (6, "IV"), (6.01, "V"), (10, "V"), (10.01, W)],
    # NH3-N ≤ 0.15 / 0.5 / 1.0 / 1.5 / 2.0
    "ammonia_nitrogen": [(0.15, "I"), (0.151, "II"), (0.5, "II"), (0.501, "III"), (1.0, "III"), (1.001, "IV"),
                         (1.5, "IV"), (1.501, "V"), (2.0, "V"), (2.001, W)],
    # TP (river) ≤ 0.02 / 0.1 / 0.2 / 0.3 / 0.4
    "total_phosphorus": [(0.02, "I"), (0.021, "II"), (0.1, "II"), (0.101, "III"), (0.2, "III"), (0.201, "IV"),
                         (0.3, "IV"), (0.301, "V"), (0.4, "V"), (0.401, W)],
    # Cu ≤ 0.01 / 1.0 / 1.0 / 1.0 / 1.0: 1.001 fails II–V -> 劣V
    "copper": [(0.01, "I"), (0.011, "II"), (1.0, "II"), (1.001, W)],
    # Zn ≤ 0.05 / 1.0 / 1.0 / 2.0 / 2.0: 1.001 fails II and III -> IV; 2.001 -> 劣V
    "zinc": [(0.05, "I"), (0.051, "II"), (1.0, "II"), (1.001, "IV"), (2.0, "IV"), (2.001, W)],
    # F ≤ 1.0 / 1.0 / 1.0 / 1.5 / 1.5: 1.001 -> IV
    "fluoride": [(1.0, "I"), (1.001, "IV"), (1.5, "IV"), (1.501, W)],
    # Se ≤ 0.01 ×3 / 0.02 ×2
    "selenium": [(0.01, "I"), (0.011, "IV"), (0.02, "IV"), (0.021, W)],
    # As ≤ 0.05 ×3 / 0.1 ×2
    "arsenic": [(0.05, "I"), (0.051, "IV"), (0.1, "IV"), (0.101, W)],
    # Hg ≤ 0.00005 / 0.00005 / 0.0001 / 0.001 / 0.001: 0.00006 -> III; 0.00011 -> IV
    "mercury": [(0.00005, "I"), (0.00006, "III"), (0.0001, "III"), (0.00011, "IV"), (0.001, "IV"), (0.0011, W)],
    # Cd ≤ 0.001 / 0.005 / 0.005 / 0.005 / 0.01: 0.0051 -> V
    "cadmium": [(0.001, "I"), (0.0011, "II"), (0.005, "II"), (0.0051, "V"), (0.01, "V"), (0.011, W)],
    # Cr(VI) ≤ 0.01 / 0.05 / 0.05 / 0.05 / 0.1: 0.051 -> V
    "chromium_hexavalent": [(0.01, "I"), (0.011, "II"), (0.05, "II"), (0.051, "V"), (0.1, "V"), (0.101, W)],
    # Pb ≤ 0.01 / 0.01 / 0.05 / 0.05 / 0.1: 0.011 -> III; 0.051 -> V
    "lead": [(0.01, "I"), (0.011, "III"), (0.05, "III"), (0.051, "V"), (0.1, "V"), (0.101, W)],
    # CN ≤ 0.005 / 0.05 / 0.2 / 0.2 / 0.2
    "cyanide": [(0.005, "I"), (0.0051, "II"), (0.05, "II"), (0.051, "III"), (0.2, "III"), (0.201, W)],
    # 挥发酚 ≤ 0.002 / 0.002 / 0.005 / 0.01 / 0.1
    "volatile_phenol": [(0.002, "I"), (0.0021, "III"), (0.005, "III"), (0.0051, "IV"), (0.01, "IV"), (0.011, "V"),
                        (0.1, "V"), (0.101, W)],
    # 石油类 ≤ 0.05 ×3 / 0.5 / 1.0
    "petroleum": [(0.05, "I"), (0.051, "IV"), (0.5, "IV"), (0.501, "V"), (1.0, "V"), (1.001, W)],
    # LAS ≤ 0.2 ×3 / 0.3 ×2
    "anionic_surfactant": [(0.2, "I"), (0.201, "IV"), (0.3, "IV"), (0.301, W)],
    # S²⁻ ≤ 0.05 / 0.1 / 0.2 / 0.5 / 1.0
    "sulfide": [(0.05, "I"), (0.051, "II"), (0.1, "II"), (0.101, "III"), (0.2, "III"), (0.201, "IV"), (0.5, "IV"),
                (0.501, "V"), (1.0, "V"), (1.001, W)],
    # 粪大肠菌群 ≤ 200 / 2000 / 10000 / 20000 / 40000 个/L (classified, not counted)
    "fecal_coliform": [(200, "I"), (201, "II"), (2000, "II"), (2001, "III"), (10000, "III"), (10001, "IV"),
                       (20000, "IV"), (20001, "V"), (40000, "V"), (40001, W)],
}

LAKE_CASES: dict[str, list[tuple[float, str]]] = {
    # TP (湖、库) ≤ 0.01 / 0.025 / 0.05 / 0.1 / 0.2
    "total_phosphorus": [(0.01, "I"), (0.011, "II"), (0.025, "II"), (0.026, "III"), (0.05, "III"), (0.051, "IV"),
                         (0.1, "IV"), (0.101, "V"), (0.2, "V"), (0.201, W)],
    # TN (湖、库) ≤ 0.2 / 0.5 / 1.0 / 1.5 / 2.0 (classified, not counted)
    "total_nitrogen": [(0.2, "I"), (0.201, "II"), (0.5, "II"), (0.501, "III"), (1.0, "III"), (1.001, "IV"),
                       (1.5, "IV"), (1.501, "V"), (2.0, "V"), (2.001, W)],
}
# fmt: on

NOT_COUNTED = {"fecal_coliform", "total_nitrogen"}


def _cases(table: dict[str, list[tuple[float, str]]]) -> list[tuple[str, float, str]]:
    return [(key, value, expected) for key, rows in table.items() for value, expected in rows]


@pytest.mark.parametrize(("key", "value", "expected"), _cases(RIVER_CASES))
def test_river_indicator_at_and_beyond_each_limit(key: str, value: float, expected: str) -> None:
    # pH 7 (class I) is added so the not-counted indicators still leave a counted one.
    values = {key: value} if key == "ph" else {key: value, "ph": 7.0}
    result = water_class(values)
    assert result.per_indicator[key] == expected
    if key not in NOT_COUNTED:
        assert result.water_class == expected
        assert key in result.deciding


@pytest.mark.parametrize(("key", "value", "expected"), _cases(LAKE_CASES))
def test_lake_indicator_at_and_beyond_each_limit(key: str, value: float, expected: str) -> None:
    result = water_class({key: value, "ph": 7.0}, lake_or_reservoir=True)
    assert result.per_indicator[key] == expected
    assert result.lake_or_reservoir is True
    if key not in NOT_COUNTED:
        assert result.water_class == expected


def test_every_indicator_has_hand_cases() -> None:
    assert set(RIVER_CASES) | set(LAKE_CASES) == set(WATER_INDICATORS)


@pytest.mark.parametrize(
    ("tp", "river", "lake"),
    [
        (0.05, "II", "III"),  # river: 0.02 < 0.05 ≤ 0.1 -> II; lake: 0.025 < 0.05 ≤ 0.05 -> III
        (0.15, "III", "V"),  # river: 0.1 < 0.15 ≤ 0.2 -> III; lake: 0.1 < 0.15 ≤ 0.2 -> V
        (0.3, "IV", W),  # river: ≤ 0.3 -> IV; lake: > 0.2 -> 劣V
    ],
)
def test_total_phosphorus_lake_limits_are_stricter(tp: float, river: str, lake: str) -> None:
    assert water_class({"total_phosphorus": tp}).water_class == river
    assert water_class({"total_phosphorus": tp}, lake_or_reservoir=True).water_class == lake


def test_total_nitrogen_in_a_river_has_no_limit() -> None:
    result = water_class({"cod": 18.0, "total_nitrogen": 5.0})
    # COD 18: 15 < 18 ≤ 20 -> III; TN has no river limit.
    assert result.water_class is WaterClass.III
    assert "total_nitrogen" not in result.per_indicator
    assert result.not_applicable == ("total_nitrogen",)
    assert result.not_counted == ()


def test_total_nitrogen_in_a_lake_is_classified_but_does_not_decide() -> None:
    result = water_class({"cod": 15.0, "total_nitrogen": 2.5}, lake_or_reservoir=True)
    # COD 15 -> I; TN 2.5 > 2.0 -> 劣V, but 环办〔2011〕22号 leaves TN out of the class.
    assert result.water_class is WaterClass.I
    assert result.per_indicator == {"cod": "I", "total_nitrogen": W}
    assert result.deciding == ("cod",)
    assert result.not_counted == ("total_nitrogen",)


def test_fecal_coliform_does_not_decide() -> None:
    result = water_class({"ph": 7.2, "fecal_coliform": 50000.0})
    # 50000 > 40000 -> 劣V for the indicator; the class stays I from pH.
    assert result.water_class is WaterClass.I
    assert result.per_indicator["fecal_coliform"] == W
    assert result.not_counted == ("fecal_coliform",)


def test_worse_than_v_with_two_deciding_indicators() -> None:
    result = water_class({"ph": 7.0, "dissolved_oxygen": 1.5, "cod": 50.0, "ammonia_nitrogen": 1.2})
    # DO 1.5 < 2 -> 劣V; COD 50 > 40 -> 劣V; NH3-N 1.2 -> IV; pH -> I.
    assert result.water_class is WaterClass.WORSE_THAN_V
    assert result.label == "劣Ⅴ类"
    assert result.deciding == ("dissolved_oxygen", "cod")


def test_ph_outside_6_to_9_alone_makes_worse_than_v() -> None:
    result = water_class({"ph": 9.5, "cod": 10.0})
    assert result.water_class is WaterClass.WORSE_THAN_V
    assert result.deciding == ("ph",)


def test_deciding_ties_are_listed_in_table_order_whatever_the_input_order() -> None:
    # COD 25 (20 < 25 ≤ 30) -> IV; NH3-N 1.2 (1.0 < 1.2 ≤ 1.5) -> IV; DO 5.5 (≥ 5, < 6) -> III.
    a = water_class({"ammonia_nitrogen": 1.2, "dissolved_oxygen": 5.5, "cod": 25.0})
    b = water_class({"cod": 25.0, "ammonia_nitrogen": 1.2, "dissolved_oxygen": 5.5})
    assert a == b
    assert a.water_class is WaterClass.IV
    assert a.deciding == ("cod", "ammonia_nitrogen")
    assert list(a.per_indicator) == ["dissolved_oxygen", "cod", "ammonia_nitrogen"]


def test_all_class_one_lists_every_counted_indicator_as_deciding() -> None:
    result = water_class({"ph": 7.0, "dissolved_oxygen": 8.0, "cod": 10.0, "fecal_coliform": 100.0})
    assert result.water_class is WaterClass.I
    assert result.deciding == ("ph", "dissolved_oxygen", "cod")


def test_integers_are_accepted() -> None:
    assert water_class({"cod": 20}).water_class is WaterClass.III


@pytest.mark.parametrize(
    ("cls", "label", "rank"),
    [
        (WaterClass.I, "Ⅰ类", 1),
        (WaterClass.II, "Ⅱ类", 2),
        (WaterClass.III, "Ⅲ类", 3),
        (WaterClass.IV, "Ⅳ类", 4),
        (WaterClass.V, "Ⅴ类", 5),
        (WaterClass.WORSE_THAN_V, "劣Ⅴ类", 6),
    ],
)
def test_class_labels_and_ranks(cls: WaterClass, label: str, rank: int) -> None:
    assert cls.label == label
    assert cls.rank == rank


def test_as_dict_is_plain_json() -> None:
    result = water_class({"cod": 18.0, "total_nitrogen": 0.4}, lake_or_reservoir=True)
    expected = {
        "standard": "GB 3838-2002",
        "water_class": "III",
        "label": "Ⅲ类",
        "lake_or_reservoir": True,
        "deciding": ["cod"],
        "per_indicator": {"cod": "III", "total_nitrogen": "II"},
        "not_counted": ["total_nitrogen"],
        "not_applicable": [],
    }
    assert result.as_dict() == expected
    assert json.loads(json.dumps(result.as_dict())) == expected


def test_result_is_frozen() -> None:
    result = water_class({"cod": 18.0})
    assert isinstance(result, WaterClassResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.water_class = WaterClass.I  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.per_indicator["cod"] = "I"  # type: ignore[index]


@pytest.mark.parametrize(
    ("values", "lake", "code", "field"),
    [
        ({}, False, "empty_input", "values"),
        ({"chlorophyll": 1.0}, False, "unknown_indicator", "chlorophyll"),
        ({"water_temperature": 20.0}, False, "unknown_indicator", "water_temperature"),
        ({"cod": -0.1}, False, "negative_value", "cod"),
        ({"dissolved_oxygen": -1.0}, False, "negative_value", "dissolved_oxygen"),
        ({"cod": math.nan}, False, "not_finite", "cod"),
        ({"cod": math.inf}, False, "not_finite", "cod"),
        ({"ph": -math.inf}, False, "not_finite", "ph"),
        ({"cod": "12"}, False, "not_a_number", "cod"),
        ({"cod": None}, False, "not_a_number", "cod"),
        ({"cod": True}, False, "not_a_number", "cod"),
        ({"ph": 14.01}, False, "ph_out_of_range", "ph"),
        ({"ph": -0.5}, False, "ph_out_of_range", "ph"),
        ({"fecal_coliform": 100.0}, False, "no_counted_indicator", "values"),
        ({"total_nitrogen": 1.0}, False, "no_counted_indicator", "values"),
        ({"total_nitrogen": 1.0}, True, "no_counted_indicator", "values"),
    ],
)
def test_impossible_input_is_refused(values: dict[str, object], lake: bool, code: str, field: str) -> None:
    with pytest.raises(StandardsError) as info:
        water_class(values, lake_or_reservoir=lake)  # type: ignore[arg-type]
    assert info.value.code == code
    assert info.value.field == field


def test_error_message_is_formatted_with_its_params() -> None:
    with pytest.raises(StandardsError) as info:
        water_class({"cod": -2.0})
    assert info.value.params == {"key": "cod", "value": -2.0}
    assert "%(" in info.value.message._args[0]  # an English msgid with placeholders, not an f-string


# --- property: worsening one indicator never improves the class -------------------------------------

COUNTED_AT_MOST = [k for k in WATER_INDICATORS if k not in {"ph", "dissolved_oxygen", *NOT_COUNTED}]

samples = st.fixed_dictionaries(
    {},
    optional={
        **{k: st.floats(min_value=0, max_value=50, allow_nan=False) for k in COUNTED_AT_MOST},
        "dissolved_oxygen": st.floats(min_value=0, max_value=15, allow_nan=False),
        "ph": st.floats(min_value=0, max_value=14, allow_nan=False),
        "fecal_coliform": st.floats(min_value=0, max_value=100000, allow_nan=False),
    },
).filter(lambda d: any(k not in NOT_COUNTED for k in d))


@given(values=samples, lake=st.booleans(), data=st.data())
def test_class_never_improves_when_one_indicator_worsens(
    values: dict[str, float], lake: bool, data: st.DataObject
) -> None:
    before = water_class(values, lake_or_reservoir=lake)
    key = data.draw(st.sampled_from(sorted(values)))
    worse = dict(values)
    if key == "dissolved_oxygen":
        worse[key] = data.draw(st.floats(min_value=0, max_value=values[key]))
    elif key == "ph":
        # moving away from the 6～9 band, towards 0 or 14
        worse[key] = data.draw(
            st.floats(min_value=0, max_value=values[key]) if values[key] < 7.5 else st.floats(values[key], 14)
        )
    else:
        worse[key] = data.draw(st.floats(min_value=values[key], max_value=values[key] * 2 + 1))
    after = water_class(worse, lake_or_reservoir=lake)
    assert after.water_class.rank >= before.water_class.rank
    assert WaterClass(after.per_indicator[key]).rank >= WaterClass(before.per_indicator[key]).rank
