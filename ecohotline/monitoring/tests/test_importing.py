"""Readings in: CSV files (long and wide, GBK, BOM, the real beijing-air layout gzipped), idempotent upserts, bad rows
refused with their row and column while the good ones land, unreadable files writing nothing, the command."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ecohotline.factories import StationFactory
from ecohotline.monitoring import importing
from ecohotline.monitoring.importing import (
    FileUnreadable,
    ReadingFile,
    ReadingRow,
    import_file,
    ingest_readings,
    parameter_code,
)
from ecohotline.monitoring.models import Reading, Station

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BEIJING_AIR_HEADER = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP",' \
                     '"RAIN","wd","WSPM","station"'


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids); the lead's zh-Hans catalogue translates them."""
    with translation.override("en"):
        yield


def stored() -> dict[tuple[str, str, dt.datetime], float]:
    return {(code, parameter, at): value for code, parameter, at, value in
            Reading.objects.values_list("station__code", "parameter", "at", "value")}


def run(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("monitoring", *[str(arg) for arg in args], stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


Hour = tuple[int, int, int, int, str, str, str, str, str, str]  # year, month, day, hour, PM2.5 … O3 as written


def beijing_air_gz(path: Path, station: str, rows: list[Hour]) -> Path:
    """A file in the real PRSA layout: quoted header, CRLF, NA for missing, CO in µg/m³, gzipped."""
    lines = [BEIJING_AIR_HEADER]
    for number, (year, month, day, hour, pm25, pm10, so2, no2, co, o3) in enumerate(rows, start=1):
        lines.append(f'{number},{year},{month},{day},{hour},{pm25},{pm10},{so2},{no2},{co},{o3},-0.5,1024.5,-21.4,0,'
                     f'"NNW",5.7,"{station}"')
    path.write_bytes(gzip.compress(("\r\n".join(lines) + "\r\n").encode()))
    return path


# --- names -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "code"), [
    ("PM2.5", "pm25"), ("PM₂.₅", "pm25"), ("pm2_5", "pm25"), ("ＰＭ２．５", "pm25"), ("细颗粒物", "pm25"),
    ("pm25", "pm25"), ("PM10", "pm10"), ("可吸入颗粒物", "pm10"), ("SO₂", "so2"), ("二氧化硫", "so2"), ("NO2", "no2"),
    ("二氧化氮", "no2"),
    ("CO", "co"), ("一氧化碳", "co"), ("O₃", "o3"), ("臭氧", "o3"), ("noise_leq", "noise_leq"), ("LAeq", "noise_leq"),
    ("TEMP", None), ("wd", None), ("", None),
])  # fmt: skip
def test_parameter_names_map_to_the_detectors_codes(name: str, code: str | None) -> None:
    assert parameter_code(name) == code


# --- long layout, encodings ------------------------------------------------------------------------------------


def test_a_gbk_file_with_chinese_headers_is_imported_in_beijing_time(tmp_path: Path) -> None:
    StationFactory(code="dongsi", name="东四")
    path = write(tmp_path / "readings.csv", "站点,时间,监测项目,监测值\n"
                                            "东四,2015-03-01 00:00,细颗粒物,35\n"
                                            "dongsi,2015/3/1 1:00,二氧化氮,41.5\n"
                                            "东四,2015年3月1日2时,一氧化碳,0.8\n", encoding="gbk")
    report = import_file(path)
    assert report.error == "" and report.exit_code == 0
    assert "GB18030" in report.description and "long" in report.description
    assert stored() == {
        ("dongsi", "pm25", dt.datetime(2015, 2, 28, 16, tzinfo=UTC)): 35.0,
        ("dongsi", "no2", dt.datetime(2015, 2, 28, 17, tzinfo=UTC)): 41.5,
        ("dongsi", "co", dt.datetime(2015, 2, 28, 18, tzinfo=UTC)): 0.8,
    }
    assert report.result is not None
    assert report.result.first_at == dt.datetime(2015, 2, 28, 16, tzinfo=UTC)
    assert report.result.last_at == dt.datetime(2015, 2, 28, 18, tzinfo=UTC)


def test_a_water_sections_file_in_gbk_with_units(tmp_path: Path) -> None:
    StationFactory(code="qinghezha", name="清河闸", kind="water")
    path = write(tmp_path / "water.csv", "站点,时间,监测项目,监测值,单位\n"
                                         "qinghezha,2015-03-01 00:00,氨氮,1.35,mg/L\n"
                                         "qinghezha,2015-03-01 00:00,高锰酸盐指数,5.2,mg/L\n"
                                         "qinghezha,2015-03-01 00:00,总磷,0.18,毫克/升\n", encoding="gbk")
    report = import_file(path)
    assert report.exit_code == 0, report
    assert {key[1]: value for key, value in stored().items()} == {
        "ammonia_nitrogen": 1.35, "permanganate_index": 5.2, "total_phosphorus": 0.18}


def test_a_utf8_file_with_a_bom_and_english_headers_and_offsets(tmp_path: Path) -> None:
    StationFactory(code="tiantan")
    path = write(tmp_path / "readings.csv", "station,time,parameter,value,unit\r\n"
                                            "tiantan,2015-03-01T00:00:00+08:00,PM2.5,12,\r\n"
                                            "tiantan,2015-03-01T00:00:00Z,CO,1200,µg/m³\r\n", encoding="utf-8-sig")
    report = import_file(path)
    assert report.exit_code == 0 and report.description.startswith("CSV, UTF-8")
    assert stored() == {
        ("tiantan", "pm25", dt.datetime(2015, 2, 28, 16, tzinfo=UTC)): 12.0,
        ("tiantan", "co", dt.datetime(2015, 3, 1, 0, tzinfo=UTC)): 1.2,  # µg/m³ → mg/m³
    }


def test_a_file_without_a_station_column_takes_the_station_given(tmp_path: Path) -> None:
    StationFactory(code="huairou")
    path = write(tmp_path / "huairou.csv", "时间,PM2.5,PM10,CO(μg/m³),温度\n"
                                           "2015-03-01 00:00,10,20,700,3.5\n"
                                           "2015-03-01 01:00,NA,,800,3.1\n")
    with pytest.raises(FileUnreadable, match="no station column"):
        ReadingFile(path)
    report = import_file(path, station="huairou")
    assert report.exit_code == 0 and report.missing == 2 and report.rows_read == 2
    assert sorted((parameter, value) for (_code, parameter, _at), value in stored().items()) == [
        ("co", 0.7), ("co", 0.8), ("pm10", 20.0), ("pm25", 10.0)]


# --- the beijing-air layout ------------------------------------------------------------------------------------


def test_the_real_beijing_air_layout_gzipped_with_na_and_co_in_micrograms(tmp_path: Path) -> None:
    path = beijing_air_gz(tmp_path / "PRSA_Data_Dongsi_20130301-20170228.csv.gz", "Dongsi", [
        (2013, 3, 1, 0, "9", "9", "3", "17", "300", "89"),
        (2013, 3, 1, 1, "4", "4", "3", "16", "300", "88"),
        (2013, 3, 1, 2, "7", "7", "NA", "17", "300", "60"),
        (2013, 3, 1, 3, "3", "3", "5", "18", "NA", "NA"),
    ])
    code, out, err = run("import", path, "--create-stations")
    assert code == 0, out + err
    assert "(CSV, gzip, UTF-8, beijing-air)" in out
    assert "4 rows" in out and "21 readings written" in out and "3 missing values skipped" in out
    assert "New stations: Dongsi" in out
    station = Station.objects.get(code="Dongsi")
    assert station.name == "Dongsi" and station.kind == "air" and station.is_active
    values = stored()
    assert values[("Dongsi", "co", dt.datetime(2013, 2, 28, 16, tzinfo=UTC))] == 0.3
    assert values[("Dongsi", "o3", dt.datetime(2013, 2, 28, 17, tzinfo=UTC))] == 88.0
    assert ("Dongsi", "so2", dt.datetime(2013, 2, 28, 18, tzinfo=UTC)) not in values
    assert len(values) == 21


def test_the_time_window_keeps_the_rows_of_those_hours(tmp_path: Path) -> None:
    path = beijing_air_gz(tmp_path / "a.csv.gz", "Dongsi", [
        (2015, 2, 28, 23, "1", "1", "1", "1", "100", "1"),
        (2015, 3, 1, 0, "2", "2", "2", "2", "200", "2"),
        (2016, 3, 1, 0, "3", "3", "3", "3", "300", "3"),
    ])
    source = ReadingFile(path)
    result = ingest_readings(source.rows(since=dt.datetime(2015, 3, 1), until=dt.datetime(2016, 3, 1)),
                             create_stations=True)
    assert result.written == 6 and source.outside == 2
    assert {at for (_code, _parameter, at) in stored()} == {dt.datetime(2015, 2, 28, 16, tzinfo=UTC)}


# --- idempotency -----------------------------------------------------------------------------------------------


def rows(*values: tuple[str, str, str, Any]) -> list[ReadingRow]:
    return [ReadingRow(station, at, parameter, value, index) for index, (station, at, parameter, value)
            in enumerate(values)]


def test_ingesting_twice_changes_nothing_and_a_corrected_value_replaces_the_old() -> None:
    StationFactory(code="dongsi")
    data = rows(("dongsi", "2015-03-01 00:00", "pm25", 30), ("dongsi", "2015-03-01 01:00", "pm25", 32),
                ("dongsi", "2015-03-01 00:00", "o3", 50))
    first = ingest_readings(data)
    assert (first.written, first.unchanged, first.rejected) == (3, 0, 0)
    before = list(Reading.objects.order_by("pk").values_list("pk", "parameter", "at", "value"))

    again = ingest_readings(data)
    assert (again.written, again.unchanged, again.rejected) == (0, 3, 0)
    assert list(Reading.objects.order_by("pk").values_list("pk", "parameter", "at", "value")) == before

    corrected = ingest_readings(rows(("dongsi", "2015-03-01 01:00", "pm25", 35), ("dongsi", "2015-03-01 00:00",
                                                                                  "o3", 50)))
    assert (corrected.written, corrected.unchanged) == (1, 1)
    assert Reading.objects.count() == 3
    assert Reading.objects.get(parameter="pm25", at=dt.datetime(2015, 2, 28, 17, tzinfo=UTC)).value == 35.0

    kept = ingest_readings(rows(("dongsi", "2015-03-01 01:00", "pm25", 99)), replace=False)
    assert (kept.written, kept.unchanged) == (0, 1)
    assert Reading.objects.get(parameter="pm25", at=dt.datetime(2015, 2, 28, 17, tzinfo=UTC)).value == 35.0


def test_a_repeat_inside_one_input_is_unchanged_and_a_contradiction_refused() -> None:
    StationFactory(code="dongsi")
    result = ingest_readings(rows(("dongsi", "2015-03-01 00:00", "pm25", 30),
                                  ("dongsi", "2015-03-01 00:00", "PM2.5", 30),
                                  ("dongsi", "2015-03-01T00:00+08:00", "pm25", 31)))
    assert (result.written, result.unchanged) == (1, 1)
    assert [(r.where, r.code) for r in result.rejections] == [(2, "conflicting_duplicate")]
    assert "30" in result.rejections[0].reason and "31" in result.rejections[0].reason
    assert Reading.objects.get().value == 30.0


def test_the_whole_input_is_one_transaction_a_failure_half_way_writes_nothing(tmp_path: Path) -> None:
    StationFactory(code="dongsi")
    good = "".join(f"dongsi,2015-03-01 {hour:02d}:00,pm25,{hour}\n" for hour in range(10))
    huge = '"' + "x" * (importing.CSV_FIELD_LIMIT + 1) + '"'  # over the field limit: csv.Error half-way
    path = write(tmp_path / "broken.csv", "station,time,parameter,value\n" + good + f"dongsi,{huge},pm25,1\n" + good)
    source = ReadingFile(path)
    with pytest.raises(FileUnreadable, match="row 12 cannot be read as CSV"):
        ingest_readings(source.rows(), batch_size=3)  # three batches were written before the error
    assert Reading.objects.count() == 0
    report = import_file(path)
    assert report.exit_code == 2 and Reading.objects.count() == 0


# --- bad rows --------------------------------------------------------------------------------------------------


def test_bad_rows_are_refused_with_row_and_column_while_the_good_rows_land(tmp_path: Path) -> None:
    StationFactory(code="dongsi")
    path = write(tmp_path / "readings.csv", "站点,时间,监测项目,监测值\n"
                                            "dongsi,2015-03-01 00:00,pm25,30\n"     # row 2: good
                                            "dongsi,2015-03-01 01:00,pm25,abc\n"    # row 3
                                            "dongsi,2015-03-01 02:00,pm25,-4\n"     # row 4
                                            "dongsi,2015-03-01 03:00,苯,1\n"        # row 5
                                            "dongsi,2015-13-45 03:00,pm25,1\n"      # row 6
                                            "dongsi,2015-03-01 03:30,pm25,1\n"      # row 7
                                            "xisi,2015-03-01 03:00,pm25,1\n"        # row 8
                                            "dongsi,2099-03-01 03:00,pm25,1\n"      # row 9
                                            "dongsi,2015-03-01 04:00,pm25,NA\n"     # row 10: missing, skipped
                                            "dongsi,2015-03-01 05:00,pm25,inf\n"    # row 11
                                            "dongsi,2015-03-01 06:00,pm25,33\n", encoding="gbk")  # row 12: good
    code, out, _err = run("import", path)
    assert code == 1
    assert sorted(stored().values()) == [30.0, 33.0]
    assert "2 readings written, 0 unchanged, 8 refused, 1 missing values skipped" in out
    for line in ("row 3, column 监测值: not a number: “abc”",
                 "row 4, column 监测值: negative value “-4”",
                 "row 5, column 监测项目: unknown parameter “苯”",
                 "row 6, column 时间: unrecognised date and time “2015-13-45 03:00”",
                 "row 7, column 时间: “2015-03-01 03:30” is not on the hour",
                 "row 8, column 站点: unknown station “xisi”",
                 "row 9, column 时间: “2099-03-01 03:00” is in the future",
                 "row 11, column 监测值: not a number: “inf”"):
        assert line in out, line
    assert "--create-stations" in out


def test_a_wide_row_with_an_impossible_date_is_refused_once(tmp_path: Path) -> None:
    path = beijing_air_gz(tmp_path / "a.csv.gz", "Dongsi", [
        (2015, 2, 30, 0, "1", "1", "1", "1", "100", "1"),
        (2015, 3, 1, 0, "2", "x", "2", "2", "200", "2"),
    ])
    report = import_file(path, create_stations=True)
    assert report.result is not None and report.exit_code == 1
    assert [(r.where, r.column, r.code) for r in report.result.rejections] == [
        (2, "year/month/day/hour", "bad_time"), (3, "PM10", "not_a_number")]
    assert report.result.written == 5


def test_station_codes_are_created_only_when_asked_and_only_if_valid() -> None:
    data = rows(("newsite", "2015-03-01 00:00", "pm25", 1), ("东四", "2015-03-01 00:00", "pm25", 1),
                ("newsite", "2015-03-01 00:00", "benzene", 1))
    refused = ingest_readings(data)
    assert [r.code for r in refused.rejections] == ["unknown_station", "unknown_station", "unknown_parameter"]
    assert not Station.objects.exists()
    created = ingest_readings(data, create_stations=True)
    assert created.stations_created == ["newsite"] and created.written == 1
    assert [r.code for r in created.rejections] == ["invalid_station_code", "unknown_parameter"]


def test_the_station_given_must_match_the_file(tmp_path: Path) -> None:
    StationFactory(code="dongsi")
    path = write(tmp_path / "a.csv", "station,time,pm25\ndongsi,2015-03-01 00:00,1\nDONGSI,2015-03-01 01:00,2\n"
                                     "tiantan,2015-03-01 02:00,3\n,2015-03-01 03:00,4\n")
    report = import_file(path, station="dongsi")
    assert report.result is not None
    assert report.result.written == 3
    assert [(r.where, r.column, r.code) for r in report.result.rejections] == [(4, "station", "station_mismatch")]


# --- files that cannot be read ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"PK\x03\x04\x14\x00\x00\x00", "Excel file"),
    (b"%PDF-1.7 ...", "PDF"),
    (b"station,time\x00,value\n", "binary"),
    (b"\xff\xfe\xfd\xfc,\xff\xfe\n\x81\x30\xff", ""),  # neither UTF-8 nor GB18030
    ("站点,时间,监测值\n东四,2015-03-01 00:00,1\n".encode(), "lacks the columns parameter for the long layout"),
    ("站点,时间,温度\n东四,2015-03-01 00:00,1\n".encode(), "names no parameter column"),
    ("站点,PM2.5\n东四,1\n".encode(), "no time column"),
    (gzip.compress(b"station,time,parameter,value\n" + "".join(
        f"dongsi,2015-03-01 {n % 24:02d}:00,pm25,{n * 7919 % 1000}\n" for n in range(5000)).encode())[:2000],
     "damaged"),
])  # fmt: skip
def test_a_file_that_cannot_be_read_exits_2_and_writes_nothing(tmp_path: Path, content: bytes, message: str) -> None:
    StationFactory(code="dongsi")
    path = tmp_path / ("bad.csv.gz" if content[:2] == b"\x1f\x8b" else "bad.csv")
    path.write_bytes(content)
    code, out, err = run("import", path, "--create-stations")
    assert code == 2, out + err
    assert f"Cannot read {path.name}: " in err and "Nothing was imported" in err
    assert message in err
    assert not Reading.objects.exists()


def test_a_missing_file_and_an_unknown_layout(tmp_path: Path) -> None:
    code, _out, err = run("import", tmp_path / "nowhere.csv")
    assert code == 2 and "no such file" in err
    with pytest.raises(FileUnreadable, match="unknown layout"):
        ReadingFile(tmp_path / "nowhere.csv", layout="xml")


def test_several_files_each_in_its_own_transaction(tmp_path: Path) -> None:
    StationFactory(code="dongsi")
    good = write(tmp_path / "good.csv", "station,time,pm25\ndongsi,2015-03-01 00:00,1\n")
    bad = write(tmp_path / "bad.csv", "station,pm25\ndongsi,1\n")
    code, out, err = run("import", good, bad)
    assert code == 2 and "1 readings written" in out and "Cannot read bad.csv" in err
    assert Reading.objects.count() == 1


def test_the_scan_subcommand_says_when_the_alert_services_are_not_there(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def without_services(name: str, *args: Any) -> Any:
        if name == "ecohotline.monitoring.services":
            raise ModuleNotFoundError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_services)
    with pytest.raises(CommandError, match="not available"):
        call_command("monitoring", "scan")


def test_the_scan_subcommand_calls_the_alert_services(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    calls: list[dict[str, Any]] = []
    fake = types.SimpleNamespace(scan=lambda **kwargs: calls.append(kwargs) or types.SimpleNamespace(
        hits=3, episodes=1, opened=[object()], updated=[], verifications=[]))
    import importlib

    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module",
                        lambda name, *args: fake if name == "ecohotline.monitoring.services" else real(name, *args))
    code, out, _err = run("scan", "--start", "2015-03-01", "--end", "2015-03-02T00:00:00+08:00")
    assert code == 0 and "hits: 3, episodes: 1, opened: 1, updated: 0, verifications: 0" in out
    assert calls == [{"start": dt.datetime(2015, 2, 28, 16, tzinfo=UTC),
                      "end": dt.datetime(2015, 3, 1, 16, tzinfo=UTC)}]


# --- the real files --------------------------------------------------------------------------------------------

SHARED_AIR = Path(__file__).resolve().parents[4] / "shared" / "data" / "beijing-air"


def test_a_month_of_a_real_beijing_air_file(tmp_path: Path) -> None:
    """The shared file as published (../shared/data/beijing-air; skipped without it unless ECOHOTLINE_REQUIRE_SHARED=1):
    every non-NA pollutant cell of March 2015 becomes one reading, CO in mg/m³."""
    import csv
    import os

    path = SHARED_AIR / "PRSA_Data_Dongsi_20130301-20170228.csv.gz"
    if not path.is_file():
        message = f"the shared beijing-air data is missing: {path} does not exist"
        if os.environ.get("ECOHOTLINE_REQUIRE_SHARED") == "1":
            pytest.fail(f"{message} (ECOHOTLINE_REQUIRE_SHARED=1 requires it)", pytrace=False)
        pytest.skip(message)
    with gzip.open(path, "rt", newline="") as handle:
        cells = [(row["CO"], row[column]) for row in csv.DictReader(handle)
                 if (row["year"], row["month"]) == ("2015", "3")
                 for column in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")]
    expected = sum(1 for _co, value in cells if value != "NA")
    source = ReadingFile(path)
    assert source.layout == "beijing-air"
    result = ingest_readings(source.rows(since=dt.datetime(2015, 3, 1), until=dt.datetime(2015, 4, 1)),
                             create_stations=True)
    assert (result.written, result.rejected) == (expected, 0)
    assert Reading.objects.count() == expected > 4000
    co = list(Reading.objects.filter(parameter="co").values_list("value", flat=True))
    assert co and max(co) <= 10.0 and min(co) >= 0.1
