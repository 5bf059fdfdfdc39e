"""`ecohotline start` (what the README's first command runs after installing): it migrates a new data folder,
loads the demo district, prints the demo logins, serves the desk and runs the worker, and Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_start_serves_the_demo_district_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ECOHOTLINE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # the embedded database, as on a fresh machine
    process = subprocess.Popen(
        [sys.executable, "-m", "ecohotline", "start", "--port", str(port), "--cases", "40", "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        login_page = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
                    login_page = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert '<html lang="zh-hans">' in login_page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/bootstrap/dist/css/bootstrap.min.css",
                                    timeout=5) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "dispatcher" in output and "ecohotline-demo" in output  # the demo logins
    assert f"http://127.0.0.1:{port}/" in output
    assert (tmp_path / "ecohotline.sqlite3").exists() and (tmp_path / "huey.sqlite3").exists()
