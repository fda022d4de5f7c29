"""A small, strict SMTP server for development that stores every message it receives as an ``.eml`` file.

It speaks EHLO/HELO, MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP and QUIT, and answers 5xx to
the rest. It advertises no AUTH and no STARTTLS: Logto sends to a relay without credentials only when
the relay does not advertise AUTH, so the sink behaves like the relay that works. Run it in-process
(``with Sink(port=0) as sink: sink.port``) or from the command line (``smtp-connector sink``).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import itertools
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connector import atomic
from connector.errors import InputError

MAX_SIZE = 10 * 1024 * 1024
MAX_RECIPIENTS = 100
COMMAND_LIMIT = 2048  # RFC 5321 asks for 512; leave room for long addresses and parameters
IDLE_TIMEOUT = 300.0
_MAIL = re.compile(r"FROM:\s*<([^<>]*)>\s*(.*)", re.IGNORECASE | re.DOTALL)
_RCPT = re.compile(r"TO:\s*<([^<>]+)>\s*(.*)", re.IGNORECASE | re.DOTALL)
# Logto's codes have 6 digits; other lengths are a fallback. "#333333" (a colour) and "&#8203;" are not codes.
_CODES = (re.compile(r"(?<![\d#&])\d{6}(?!\d)"), re.compile(r"(?<![\d#&])\d{4,8}(?!\d)"))


@dataclass(frozen=True)
class Received:
    """One stored message: the envelope, the raw data, where it was saved, and what a reader looks for."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    path: Path | None
    subject: str
    code: str | None

    def summary(self) -> str:
        parts = [f"{self.sender or '<>'} -> {', '.join(self.recipients)}", f"subject {self.subject!r}"]
        parts.append(f"code {self.code}" if self.code else "no code")
        if self.path is not None:
            parts.append(str(self.path))
        return " | ".join(parts)


def extract_code(subject: str, body: str) -> str | None:
    """The code in the subject, else in the body's text (HTML tags ignored): 6 digits first, else 4 to 8."""
    for text in (subject, re.sub(r"<[^>]*>", " ", body)):
        for pattern in _CODES:
            match = pattern.search(text)
            if match:
                return match.group(0)
    return None


def describe(data: bytes) -> tuple[str, str | None]:
    """The subject and the code a message carries."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        subject = " ".join(str(message.get("subject", "")).split())
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
    except Exception:  # a malformed message is still stored; it just has no summary
        return "", None
    return subject, extract_code(subject, body if isinstance(body, str) else "")


class _Session:
    def __init__(self) -> None:
        self.greeted = False
        self.reset()

    def reset(self) -> None:
        self.sender: str | None = None
        self.recipients: list[str] = []


class Sink:
    """The server. ``port=0`` picks a free port; :attr:`port` is the bound one once started."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2525,
        directory: str | Path | None = None,
        *,
        max_size: int = MAX_SIZE,
        idle_timeout: float = IDLE_TIMEOUT,
        hostname: str = "smtp-connector-sink",
        on_message: Callable[[Received], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.directory = Path(directory) if directory is not None else None
        self.max_size = max_size
        self.idle_timeout = idle_timeout
        self.hostname = hostname
        self.on_message = on_message
        self.messages: list[Received] = []
        self._sequence = itertools.count(1)
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # Running -----------------------------------------------------------------------------------

    async def open(self) -> None:
        """Start listening (in the running event loop)."""
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=64 * 1024)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self, ready: Callable[[Sink], None] | None = None) -> None:
        """Listen until cancelled (Ctrl-C), then close every session."""
        await self.open()
        assert self._server is not None
        if ready is not None:
            ready(self)
        try:
            await self._server.serve_forever()
        finally:
            await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._server = None

    def start(self) -> Sink:
        """Run in a background thread; returns once the port is bound."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.open())
            except BaseException as e:
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop the background thread started by :meth:`start`."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._thread = self._loop = None

    def __enter__(self) -> Sink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # One connection --------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._conversation(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _conversation(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session()
        await self._say(writer, f"220 {self.hostname} ESMTP smtp-connector sink")
        while True:
            try:
                line = await asyncio.wait_for(reader.readline(), self.idle_timeout)
            except asyncio.TimeoutError:
                await self._say(writer, "421 4.4.2 Idle for too long, closing")
                return
            except ValueError:  # longer than the stream's limit
                await self._say(writer, "500 5.5.2 Line too long")
                continue
            if not line:
                return
            if len(line) > COMMAND_LIMIT:
                await self._say(writer, "500 5.5.2 Line too long")
                continue
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            reply = await self._command(verb.upper(), arg.strip(), session, reader, writer)
            if reply is None:
                return
            await self._say(writer, reply)

    async def _command(
        self,
        verb: str,
        arg: str,
        session: _Session,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> str | None:
        if verb in ("EHLO", "HELO"):
            if not arg:
                return f"501 5.5.4 Syntax: {verb} hostname"
            session.greeted = True
            session.reset()
            if verb == "HELO":
                return f"250 {self.hostname}"
            return f"250-{self.hostname} greets {arg}\r\n250-SIZE {self.max_size}\r\n250-8BITMIME\r\n250 SMTPUTF8"
        if verb == "MAIL":
            return self._mail(arg, session)
        if verb == "RCPT":
            return self._rcpt(arg, session)
        if verb == "DATA":
            if arg:
                return "501 5.5.4 Syntax: DATA"
            if not session.recipients:
                return "503 5.5.1 Need RCPT command"
            await self._say(writer, "354 End data with <CR><LF>.<CR><LF>")
            return await self._data(session, reader)
        if verb == "RSET":
            session.reset()
            return "250 2.0.0 OK"
        if verb == "NOOP":
            return "250 2.0.0 OK"
        if verb == "QUIT":
            await self._say(writer, "221 2.0.0 Bye")
            return None
        if verb in ("AUTH", "STARTTLS", "VRFY", "EXPN", "HELP", "TURN", "ETRN", "BDAT"):
            return f"502 5.5.1 {verb} not implemented"
        return "500 5.5.2 Command not recognized"

    def _mail(self, arg: str, session: _Session) -> str:
        if not session.greeted:
            return "503 5.5.1 Send EHLO or HELO first"
        if session.sender is not None:
            return "503 5.5.1 Nested MAIL command"
        match = _MAIL.fullmatch(arg)
        if not match:
            return "501 5.5.4 Syntax: MAIL FROM:<address>"
        for param in match.group(2).split():
            key, _, value = param.partition("=")
            key = key.upper()
            if key == "SIZE" and value.isdigit():
                if int(value) > self.max_size:
                    return f"552 5.3.4 Message too big (limit {self.max_size} bytes)"
            elif key not in ("BODY", "SMTPUTF8"):
                return f"555 5.5.4 Unsupported parameter {key}"
        session.sender = match.group(1)
        return "250 2.1.0 OK"

    def _rcpt(self, arg: str, session: _Session) -> str:
        if session.sender is None:
            return "503 5.5.1 Need MAIL command"
        match = _RCPT.fullmatch(arg)
        if not match or match.group(2).strip():
            return "501 5.5.4 Syntax: RCPT TO:<address>"
        if len(session.recipients) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        session.recipients.append(match.group(1))
        return "250 2.1.5 OK"

    async def _data(self, session: _Session, reader: asyncio.StreamReader) -> str | None:
        chunks: list[bytes] = []
        size = 0
        too_big = False
        while True:
            try:
                line = await asyncio.wait_for(reader.readline(), self.idle_timeout)
            except ValueError:
                too_big = True
                continue
            except asyncio.TimeoutError:
                return None
            if not line or not line.endswith(b"\n"):
                return None  # dropped mid-DATA: nothing is stored
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size > self.max_size:
                too_big, chunks = True, []
            elif not too_big:
                chunks.append(line)
        sender, recipients = session.sender or "", tuple(session.recipients)
        session.reset()
        if too_big:
            return f"552 5.3.4 Message too big (limit {self.max_size} bytes)"
        try:
            received = self._store(sender, recipients, b"".join(chunks))
        except InputError as e:  # a full disk, a folder removed under us: the client may try again later
            return f"451 4.3.0 Message not stored: {e}"
        return f"250 2.0.0 OK: queued as {received.path.name if received.path else len(self.messages)}"

    def _store(self, sender: str, recipients: tuple[str, ...], data: bytes) -> Received:
        path = None
        if self.directory is not None:
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._sequence):05d}-{secrets.token_hex(3)}.eml"
            trace = f"Return-Path: <{sender}>\r\n" + "".join(f"Delivered-To: {r}\r\n" for r in recipients)
            path = atomic.write_bytes(self.directory / name, trace.encode() + data, durable=False)
        subject, code = describe(data)
        received = Received(sender, recipients, data, path, subject, code)
        self.messages.append(received)
        if self.on_message is not None:
            self.on_message(received)
        return received

    @staticmethod
    async def _say(writer: asyncio.StreamWriter, reply: str) -> None:
        writer.write(reply.encode("utf-8") + b"\r\n")
        await writer.drain()
