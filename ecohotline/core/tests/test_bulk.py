"""Fast inserts write what the ORM would write (the suite runs on SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from ecohotline.cases.models import Case, CaseEvent
from ecohotline.core import bulk
from ecohotline.core.workdays import BEIJING

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 5, 3, 23, 5, 30, 123456, tzinfo=BEIJING)


def a_case(org, **fields) -> Case:
    values = dict(channel="hotline_12345", external_id="", received_at=AT, description="油烟<b>直排</b>",
                  street=org.street, latitude=39.98, longitude=116.31, geo_cell=123456789012, tags=["a", "夜间"],
                  category="air", sub_category="air.catering_fumes", category_confirmed=True, due_at=AT,
                  complainant_phone="13812345678", leader=org.leader)
    values.update(fields)
    return Case(**values)


def stored(case: Case) -> dict:
    return {k: v for k, v in model_to_dict(Case.objects.get(pk=case.pk)).items() if k not in ("id",)}


def test_inserted_objects_read_back_as_saved_ones(org):
    saved = a_case(org)
    saved.save()
    fast = [a_case(org), a_case(org, tags=[], latitude=None, longitude=None, geo_cell=None, street=None)]
    bulk.insert_objects(fast)
    assert fast[0].pk > saved.pk and fast[1].pk == fast[0].pk + 1 and not fast[0]._state.adding
    assert stored(fast[0]) == stored(saved)
    assert stored(fast[1])["tags"] == [] and stored(fast[1])["latitude"] is None
    again = Case.objects.get(pk=fast[0].pk)
    assert again.created_at is not None and again.updated_at is not None
    later = a_case(org)
    later.save()  # the ORM's own ids go on after the reserved ones
    assert later.pk == fast[1].pk + 1


def test_inserted_rows_get_defaults_and_need_the_required_fields(org):
    case = a_case(org)
    case.save()
    [pk] = bulk.insert_rows(CaseEvent, [{"case_id": case.pk, "at": AT, "action": "triaged",
                                         "payload": {"place": {"street": "中关村"}, "n": 1.5}}])
    event = CaseEvent.objects.get(pk=pk)
    assert (event.case, event.actor, event.at, event.from_status, event.payload) == (
        case, None, AT, "", {"place": {"street": "中关村"}, "n": 1.5})
    with pytest.raises(ValueError, match="case_id"):
        bulk.insert_rows(CaseEvent, [{"at": AT, "action": "x"}])


def test_one_field_is_updated_for_each_object(org):
    cases = [a_case(org), a_case(org)]
    bulk.insert_objects(cases)
    cases[0].tags = ["repeated"]
    cases[1].tags = ["night", "repeated"]
    bulk.update_objects(cases, "tags")
    assert [Case.objects.get(pk=c.pk).tags for c in cases] == [["repeated"], ["night", "repeated"]]


def test_saved_instances_are_refused(org):
    case = a_case(org)
    case.save()
    with pytest.raises(ValueError):
        bulk.insert_objects([case])


def test_json_encoded_once_is_written_as_it_is(org):
    case = a_case(org)
    case.save()
    encoded = bulk.JsonText('{"place": {"street": "中关村"}, "n": [1, 2]}')
    first, second = bulk.insert_rows(CaseEvent, [{"case_id": case.pk, "at": AT, "action": "triaged", "payload": p}
                                                 for p in (encoded, encoded)])
    assert CaseEvent.objects.get(pk=first).payload == CaseEvent.objects.get(pk=second).payload == {
        "place": {"street": "中关村"}, "n": [1, 2]}
