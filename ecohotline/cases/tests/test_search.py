"""Full-text search of the case list: Chinese substrings of any searched field, indexed on both databases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecohotline.cases import search
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import Case, Channel
from ecohotline.cases.selectors import case_page
from ecohotline.core.bulk import insert_objects
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    return {
        "fumes": make_case(title="餐饮油烟扰民", description="小区楼下餐馆油烟扰民，排风机噪声很大。",
                           address="海淀区中关村大街27号", polluter="老王烧烤", external_id="2611220300042"),
        "building": make_case(title="夜间施工噪声", description="工地夜间施工，影响休息。",
                              address="海淀区学院路38号", polluter="某建筑公司", external_id="2611220300043"),
        "hostile": make_case(title="Odd", description='折扣50%_off，"引号" NEAR(x) a*b OR c\\d',
                             address="o'clock 路", external_id="2611220300044"),
    }


def found(text: str) -> set[str]:
    """The names of the `cases` fixture's cases that `text` finds."""
    names = {"餐饮油烟扰民": "fumes", "夜间施工噪声": "building", "Odd": "hostile"}
    titles = search.matching(Case.objects.filter(title__in=names), text).values_list("title", flat=True)
    return {names[title] for title in titles}


@pytest.mark.parametrize(("text", "expected"), [
    ("餐馆油烟扰", {"fumes"}),           # description, 3+ characters: the index
    ("中关村大街", {"fumes"}),           # address
    ("学院路38", {"building"}),
    ("老王烧烤", {"fumes"}),             # polluter
    ("夜间施工", {"building"}),          # title and description
    ("2611220300042", {"fumes"}),        # order number, whole
    ("0300043", {"building"}),           # and part of it
    ("施工 影响", {"building"}),         # every word must match
    ("施工 油烟", set()),
    ("垃圾焚烧", set()),                 # no match
    ("ODD", {"hostile"}),               # Latin letters in any case
])
def test_finds_substrings_of_every_searched_field(cases, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("油烟", {"fumes"}),                 # 2 characters: searched without the index, same result
    ("噪声", {"fumes", "building"}),
    ("施", {"building"}),                # 1 character as well
    ("路", {"building", "hostile"}),
    ("油 工地", set()),
])
def test_short_words_are_searched_too(cases, text, expected):
    assert found(text) == expected


def test_the_reference_of_a_case_without_order_number_finds_it(cases):
    case = make_case(title="Odd", description="电话登记", external_id="")
    assert case.reference == f"EH-{case.pk}"
    assert list(search.matching(Case.objects.all(), f"eh-{case.pk}").values_list("pk", flat=True)) == [case.pk]


@pytest.mark.parametrize(("text", "expected"), [
    ("%", {"hostile"}), ("_", {"hostile"}), ("50%_", {"hostile"}), ("%_o", {"hostile"}), ("0%", {"hostile"}),
    ('"引号"', {"hostile"}), ('"', {"hostile"}), ('""', set()), ("'", {"hostile"}), ("o'clock", {"hostile"}),
    ("NEAR(x)", {"hostile"}), ("NEAR(", {"hostile"}), ("a*b", {"hostile"}), ("*", {"hostile"}),
    ("OR", {"hostile"}), ("AND", set()), ("NOT", set()), ("c\\d", {"hostile"}), ("\\", {"hostile"}),
    ("off，", {"hostile"}), ("^off", set()), ("title:Odd", set()), ("-", set()), ("(", {"hostile"}),
    ("油烟\x00扰民", {"fumes"}), ("\x00", {"fumes", "building", "hostile"}),
])
def test_hostile_input_is_matched_literally(cases, text, expected):
    assert found(text) == expected


def test_updates_and_deletes_are_reflected(cases):
    case = cases["fumes"]
    Case.objects.filter(pk=case.pk).update(description="河道发黑发臭")
    assert found("河道发黑") == {"fumes"}
    assert found("餐馆油烟扰") == set()
    case.refresh_from_db()
    case.address = "海淀区清河路1号"
    case.save()
    assert found("清河路1") == {"fumes"}
    assert found("中关村大街") == set()

    other = Case(channel=Channel.LETTER, received_at=timezone.now(), title="删除测试", description="锅炉冒黑烟")
    insert_objects([other])
    assert list(search.matching(Case.objects.all(), "锅炉冒黑烟").values_list("pk", flat=True)) == [other.pk]
    Case.objects.filter(pk=other.pk).delete()
    assert not search.matching(Case.objects.all(), "锅炉冒黑烟").exists()
    assert found("河道发黑") == {"fumes"}


def test_a_case_inserted_by_the_fast_path_is_found():
    """The intake and the demo generator write cases with raw executemany/COPY (`core.bulk`)."""
    rows = [Case(channel=Channel.HOTLINE_12345, received_at=timezone.now(), external_id=f"26112204{n:05}",
                 description=f"第{n}号工单：搅拌站粉尘污染", address="海淀区温泉镇") for n in range(3)]
    insert_objects(rows)
    assert set(search.matching(Case.objects.all(), "搅拌站粉尘").values_list("pk", flat=True)) == {
        row.pk for row in rows}
    assert list(search.matching(Case.objects.all(), "2611220400001").values_list("pk", flat=True)) == [rows[1].pk]


@pytest.mark.parametrize("text", ["粉尘污染", "粉尘"])
def test_keyset_pages_of_a_search_are_one_query_each(text):
    rows = [Case(channel=Channel.HOTLINE_12345, received_at=timezone.now() - timezone.timedelta(hours=n),
                 description=f"搅拌站粉尘污染{n}") for n in range(7)]
    rows.append(Case(channel=Channel.HOTLINE_12345, received_at=timezone.now(), description="别的"))
    insert_objects(rows)
    queryset = search.matching(Case.objects.all(), text)
    seen, cursor, pages = [], None, 0
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = case_page(queryset, sort="-received", cursor=cursor, size=3)
        assert len(queries) == 1
        seen += [case.pk for case in page.cases]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == [row.pk for row in rows[:7]]


def test_the_case_filter_searches_with_it(cases):
    qs = CaseFilter({"q": "中关村大街 油烟"}, queryset=Case.objects.all()).qs
    assert list(qs.values_list("pk", flat=True)) == [cases["fumes"].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")
def test_postgresql_looks_words_up_in_the_trigram_index(cases):
    with connection.cursor() as cursor:
        # A table this small is read whole; forbid that to see that the index serves the condition.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        sql, params = search.matching(Case.objects.order_by(), "中关村大街").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "cases_case_search_trgm" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite")
def test_sqlite_search_triggers_are_in_place():
    """Remaking cases_case in a later SQLite migration (AlterField and the like) drops its triggers: recreate
    them as migration 0009 does, and rebuild the index, in that migration."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases_case'")
        triggers = {row[0] for row in cursor.fetchall()}
        cursor.execute("INSERT INTO cases_case_search(cases_case_search) VALUES ('integrity-check')")
    assert {"cases_case_search_insert", "cases_case_search_update", "cases_case_search_delete"} <= triggers
