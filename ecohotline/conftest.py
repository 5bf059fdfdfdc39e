"""Shared fixtures: a small organisation with one person per role; a live server and a real browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.db import connections

from ecohotline.factories import OrgUnitFactory, StreetFactory, UserFactory
from ecohotline.org.models import LeaderArea, OrgUnit, Role, UnitKind, User


@dataclass
class Org:
    bureau: OrgUnit
    brigade: OrgUnit
    squad: OrgUnit
    other_squad: OrgUnit
    street: OrgUnit
    other_street: OrgUnit
    department: OrgUnit
    dispatcher: User
    handler: User
    unit_head: User
    leader: User
    analyst: User
    street_liaison: User
    trainer: User
    admin: User
    other_handler: User
    other_unit_head: User
    other_leader: User

    def by_role(self, role: str) -> User:
        return {
            Role.DISPATCHER: self.dispatcher, Role.HANDLER: self.handler, Role.UNIT_HEAD: self.unit_head,
            Role.LEADER: self.leader, Role.ANALYST: self.analyst, Role.STREET_LIAISON: self.street_liaison,
            Role.TRAINER: self.trainer, Role.ADMIN: self.admin,
        }[role]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the category names are cached)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db: None) -> Org:
    bureau = OrgUnitFactory(name="海淀区生态环境局", code="bureau", kind=UnitKind.BUREAU)
    brigade = OrgUnitFactory(name="执法大队", code="brigade", kind=UnitKind.BRIGADE, parent=bureau)
    squad = OrgUnitFactory(name="执法一中队", code="squad-1", kind=UnitKind.SQUAD, parent=brigade)
    other_squad = OrgUnitFactory(name="执法二中队", code="squad-2", kind=UnitKind.SQUAD, parent=brigade)
    street = StreetFactory(name="中关村街道", code="zhongguancun")
    other_street = StreetFactory(name="学院路街道", code="xueyuanlu")
    department = OrgUnitFactory(name="区城管委", code="chengguan", kind=UnitKind.DEPARTMENT)
    leader = UserFactory(username="leader", display_name="李局", unit=bureau, roles=[Role.LEADER])
    other_leader = UserFactory(username="leader2", display_name="王局", unit=bureau, roles=[Role.LEADER])
    area = LeaderArea.objects.create(name="中关村片", leader=leader)
    area.streets.add(street)
    return Org(
        bureau=bureau, brigade=brigade, squad=squad, other_squad=other_squad, street=street,
        other_street=other_street, department=department,
        dispatcher=UserFactory(username="dispatcher", unit=bureau, roles=[Role.DISPATCHER]),
        handler=UserFactory(username="handler", unit=squad, roles=[Role.HANDLER]),
        unit_head=UserFactory(username="unit_head", unit=squad, roles=[Role.UNIT_HEAD]),
        leader=leader,
        analyst=UserFactory(username="analyst", unit=bureau, roles=[Role.ANALYST]),
        trainer=UserFactory(username="trainer", unit=bureau, roles=[Role.TRAINER]),
        street_liaison=UserFactory(username="liaison", unit=street, roles=[Role.STREET_LIAISON]),
        admin=UserFactory(username="admin", unit=bureau, roles=[Role.ADMIN]),
        other_handler=UserFactory(username="handler2", unit=other_squad, roles=[Role.HANDLER]),
        other_unit_head=UserFactory(username="unit_head2", unit=other_squad, roles=[Role.UNIT_HEAD]),
        other_leader=other_leader,
    )


@pytest.fixture
def responsibility_matrix(db: None) -> None:
    """The 权责清单 the migration seeds, back in place after a transactional test emptied the tables."""
    import importlib

    from ecohotline.org.models import ResponsibilityEntry

    if not ResponsibilityEntry.objects.exists():
        migration = importlib.import_module("ecohotline.org.migrations.0002_responsibility_matrix")
        migration.seed(django_apps, None)


# --- browser tests -------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


FACTORY_PASSWORD = "pass-1234-word"  # the factories' password of every user of the `org` fixture


def sign_in(page: Any, username: str, password: str = FACTORY_PASSWORD) -> None:
    """Fill in the login form the browser page shows, and submit it."""
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")


def act(page: Any, action: str, fill: Callable[[Any], None]) -> None:
    """On the case page: open the action's panel, fill it in, send it, and land on the case page again with the
    success message."""
    panel = page.locator(f"#action-{action}")
    panel.locator("summary").click()
    fill(panel)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert page.locator("main .alert-success").count() == 1, page.locator("main").inner_text()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped without Chromium, unless ECOHOTLINE_REQUIRE_BROWSER=1 (CI)
    makes that an error. Ask for it before `live_site`: its teardown, which closes the database connections of
    Playwright's context so that PostgreSQL can drop the test database, then runs last."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("ECOHOTLINE_REQUIRE_BROWSER") == "1":
            raise RuntimeError(f"Chromium is required for the browser tests but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield launched
        launched.close()
    connections.close_all()


@pytest.fixture
def live_site(transactional_db: None) -> Iterator[str]:
    """The URL of a live server of this test only, static files included. Its thread closes its database
    connections when it stops, so the PostgreSQL test database can be dropped afterwards (pytest-django's
    session-wide `live_server` keeps them open)."""
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
