"""`ecohotline import-orders`: rows taken in batches, rejected rows with their reasons, exit codes, idempotency,
补充, dry runs, the rejected rows as XLSX, and hostile text stored as given but shown escaped."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command

from ecohotline.cases.models import Case, CaseEvent, Channel
from ecohotline.core import geo
from ecohotline.factories import make_case
from ecohotline.intake import importing, parsing
from ecohotline.intake.models import ImportProfile, ImportRejection, ImportRun, ImportStatus, OrderRecord
from ecohotline.intake.services import take_in_order as real_take_in_order
from ecohotline.intake.services import take_in_orders as real_take_in_orders
from ecohotline.intake.tests.builders import COLUMNS, order_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-orders", *[str(arg) for arg in args], stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def three_rows() -> list[dict]:
    return [
        order_row(工单编号="2026050300001"),
        order_row(工单编号="2026050300002", 诉求内容="学院路工地夜间施工噪声，凌晨还在打桩。", 所属街乡="学院路街道",
                  经度="116.3500", 纬度="39.9980", 诉求类型="举报", 紧急程度="紧急"),
        order_row(工单编号="2026050300003", 诉求内容="某小区门口垃圾堆放，气味很大。", 诉求地址="某小区门口",
                  所属街乡="", 经度="", 纬度="", 办理时限=""),
    ]


def test_a_good_gbk_file_is_imported_with_progress_and_a_summary(org, tmp_path):
    path = write_csv(tmp_path / "orders.csv", three_rows(), encoding="gbk")
    code, out, err = run(path)
    assert code == 0, out + err
    assert Case.objects.count() == 3 and OrderRecord.objects.filter(received_via="file").count() == 3
    first = Case.objects.get(external_id="2026050300001")
    assert first.channel == Channel.HOTLINE_12345 and first.street == org.street
    assert first.sub_category == "air.catering_fumes"
    assert Case.objects.get(external_id="2026050300002").street == org.other_street
    assert "\r          3 / 3 行" in err
    assert "文件：orders.csv（CSV，GB18030 编码）" in out
    assert "共 3 行" in out and "新建 3，补充 0，已存在 0，拒绝 0" in out
    run_ = ImportRun.objects.get()
    counts = (run_.status, run_.rows_total, run_.rows_done, run_.created, run_.rejected)
    assert counts == (ImportStatus.DONE, 3, 3, 3, 0)
    assert run_.finished_at is not None and not run_.dry_run


def test_every_bad_row_is_rejected_with_its_reason_while_the_good_rows_land(org, tmp_path):
    rows = [
        order_row(工单编号="A1"),                                     # row 2: good
        order_row(工单编号="A2", 受理时间="2026-13-45"),              # row 3
        order_row(工单编号="A3", 诉求类型="投拆"),                     # row 4
        order_row(工单编号="A4", 经度="116.3", 纬度=""),               # row 5
        order_row(工单编号="A5", 诉求内容=""),                         # row 6
        order_row(工单编号="A1", 诉求内容="内容不同的同一编号"),         # row 7
        order_row(工单编号="A6", 诉求人="张" * 101),                   # row 8
        order_row(工单编号="A7", 紧急程度="特急"),                     # row 9
        order_row(工单编号="A8"),                                     # row 10: good
    ]
    code, out, _err = run(write_csv(tmp_path / "orders.csv", rows))
    assert code == 1
    assert set(Case.objects.values_list("external_id", flat=True)) == {"A1", "A8"}
    assert "新建 2，补充 0，已存在 0，拒绝 7" in out
    for line in ("第 3 行 受理时间：无法识别的日期“2026-13-45”",
                 "第 4 行 诉求类型：未知的诉求类型“投拆”",
                 "第 5 行 纬度：经度和纬度须同时填写或同时留空",
                 "第 6 行 诉求内容：必填项为空",
                 "第 7 行 工单编号：与第 2 行工单编号相同但内容不同",
                 "第 8 行 诉求人：内容过长（101 字，最多 100 字）",
                 "第 9 行 紧急程度：未知的紧急程度“特急”"):
        assert line in out
    rejected = ImportRejection.objects.get(row_number=3)
    assert rejected.column == "受理时间" and rejected.values["工单编号"] == "A2"
    assert rejected.values["受理时间"] == "2026-13-45"
    assert ImportRun.objects.get().rejected == 7


def test_a_long_list_of_rejections_is_cut_at_50(org, tmp_path):
    rows = [order_row(工单编号=f"B{n}", 紧急程度="特急") for n in range(60)]
    code, out, _err = run(write_csv(tmp_path / "orders.csv", rows))
    assert code == 1 and out.count("未知的紧急程度") == 50
    assert "…（另有 10 条，用 --rejects-out 导出全部）" in out


@pytest.mark.parametrize("kind", ["missing column", "broken xlsx", "binary", "empty", "no such file"])
def test_a_file_that_cannot_be_read_exits_2_and_writes_nothing(org, tmp_path, kind):
    if kind == "missing column":
        path = write_csv(tmp_path / "orders.csv", three_rows(), columns=[c for c in COLUMNS if c != "受理时间"])
        expected = "无法读取文件 orders.csv：第 1 行（表头）缺少必需的列：受理时间"
    elif kind == "broken xlsx":
        good = write_xlsx(tmp_path / "good.xlsx", three_rows()).read_bytes()
        path = tmp_path / "orders.xlsx"
        path.write_bytes(good[:-200])
        expected = "无法读取文件 orders.xlsx：XLSX 文件已损坏"
    elif kind == "binary":
        path = tmp_path / "orders.csv"
        path.write_bytes(bytes(range(256)) * 10)
        expected = "无法读取文件 orders.csv：文件含有二进制内容"
    elif kind == "empty":
        path = tmp_path / "orders.csv"
        path.write_bytes(b"")
        expected = "无法读取文件 orders.csv：文件是空的"
    else:
        path = tmp_path / "missing.csv"
        expected = "文件不存在"
    code, out, err = run(path, "--rejects-out", tmp_path / "rejects.xlsx")
    assert code == 2
    assert expected in err
    assert "新建" not in out
    assert Case.objects.count() == 0 and OrderRecord.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert not (tmp_path / "rejects.xlsx").exists()
    if kind != "no such file":
        run_ = ImportRun.objects.get()
        assert run_.status == ImportStatus.FAILED and run_.error and run_.finished_at


def test_importing_the_same_file_twice_creates_nothing_new(org, tmp_path):
    path = write_csv(tmp_path / "orders.csv", three_rows())
    assert run(path)[0] == 0
    events = CaseEvent.objects.count()
    code, out, _err = run(path)
    assert code == 0 and "新建 0，补充 0，已存在 3，拒绝 0" in out
    assert Case.objects.count() == 3 and OrderRecord.objects.count() == 3 and CaseEvent.objects.count() == events


def test_a_changed_row_is_a_supplement_on_its_case(org, tmp_path):
    rows = three_rows()
    run(write_csv(tmp_path / "orders.csv", rows))
    rows[1]["诉求内容"] = "补充：工地凌晨两点仍在打桩，噪声更大了。"
    code, out, _err = run(write_csv(tmp_path / "orders-2.csv", rows))
    assert code == 0 and "新建 0，补充 1，已存在 2，拒绝 0" in out
    case = Case.objects.get(external_id="2026050300002")
    event = CaseEvent.objects.get(case=case, action="order_updated")
    assert event.payload["via"] == "file"
    assert event.payload["changes"]["description"] == {"old": "学院路工地夜间施工噪声，凌晨还在打桩。",
                                                        "new": "补充：工地凌晨两点仍在打桩，噪声更大了。"}
    assert Case.objects.count() == 3 and OrderRecord.objects.get(case=case).updates == 1


def test_a_dry_run_checks_everything_and_writes_no_cases(org, tmp_path):
    rows = [*three_rows(), order_row(工单编号="X", 受理时间="2026-13-45")]
    code, out, _err = run(write_csv(tmp_path / "orders.csv", rows), "--dry-run")
    assert code == 1
    assert "新建 3，补充 0，已存在 0，拒绝 1" in out and "试运行" in out
    assert Case.objects.count() == 0 and OrderRecord.objects.count() == 0 and CaseEvent.objects.count() == 0
    run_ = ImportRun.objects.get()
    assert run_.dry_run and run_.created == 3 and run_.rejections.count() == 1


def test_a_dry_run_after_an_import_predicts_supplements_and_known_orders(org, tmp_path):
    rows = three_rows()
    run(write_csv(tmp_path / "orders.csv", rows))
    rows[0]["诉求内容"] = "补充说明：烧烤店凌晨一点仍在排放油烟。"
    rows.append(order_row(工单编号="2026050300004"))
    events = CaseEvent.objects.count()
    code, out, _err = run(write_csv(tmp_path / "orders-2.csv", rows), "--dry-run")
    assert code == 0 and "新建 1，补充 1，已存在 2，拒绝 0" in out
    assert Case.objects.count() == 3 and CaseEvent.objects.count() == events


def test_repeats_of_the_same_order_are_known_even_across_batches_in_a_dry_run(org, tmp_path):
    rows = [order_row(工单编号="R1"), order_row(工单编号="R2"), order_row(工单编号="R3"), order_row(工单编号="R1")]
    code, out, _err = run(write_csv(tmp_path / "orders.csv", rows), "--dry-run", "--batch-size", "2")
    assert code == 0 and "新建 3，补充 0，已存在 1，拒绝 0" in out
    code, out, _err = run(write_csv(tmp_path / "orders.csv", rows), "--batch-size", "2")
    assert code == 0 and "新建 3，补充 0，已存在 1，拒绝 0" in out and Case.objects.count() == 3


def test_rejected_rows_are_written_as_xlsx(org, tmp_path):
    rows = [order_row(工单编号="C1"), order_row(工单编号="C2", 受理时间="2026-13-45",
                                                  诉求内容='=HYPERLINK("http://evil","点我")')]
    out_path = tmp_path / "rejects.xlsx"
    code, out, _err = run(write_csv(tmp_path / "orders.csv", rows), "--rejects-out", out_path)
    assert code == 1 and f"被拒绝的行已写入 {out_path}" in out
    sheet = openpyxl.load_workbook(out_path).active
    header, *lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header == ["行号", "列", "原因", *COLUMNS]
    assert lines == [[3, "受理时间", "无法识别的日期“2026-13-45”", "C2", "2026-13-45", "张三", "13812345678",
                      "北京市海淀区中关村大街12号", '=HYPERLINK("http://evil","点我")', "投诉", "一般", "海淀区",
                      "中关村街道", "2026-05-10 14:05", "116.3162", "39.9834"]]
    assert sheet.cell(row=2, column=8).data_type == "s"  # text, never a formula


def test_html_and_script_are_stored_as_given_and_shown_escaped(org, client, tmp_path):
    script = '<script>alert("x")</script>'
    image = "<img src=x onerror=alert(1)>中关村大街12号"
    row = order_row(诉求内容=f"油烟直排{script}", 诉求地址=image, 诉求人="<b>张三</b>")
    run(write_csv(tmp_path / "orders.csv", [row]))
    case = Case.objects.get()
    assert case.description == f"油烟直排{script}" and case.address == image and case.complainant_name == "<b>张三</b>"
    client.force_login(org.dispatcher)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert script not in html and "<img src=x" not in html and "<b>张三</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;张三&lt;/b&gt;" in html


def test_an_xlsx_with_typed_cells(org, tmp_path):
    import datetime as dt

    rows = [order_row(工单编号=2026050300001, 受理时间=dt.datetime(2026, 5, 3, 14, 5), 联系电话=13812345678,
                      经度=116.3162, 纬度=39.9834, 办理时限=46152.5868055556)]
    code, out, err = run(write_xlsx(tmp_path / "orders.xlsx", rows))
    assert code == 0, out + err
    case = Case.objects.get()
    assert case.external_id == "2026050300001" and case.complainant_phone == "13812345678"
    assert "XLSX，工作表“工单”" in out


def test_a_profile_by_name(org, tmp_path):
    headers = {"工单编号": "编号", "受理时间": "受理日期"}
    ImportProfile.objects.create(name="12369", column_map=headers, channel=Channel.ECO_12369)
    path = write_csv(tmp_path / "orders.csv", three_rows(), headers=headers)
    code, _out, err = run(path, "--profile", "12369")
    assert code == 0, err
    assert set(Case.objects.values_list("channel", flat=True)) == {Channel.ECO_12369}
    code, _out, err = run(path, "--profile", "nope")
    assert code == 2 and "没有名为“nope”的导入配置（已有：12369）" in err


def test_a_profile_in_bd09_gives_the_case_wgs84_coordinates(org, tmp_path):
    where = (116.3162, 39.9834)  # WGS-84, in 中关村街道
    bd_lng, bd_lat = geo.wgs84_to_bd09(*where)
    ImportProfile.objects.create(name="百度地图导出", coordinate_system="bd09")
    row = order_row(经度=f"{bd_lng:.8f}", 纬度=f"{bd_lat:.8f}")
    code, _out, err = run(write_csv(tmp_path / "orders.csv", [row]), "--profile", "百度地图导出")
    assert code == 0, err
    case = Case.objects.get()
    expected = geo.to_wgs84(float(row["经度"]), float(row["纬度"]), "bd09")
    assert (case.longitude, case.latitude) == pytest.approx(expected, abs=1e-9)
    assert (case.longitude, case.latitude) == pytest.approx(where, abs=1e-6)
    # Read as the standard layout's GCJ-02 instead, the same numbers would land some 850 m away.
    assert geo.distance_m(*expected, *geo.to_wgs84(bd_lng, bd_lat, "gcj02")) > 500


def test_the_user_the_import_is_recorded_for(org, tmp_path):
    path = write_csv(tmp_path / "orders.csv", three_rows()[:1])
    code, _out, err = run(path, "--user", "handler")
    assert code == 2 and "不是派单员或管理员" in err
    code, _out, _err = run(path, "--user", "dispatcher")
    assert code == 0
    assert ImportRun.objects.get(status=ImportStatus.DONE).started_by == org.dispatcher
    assert CaseEvent.objects.get(action="created").actor == org.dispatcher


# --- batches: all or nothing, then row by row ------------------------------------------------------------


def test_an_order_the_service_refuses_is_rejected_and_the_rest_of_its_batch_lands(org, tmp_path):
    make_case(external_id="2026050300002", channel=Channel.HOTLINE_12345)  # registered at the desk, not imported
    code, out, _err = run(write_csv(tmp_path / "orders.csv", three_rows()))
    assert code == 1
    assert "新建 2，补充 0，已存在 0，拒绝 1" in out and "第 3 行：无法导入：" in out
    assert Case.objects.count() == 3 and OrderRecord.objects.count() == 2


def test_an_unexpected_error_rolls_the_batch_back_and_only_the_bad_row_is_rejected(org, tmp_path, monkeypatch):
    def flaky(*, order, **kwargs):
        result = real_take_in_order(order=order, **kwargs)
        if order.external_id == "2026050300002":
            raise RuntimeError("disk on fire")  # after the case was written: its transaction must be undone
        return result

    def flaky_batch(*, orders, **kwargs):
        results = real_take_in_orders(orders=orders, **kwargs)
        if any(order.external_id == "2026050300002" for order in orders):
            raise RuntimeError("disk on fire")
        return results

    monkeypatch.setattr(importing, "take_in_order", flaky)
    monkeypatch.setattr(importing, "take_in_orders", flaky_batch)
    code, out, _err = run(write_csv(tmp_path / "orders.csv", three_rows()))
    assert code == 1 and "第 3 行：导入时出错：RuntimeError: disk on fire" in out
    assert sorted(Case.objects.values_list("external_id", flat=True)) == ["2026050300001", "2026050300003"]
    assert OrderRecord.objects.count() == 2 and CaseEvent.objects.filter(action="created").count() == 2


def test_progress_is_saved_after_each_batch(org, tmp_path):
    seen: list[tuple[int, int, int]] = []
    rows = [order_row(工单编号=f"P{n}", 受理时间="2026-13-45" if n == 3 else "2026-05-03 14:05") for n in range(5)]

    def progress(run_: ImportRun) -> None:
        stored = ImportRun.objects.get(pk=run_.pk)
        seen.append((stored.rows_done, stored.created, stored.rejected))

    report = importing.run_import(path=write_csv(tmp_path / "orders.csv", rows), batch_size=2, progress=progress)
    assert report.exit_code == 1
    assert seen == [(0, 0, 0), (2, 2, 0), (4, 3, 1), (5, 4, 1)]


def test_write_rejections_to_a_stream(org, tmp_path):
    report = importing.run_import(path=write_csv(tmp_path / "o.csv", [order_row(诉求类型="x\x07y")]))
    buffer = io.BytesIO()
    assert importing.write_rejections(report.run, buffer) == 1
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.cell(row=2, column=3).value.startswith("未知的诉求类型“x\ufffdy”")
    assert sheet.cell(row=2, column=10).value == "x\ufffdy"  # a control character XLSX cannot hold



def test_a_nul_character_in_a_cell_is_rejected_and_the_row_kept_for_the_report(org, tmp_path):
    # Beyond the first bytes (a NUL there makes the whole file "binary", exit 2).
    rows = [order_row(工单编号=f"N{n}", 诉求内容="烧烤店油烟直排。" * 100) for n in range(1, 41)]
    rows.append(order_row(工单编号="N41", 诉求内容="油烟\x00直排"))
    path = write_csv(tmp_path / "orders.csv", rows)
    assert b"\x00" not in path.read_bytes()[:parsing.SNIFF_BYTES]
    code, out, _err = run(path)
    assert code == 1 and "第 42 行 诉求内容：含有空字符" in out
    assert Case.objects.count() == 40
    rejection = ImportRejection.objects.get()
    assert rejection.values["诉求内容"] == "油烟\ufffd直排"  # stored on every database, shown as �
