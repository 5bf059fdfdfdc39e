"""`ecohotline hot-issues`: the planted messages as a CSV in UTF-8 and GBK, JSON and table output, bad files named
by row and column, `--from-cases` over the bureau's complaints, and the real 附件3 file when it is there."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from ecohotline.factories import make_case
from ecohotline.insight.cli_hot_issues import width
from ecohotline.insight.tests.test_hotissues import PLANTED, at

HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"]
HOTSPOT = Path(settings.PROJECT_DIR).parent / "shared" / "data" / "govmsg" / "hotspot_messages.csv"


@pytest.fixture(autouse=True)
def english() -> object:
    with translation.override("en"):
        yield


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def planted_rows() -> list[list[str]]:
    return [[i, u, s, at(d).strftime("%Y-%m-%d %H:%M:%S"), t, str(p), str(o)] for i, u, s, d, t, p, o in PLANTED]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("hot-issues", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_json_of_a_csv_file_in_utf8_and_gbk(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "messages.csv", planted_rows(), encoding)
    data = json.loads(run("--input", str(path), "--top", "5", "--format", "json"))
    assert data["messages"] == 18
    assert [sorted(issue["member_ids"]) for issue in data["issues"]] == [
        ["A1", "A2", "A3", "A4", "A5", "A6"], ["B1", "B2", "B3", "B4"], ["C1", "C2", "C3"]]
    first = data["issues"][0]
    assert first["rank"] == 1 and "丽景花园" in first["name"] and "搅拌站" in first["name"]
    assert (first["messages"], first["complainants"], first["supports"]) == (6, 4, 3)
    assert first["first_at"] == at(9).isoformat() and first["last_at"] == at(0).isoformat()
    assert first["heat"] == pytest.approx((4.2 + 4 + 2) * (1 + 0.5 * 9 / 365), abs=0.01)


def test_top_limits_the_json(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "messages.csv", planted_rows())
    data = json.loads(run("--input", str(path), "--top", "1", "--format", "json"))
    assert [issue["rank"] for issue in data["issues"]] == [1]


def test_the_table_aligns_chinese_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "messages.csv", planted_rows(), "gbk")
    lines = run("--input", str(path)).splitlines()
    assert "18 messages, 3 hot issues" in lines[0]
    header, *rows = lines[2:]
    assert len(rows) == 3
    assert "丽景花园" in rows[0] and "A1,A2,A3,A4,A5,A6" in rows[0]
    assert "2026-06-21 – 2026-06-30" in rows[0]
    # The time range starts in the same terminal column on every line, Chinese names being two columns a character.
    starts = {width(line[:line.index("2026-")]) for line in rows}
    assert len(starts) == 1
    assert width(header[:header.index("Time range")]) == starts.pop()


@pytest.mark.parametrize(("rows", "header", "message"), [
    ([["1", "u", "s", "2026-01-01 08:00:00", "t", "0", "0"]], HEADER[:-1], "missing column(s) 反对数"),
    ([["1", "u", "s", "2026-01-01 08:00:00", "t", "0", "0"], ["2", "u", "s", "yesterday", "t", "0", "0"]], HEADER,
     "row 3, column 留言时间: not a date and time"),
    ([["1", "u", "s", "2026-01-01 08:00:00", "t", "lots", "0"]], HEADER, "row 2, column 点赞数: not a whole number"),
    ([["1", "u", "s", "2026-01-01 08:00:00", "t", "0", "-1"]], HEADER, "row 2, column 反对数: not a whole number"),
    ([["", "u", "s", "2026-01-01 08:00:00", "t", "0", "0"]], HEADER, "row 2, column 留言编号: empty"),
])
def test_a_bad_file_names_the_row_and_column(tmp_path: Path, rows: list[list[str]], header: list[str],
                                             message: str) -> None:
    path = write_csv(tmp_path / "bad.csv", rows, header=header)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        run("--input", str(path))
    assert str(path) in str(error.value)


def test_an_undecodable_or_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x00\xff\xfe\x81\x30" * 200)
    with pytest.raises(CommandError, match=r"binary\.csv"):
        run("--input", str(path))
    with pytest.raises(CommandError, match="no such file"):
        run("--input", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="--input"):
        run()


@pytest.mark.django_db
def test_from_cases_uses_the_complaints_of_the_period_and_never_prints_the_complainant() -> None:
    zone = timezone.get_default_timezone()
    base = dt.datetime(2026, 6, 1, 9, 0, tzinfo=zone)
    phones = ["13800000001", "13800000002", "13800000003", "13800000004"]
    made = []
    for k, (subject, text) in enumerate([
            ("丽景花园小区搅拌站噪音扰民", "丽景花园小区旁搅拌站噪音很大。联系人张三丰 13800000001"),
            ("丽景花园小区旁边搅拌站噪音太大", "搅拌站噪音吵得丽景花园小区居民无法休息"),
            ("投诉丽景花园小区搅拌站夜间噪音", "每天夜里搅拌站还在作业，噪音很大"),
            ("丽景花园小区附近搅拌站噪音影响休息", "搅拌站噪音太大，老人孩子休息不好")]):
        made.append(make_case(received_at=base + dt.timedelta(days=k), title=subject, description=text,
                              complainant_name="张三丰", complainant_phone=phones[k % 3]))
    make_case(received_at=base + dt.timedelta(days=40), title="丽景花园小区搅拌站噪音扰民",
              description="搅拌站噪音", complainant_phone="13800000009")  # after the period
    data = json.loads(run("--from-cases", "--start", "2026-06-01", "--end", "2026-06-30", "--format", "json"))
    assert data["cases"] == 4
    assert len(data["issues"]) == 1
    issue = data["issues"][0]
    assert sorted(issue["member_ids"]) == sorted(case.reference for case in made)
    assert (issue["messages"], issue["complainants"]) == (4, 3)
    assert "丽景花园" in issue["name"] and "搅拌站" in issue["name"]
    text = json.dumps(data, ensure_ascii=False) + run("--from-cases", "--start", "2026-06-01", "--end", "2026-06-30")
    for secret in ["张三丰", *phones]:
        assert secret not in text
    with pytest.raises(CommandError, match="--start and --end"):
        run("--from-cases", "--start", "2026-06-01")
    with pytest.raises(CommandError, match="on or after"):
        run("--from-cases", "--start", "2026-06-30", "--end", "2026-06-01")


def test_the_insight_alias_runs_the_same(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "messages.csv", planted_rows())
    out = io.StringIO()
    call_command("insight", "hot-issues", "--input", str(path), "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["issues"][0]["rank"] == 1


def test_the_real_hotspot_file() -> None:
    """附件3 (../shared/data/govmsg; skipped without it unless ECOHOTLINE_REQUIRE_SHARED=1): the top five are five
    different issues, and the issues every published team found (SOURCE.md, "Hotspot mining") are in the top ten."""
    if not HOTSPOT.is_file():
        message = f"the shared govmsg data is missing: {HOTSPOT} does not exist"
        if os.environ.get("ECOHOTLINE_REQUIRE_SHARED") == "1":
            pytest.fail(f"{message} (ECOHOTLINE_REQUIRE_SHARED=1 requires it)", pytrace=False)
        pytest.skip(message)
    issues = json.loads(run("--input", str(HOTSPOT), "--top", "10", "--format", "json"))["issues"]
    assert len({(issue["place"], issue["problem"]) for issue in issues[:5]}) == 5
    ids = [set(issue["member_ids"]) for issue in issues]
    assert all(not a & b for k, a in enumerate(ids) for b in ids[k + 1:])
    names = [issue["name"] for issue in issues]

    def found(*words: str) -> bool:
        return any(all(word in name for word in words) for name in names)

    assert found("丽发新城", "搅拌")
    assert found("伊景园", "车位")
    assert found("人才", "补贴")
    assert found("经济学院", "实习")
