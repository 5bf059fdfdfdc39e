"""Big imports triage the next batch in a second process: the result is the same as in one process."""

from concurrent.futures import Future

import pytest

from ecohotline.cases.models import Case, CaseEvent
from ecohotline.intake import pretriage, services
from ecohotline.intake.importing import run_import
from ecohotline.intake.tests.builders import realistic_rows, write_csv

pytestmark = pytest.mark.django_db


def outcome(prefix: str) -> list[tuple]:
    """What triage decided for each order (not the duplicates: the second file's orders also find the first's)."""
    rows = []
    for case in Case.objects.filter(external_id__startswith=prefix).order_by("external_id"):
        triaged = CaseEvent.objects.get(case=case, action="triaged").payload
        rows.append((case.external_id[len(prefix):], case.street_id, case.sub_category,
                     sorted(set(case.tags) - {"repeated"}), case.leader_id, case.due_at, triaged["remit"],
                     triaged["route"], triaged["place"], triaged["classify"], triaged["hints"]))
    return rows


def test_a_big_file_is_triaged_in_a_second_process_with_the_same_result(org, tmp_path, settings, monkeypatch):
    settings.IMPORT_TRIAGE_PROCESS = False
    alone = run_import(path=write_csv(tmp_path / "a.csv", realistic_rows(60, seed=3, number_prefix="A"))).run
    assert alone.created == 60

    settings.IMPORT_TRIAGE_PROCESS, settings.IMPORT_TRIAGE_PROCESS_FROM_ROWS = True, 10
    used = []
    real_submit = pretriage.PreTriage.submit

    def submit(self, orders):
        future = real_submit(self, orders)
        used.append(future)
        return future

    monkeypatch.setattr(pretriage.PreTriage, "submit", submit)

    def not_here(order, context):
        raise AssertionError("triaged in the importer's own process")

    monkeypatch.setattr(services, "triage_order", not_here)  # the second process does not see this
    path = write_csv(tmp_path / "b.csv", realistic_rows(60, seed=3, number_prefix="B"))
    run = run_import(path=path, batch_size=25).run
    assert run.created == 60 and len(used) == 3 and all(f is not None and f.exception() is None for f in used)
    assert outcome("B") == outcome("A")


def test_when_the_second_process_fails_the_importer_triages_itself(org, tmp_path, settings, monkeypatch):
    settings.IMPORT_TRIAGE_PROCESS_FROM_ROWS = 10

    def broken(self, orders):
        future: Future = Future()
        future.set_exception(RuntimeError("the triage process died"))
        return future

    monkeypatch.setattr(pretriage.PreTriage, "submit", broken)
    run = run_import(path=write_csv(tmp_path / "orders.csv", realistic_rows(30, seed=4)), batch_size=10).run
    assert (run.created, run.rejected) == (30, 0) and CaseEvent.objects.filter(action="triaged").count() == 30


def test_small_files_stay_in_one_process(settings):
    settings.IMPORT_TRIAGE_PROCESS_FROM_ROWS = 5000
    assert not pretriage.wanted(4999) and pretriage.wanted(5000)
    settings.IMPORT_TRIAGE_PROCESS = False
    assert not pretriage.wanted(100_000)


def test_a_big_import_refreshes_the_planners_statistics_a_small_one_does_not(org, tmp_path, settings, monkeypatch):
    from ecohotline.core import bulk

    calls = []
    monkeypatch.setattr(bulk, "refresh_statistics", lambda *models: calls.append(models))
    settings.IMPORT_TRIAGE_PROCESS_FROM_ROWS = 20
    run_import(path=write_csv(tmp_path / "small.csv", realistic_rows(10, seed=5, number_prefix="S")))
    assert calls == []
    run_import(path=write_csv(tmp_path / "big.csv", realistic_rows(25, seed=6, number_prefix="G")))
    assert len(calls) == 1 and Case in calls[0]


def test_refreshing_statistics_runs_on_this_database(org):
    from ecohotline.core import bulk

    bulk.refresh_statistics(Case, CaseEvent)  # ANALYZE on PostgreSQL, PRAGMA optimize on SQLite: no error
