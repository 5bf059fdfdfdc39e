"""`ecohotline backup` and `ecohotline restore`, on whichever database the suite runs on: a restore brings back the
data and the files exactly as they were and says so; a damaged backup is refused before anything changes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from ecohotline.cases import services
from ecohotline.cases.models import Attachment, Case, Channel
from ecohotline.core import backup
from ecohotline.core.workdays import BEIJING

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _case(org: Any, number: str) -> Case:
    return services.create_case(actor=org.dispatcher, channel=Channel.HOTLINE_12345, external_id=number,
                                received_at=dt.datetime(2026, 5, 4, 10, tzinfo=BEIJING), description="油烟扰民",
                                sub_category="air.catering_fumes", category="air", street=org.street)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def test_a_restore_brings_back_the_data_and_the_files(org: Any, media: Path, tmp_path: Path) -> None:
    kept = _case(org, "2026050400001")
    Attachment.objects.create(case=kept, file=ContentFile(b"\x89PNG photo", name="site.png"), original_name="现场.png")
    photo = next(media.rglob("*.png"))
    call_command("backup", str(tmp_path / "saved"))
    manifest = backup.read_manifest(tmp_path / "saved")
    assert manifest["vendor"] == connection.vendor and manifest["tables"]["cases_case"]["rows"] == 1
    assert list(manifest["files"]) == [photo.relative_to(media).as_posix()]

    # Work goes on after the backup: a case added, one changed, a file lost.
    _case(org, "2026050400002")
    Case.objects.filter(pk=kept.pk).update(description="改过的内容")
    photo.unlink()
    assert not backup.check_current(tmp_path / "saved").matches

    call_command("restore", str(tmp_path / "saved"), "--yes")
    assert list(Case.objects.values_list("external_id", "description")) == [("2026050400001", "油烟扰民")]
    assert photo.read_bytes() == b"\x89PNG photo"
    assert backup.check_current(tmp_path / "saved").matches
    call_command("restore", str(tmp_path / "saved"), "--check")


def test_a_backup_goes_into_a_new_folder_only(org: Any, media: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"))
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path / "full"), "--yes")


def test_a_damaged_backup_is_refused_and_nothing_changes(org: Any, media: Path, tmp_path: Path) -> None:
    _case(org, "2026050400001")
    call_command("backup", str(tmp_path / "saved"))
    _case(org, "2026050400002")  # after the backup: a refused restore must keep it
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(tmp_path / "saved" / backup.SQLITE_FILE)
        copy.execute("UPDATE cases_case SET description = 'tampered'")
        copy.commit()
        copy.close()
        with pytest.raises(CommandError, match="tables differ: cases_case"):
            call_command("backup", str(tmp_path / "saved"), "--check")
    else:  # a dump is checked once restored: damage the manifest's files instead
        (tmp_path / "saved" / backup.MEDIA_DIR).mkdir(exist_ok=True)
        (tmp_path / "saved" / backup.MEDIA_DIR / "extra.txt").write_text("not in the manifest")
    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore", str(tmp_path / "saved"), "--yes")
    assert Case.objects.count() == 2


def test_a_backup_of_another_kind_of_database_is_refused(org: Any, media: Path, tmp_path: Path) -> None:
    call_command("backup", str(tmp_path / "saved"))
    manifest_file = tmp_path / "saved" / backup.MANIFEST
    manifest = json.loads(manifest_file.read_text())
    manifest["vendor"] = "oracle"
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="oracle"):
        call_command("restore", str(tmp_path / "saved"), "--yes")
