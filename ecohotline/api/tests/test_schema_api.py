"""The OpenAPI schema: it generates without a warning or an error, everything is versioned under /api/v1/, and every
operation has a summary and an example or a documented response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# What the desk does, each with its endpoint (docs/api.md has the table): the schema must keep them all.
DESK_ENDPOINTS = {
    ("get", "/api/v1/cases"), ("post", "/api/v1/cases"), ("get", "/api/v1/cases/{id}"),
    ("post", "/api/v1/cases/{id}/actions/{action_name}"), ("get", "/api/v1/cases/{id}/timeline"),
    ("get", "/api/v1/cases/{id}/attachments"), ("get", "/api/v1/cases/{id}/attachments/{attachment_pk}"),
    ("get", "/api/v1/cases/{id}/contacts"), ("get", "/api/v1/cases/{id}/inspections"),
    ("get", "/api/v1/cases/{id}/measurements"), ("get", "/api/v1/cases/{id}/reply-draft"),
    ("post", "/api/v1/cases/{id}/reply-check"),
    ("get", "/api/v1/inbox"), ("get", "/api/v1/inbox/{section}"), ("get", "/api/v1/inbox/duplicates"),
    ("post", "/api/v1/inbox/duplicates/{id}/confirm"), ("post", "/api/v1/inbox/duplicates/{id}/dismiss"),
    ("post", "/api/v1/inbox/triage/{id}/accept"), ("post", "/api/v1/inbox/triage/{id}/dismiss"),
    ("post", "/api/v1/inbox/dispatch"),
    ("get", "/api/v1/notifications"), ("post", "/api/v1/notifications/{id}/read"),
    ("post", "/api/v1/notifications/read-all"),
    ("get", "/api/v1/categories"), ("get", "/api/v1/units"), ("get", "/api/v1/streets"), ("get", "/api/v1/users"),
    ("get", "/api/v1/imports"), ("post", "/api/v1/imports"), ("get", "/api/v1/imports/{id}"),
    ("get", "/api/v1/imports/{id}/rejections"), ("get", "/api/v1/imports/{id}/rejections.xlsx"),
    ("get", "/api/v1/imports/{id}/file"),
    ("get", "/api/v1/ledger"), ("get", "/api/v1/ledger/{id}"), ("post", "/api/v1/ledger/{id}/plan"),
    ("post", "/api/v1/ledger/{id}/remove"), ("post", "/api/v1/ledger/flag"),
    ("get", "/api/v1/assessment/kpis"), ("get", "/api/v1/assessment/rankings"), ("get", "/api/v1/assessment/trend"),
    ("get", "/api/v1/reports"), ("post", "/api/v1/reports/generate"), ("get", "/api/v1/reports/{id}/{fmt}"),
    ("get", "/api/v1/meetings"), ("post", "/api/v1/meetings"), ("get", "/api/v1/meetings/{id}"),
    ("post", "/api/v1/meetings/{id}/pack"), ("post", "/api/v1/meetings/{id}/decisions"),
    ("get", "/api/v1/monitoring/stations"), ("get", "/api/v1/monitoring/daily"), ("get", "/api/v1/monitoring/readings"),
    ("post", "/api/v1/monitoring/readings"), ("get", "/api/v1/monitoring/alerts"),
    ("get", "/api/v1/monitoring/alerts/{id}"), ("post", "/api/v1/monitoring/alerts/{id}/verify"),
    ("post", "/api/v1/monitoring/alerts/{id}/close"),
    ("get", "/api/v1/retrospectives"), ("post", "/api/v1/retrospectives/{id}"),
    ("get", "/api/v1/insight/hotspots"), ("get", "/api/v1/insight/breakdown"), ("get", "/api/v1/insight/alerts"),
    ("post", "/api/v1/insight/alerts/{id}/handle"), ("get", "/api/v1/insight/proposals"),
    ("post", "/api/v1/insight/proposals/{id}/approve"), ("post", "/api/v1/insight/proposals/{id}/reject"),
    ("post", "/api/v1/insight/proposals/{id}/result"),
    ("post", "/api/v1/auth/token"),
    # what was desk-only before: the measurement verdict, exports, the account, insight's planning and registry,
    # the monitoring pages' complaints, the retrospectives' causes
    ("post", "/api/v1/cases/{id}/measurements/judge"), ("get", "/api/v1/cases/export.csv"),
    ("get", "/api/v1/cases/export.xlsx"), ("get", "/api/v1/ledger/export.xlsx"),
    ("get", "/api/v1/account"), ("post", "/api/v1/account/language"), ("post", "/api/v1/account/password"),
    ("get", "/api/v1/account/saved-filters"), ("post", "/api/v1/account/saved-filters"),
    ("delete", "/api/v1/account/saved-filters/{id}"),
    ("post", "/api/v1/insight/proposals/{id}/edit"), ("post", "/api/v1/insight/proposals/propose"),
    ("get", "/api/v1/insight/themes"), ("post", "/api/v1/insight/themes"), ("get", "/api/v1/insight/themes/{id}"),
    ("patch", "/api/v1/insight/themes/{id}"), ("get", "/api/v1/insight/key-units"),
    ("post", "/api/v1/insight/key-units"), ("get", "/api/v1/insight/key-units/{id}"),
    ("patch", "/api/v1/insight/key-units/{id}"), ("get", "/api/v1/insight/cases/{id}/key-units"),
    ("post", "/api/v1/insight/cases/{id}/key-units/confirm"),
    ("get", "/api/v1/monitoring/alerts/{id}/complaints"), ("get", "/api/v1/monitoring/clusters"),
    ("get", "/api/v1/retrospectives/causes"), ("get", "/api/v1/insight/proposals/{id}"),
    ("get", "/api/v1/insight/effect"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: Any, django_db_blocker: Any) -> dict[str, Any]:
    target: Path = tmp_path_factory.mktemp("schema") / "schema.json"
    with django_db_blocker.unblock():
        # --fail-on-warn: a warning (an unresolvable serializer, an enum name collision...) fails the command.
        call_command("spectacular", "--format", "openapi-json", "--file", str(target), "--validate",
                     "--fail-on-warn")
    loaded: dict[str, Any] = json.loads(target.read_text())
    return loaded


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in schema["paths"].items()
            for method, operation in item.items() if method in ("get", "post", "put", "patch", "delete")]


def test_the_schema_generates_without_warnings_and_covers_the_desk(schema: dict[str, Any]) -> None:
    found = {(method, path) for method, path, _operation in _operations(schema)}
    assert found >= DESK_ENDPOINTS, sorted(DESK_ENDPOINTS - found)
    assert all(path.startswith("/api/v1/") for _method, path, _operation in _operations(schema))


def test_every_operation_has_a_summary_and_an_example_or_a_documented_response(schema: dict[str, Any]) -> None:
    lacking = []
    for method, path, operation in _operations(schema):
        contents = [*operation.get("requestBody", {}).get("content", {}).values(),
                    *(content for response in operation["responses"].values()
                      for content in (response.get("content") or {}).values())]
        example = any(content.get("examples") for content in contents)
        documented = any(code.startswith("2") and response.get("description")
                         for code, response in operation["responses"].items())
        if not operation.get("summary") or not (example or documented):
            lacking.append(f"{method.upper()} {path}")
    assert lacking == []


def test_operation_ids_are_unique(schema: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _method, _path, operation in _operations(schema)]
    assert len(ids) == len(set(ids))


def test_the_main_endpoints_have_request_and_response_examples(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    act = paths["/api/v1/cases/{id}/actions/{action_name}"]["post"]
    assert act["requestBody"]["content"]["application/json"]["examples"]
    create = paths["/api/v1/cases"]["post"]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert create["responses"]["201"]["content"]["application/json"]["examples"]
    for path in ("/api/v1/cases", "/api/v1/inbox", "/api/v1/ledger", "/api/v1/monitoring/alerts"):
        assert paths[path]["get"]["responses"]["200"]["content"]["application/json"]["examples"], path
