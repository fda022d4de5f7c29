"""HTTP servers on 127.0.0.1 that answer as a hostile or broken server would, byte by byte.

``HostileServer`` reads each request (keep-alive, several per connection), records it, and lets the test's
``Answer`` write whatever it likes to the socket: a gzip bomb, a chunked body that never ends, a body
trickled a byte at a time, a normal JSON answer. ``RecordingProxy`` accepts connections and records every
byte sent to it, answering nothing useful: a proxy that must never be used.

Paced answers wait on the server's stop event (``stop.wait(pace)``), so teardown ends them at once.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import secrets
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import pytest

# An answer writes to the connection; it returns True to keep the connection open for the next request.
Answer = Callable[[BinaryIO, threading.Event], bool]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_answer(value: Any, status: int = 200, *, text: bytes | None = None) -> Answer:
    """A plain answer: ``value`` as JSON (or ``text`` as it is), with its Content-Length."""
    body = text if text is not None else json.dumps(value, ensure_ascii=False).encode()

    def write(out: BinaryIO, stop: threading.Event) -> bool:
        out.write(_head(status, {"Content-Type": "application/json", "Content-Length": str(len(body))}))
        out.write(body)
        out.flush()
        return True

    return write


def token_answer(token: str | None = None, **extra: Any) -> Answer:
    return json_answer(
        {"access_token": token or secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600}
        | extra
    )


def gzip_answer(decoded: bytes) -> Answer:
    """``decoded`` sent gzip-compressed: a few KB on the wire for many MB once inflated."""
    body = gzip.compress(decoded, compresslevel=9)

    def write(out: BinaryIO, stop: threading.Event) -> bool:
        out.write(
            _head(
                200,
                {
                    "Content-Type": "application/json",
                    "Content-Encoding": "gzip",
                    "Content-Length": str(len(body)),
                },
            )
        )
        out.write(body)
        out.flush()
        return False

    return write


def chunked_answer(limit: int, piece: bytes = b" " * 65536) -> Answer:
    """A chunked body that does not end (until ``limit`` bytes, so a client that reads it all finishes)."""

    def write(out: BinaryIO, stop: threading.Event) -> bool:
        out.write(_head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        out.write(b"1\r\n[\r\n")
        sent = 0
        while sent < limit and not stop.is_set():
            out.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        out.write(b"1\r\n]\r\n0\r\n\r\n")
        out.flush()
        return False

    return write


def trickle_answer(body: bytes, pace: float, *, headers_too: bool = False) -> Answer:
    """``body`` (after the headers, or with them) one byte every ``pace`` seconds: each read succeeds."""

    def write(out: BinaryIO, stop: threading.Event) -> bool:
        head = _head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        slow = head + body if headers_too else body
        if not headers_too:
            out.write(head)
            out.flush()
        for i in range(len(slow)):
            out.write(slow[i : i + 1])
            out.flush()
            if stop.wait(pace):
                break
        return False

    return write


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            while self._one():
                pass
        except OSError:  # the client gave up: what a refusing client does
            pass

    def _one(self) -> bool:
        line = self.rfile.readline(65537)
        if not line.strip():
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            key, _, value = raw.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        body = self.rfile.read(int(headers.get("content-length") or 0))
        owner = self.server.owner
        path = urlsplit(target).path
        owner.seen.append(Seen(method, path, headers, body))
        answer = owner.answers.get(path) or owner.answers.get("*") or json_answer({"code": "x"}, 404)
        return answer(self.wfile, owner.stop)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: HostileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@dataclass
class HostileServer:
    """Answers by path (``answers["/oidc/token"]``, ``"*"`` for any other); ``seen`` lists every request."""

    answers: dict[str, Answer] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def __post_init__(self) -> None:
        self.answers.setdefault("/oidc/token", token_answer())

    @property
    def paths(self) -> list[tuple[str, str]]:
        return [(s.method, s.path) for s in self.seen]


@contextlib.contextmanager
def _serve(owner: Any, handler: type[socketserver.BaseRequestHandler]) -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), handler)
    server.owner = owner
    owner.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        owner.stop.set()
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def running(owner: HostileServer) -> Iterator[HostileServer]:
    """Serve ``owner`` on a loopback port (its ``url``) until the block ends."""
    with _serve(owner, _Handler):
        yield owner


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with running(HostileServer()) as owner:
        yield owner


@dataclass
class RecordingProxy:
    """Every byte any client sent it; it answers 502 to whatever it is asked."""

    received: list[bytes] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: Any

    def handle(self) -> None:
        try:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = self.rfile.readline(65537)
                if not line:
                    break
                head += line
            self.server.owner.received.append(head)
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass


@pytest.fixture
def recording_proxy() -> Iterator[RecordingProxy]:
    owner = RecordingProxy()
    with _serve(owner, _ProxyHandler):
        yield owner
