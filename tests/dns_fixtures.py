"""A DNS server on 127.0.0.1 for tests, built on dnspython's message API (UDP and TCP on one port).

``dns_server({"example.test": {"TXT": ["v=spf1 -all"], "MX": ["10 mx.example.test."]}})`` serves those
records (names without the final dot, any case), SERVFAIL for a name given ``{"SERVFAIL": []}``, and
NXDOMAIN for the rest; ``address`` is the
``HOST:PORT`` for ``--dns-server``. It counts the questions it got (``questions``).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

Zone = dict[str, dict[str, list[str]]]


class DnsServer:
    def __init__(self, zone: Zone) -> None:
        self.zone = {name.lower().rstrip("."): records for name, records in zone.items()}
        self.questions: list[tuple[str, str]] = []
        self.udp, self.tcp = _sockets()
        self.port = int(self.udp.getsockname()[1])
        self.address = f"127.0.0.1:{self.port}"
        threading.Thread(target=self._serve_udp, daemon=True).start()
        threading.Thread(target=self._serve_tcp, daemon=True).start()

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        kind = dns.rdatatype.to_text(question.rdtype)
        self.questions.append((name, kind))
        records = self.zone.get(name)
        if records is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        if "SERVFAIL" in records:  # a broken name (lame delegation, DNSSEC): the server fails for it
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        owner = question.name
        if "CNAME" in records and kind != "CNAME":  # follow one alias, as a recursive server would
            target = records["CNAME"][0]
            response.answer.append(dns.rrset.from_text(owner, 300, "IN", "CNAME", target))
            owner = dns.name.from_text(target)
            records = self.zone.get(target.lower().rstrip("."), {})
        values = records.get(kind, [])
        if kind == "TXT":  # one record may be several strings of at most 255 bytes; a reader joins them
            values = [" ".join(f'"{v[i : i + 255]}"' for i in range(0, len(v), 255)) for v in values]
        if values:
            response.answer.append(dns.rrset.from_text_list(owner, 300, "IN", kind, values))
        return response.to_wire()

    def _serve_udp(self) -> None:
        while True:
            try:
                wire, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            with contextlib.suppress(Exception):
                reply = self.answer(wire)
                if len(reply) > 512:  # the client asks again over TCP
                    query = dns.message.from_wire(wire)
                    truncated = dns.message.make_response(query)
                    truncated.flags |= dns.flags.TC
                    reply = truncated.to_wire()
                self.udp.sendto(reply, peer)

    def _serve_tcp(self) -> None:
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            with conn, contextlib.suppress(Exception):
                size = struct.unpack("!H", _read(conn, 2))[0]
                reply = self.answer(_read(conn, size))
                conn.sendall(struct.pack("!H", len(reply)) + reply)

    def close(self) -> None:
        self.udp.close()
        self.tcp.close()


def _sockets() -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket on one free port of 127.0.0.1 (a port free for UDP may be taken for TCP)."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket()
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(8)
        return udp, tcp
    raise OSError("no port free for both UDP and TCP")


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


@pytest.fixture
def dns_server() -> Iterator[Any]:
    """``dns_server(zone)`` starts a server serving ``zone``; stopped after the test."""
    started: list[DnsServer] = []

    def start(zone: Zone) -> DnsServer:
        server = DnsServer(zone)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()
