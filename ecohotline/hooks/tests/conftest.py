"""Fixtures of the hooks tests: a receiving HTTP server on loopback, a hotline source that takes feedback, a case of
one of its orders."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ecohotline.cases.models import Case, Channel
from ecohotline.factories import make_case
from ecohotline.intake.models import HotlineSource, OrderRecord

BEIJING = ZoneInfo("Asia/Shanghai")
SECRET = "s3cret-of-the-12345-platform"
NAME, PHONE = "张三丰", "13812345678"


@dataclass
class Received:
    path: str
    headers: Message  # names in any case
    body: bytes


@dataclass
class Receiver:
    """What a local endpoint received, and the answers it gives: `answers` in turn, then `default`."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes]] = field(default_factory=list)
    default: tuple[int, bytes] = (200, b'{"code": 0, "msg": "ok"}')


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append(Received(self.path, self.headers, body))
                status, answer = state.answers.pop(0) if state.answers else state.default
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/feedback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def source(db: None, receiver: Receiver) -> HotlineSource:
    return HotlineSource.objects.create(code="bj12345", name="北京12345平台", secret=SECRET,
                                        feedback_url=receiver.url)


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def hotline_order(org: Any, number: str = "2026050300001", channel: str = Channel.HOTLINE_12345,
                  **fields: Any) -> Case:
    """A new case of an order the hotline pushed (with its `OrderRecord`), with a complainant."""
    case = make_case(channel=channel, external_id=number, street=org.street, complainant_name=NAME,
                     complainant_phone=PHONE, received_at=beijing(2026, 5, 4, 9, 30), **fields)
    OrderRecord.objects.create(case=case, channel=channel, external_id=number, content_hash="x", received_via="push")
    return case
