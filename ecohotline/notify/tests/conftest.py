"""A group robot on loopback: an http.server in a thread that answers like WeCom's and DingTalk's webhooks and
keeps what it received."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class RobotServer:
    url: str
    received: list[Received] = field(default_factory=list)
    # The answers to give, in order: (HTTP status, JSON body); when empty, 200 {"errcode": 0, "errmsg": "ok"}.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def robot_server() -> Iterator[RobotServer]:
    server_state = RobotServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            server_state.received.append(Received(path=parts.path, query=parse_qs(parts.query),
                                                  headers=dict(self.headers.items()), body=body))
            status, answer = (server_state.answers.pop(0) if server_state.answers
                              else (200, {"errcode": 0, "errmsg": "ok"}))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
