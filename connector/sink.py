"""A small SMTP server for development that stores every message it receives as an ``.eml`` file.

The SMTP protocol is `aiosmtpd <https://aiosmtpd.readthedocs.io>`_'s; this module adds what a sink needs:
it writes each message atomically, summarises it in one line (sender, recipients, subject, the code it
carries) and forgets it. It advertises no AUTH and no STARTTLS: Logto sends to a relay without credentials
only when the relay does not advertise AUTH, so the sink behaves like the relay that works. Run it in-process
(``with Sink(port=0, directory=tmp) as sink: sink.port``) or from the command line
(``smtp-connector sink``).

Bounded on purpose, because a sink serves a whole team: at most ``max_connections`` sessions at once (the
next one gets ``421``), ``max_size`` bytes per message (``552``), ``MAX_RECIPIENTS`` per message (``452``),
a message read as it arrives in whole chunks and kept in memory only up to ``SPOOL_MEMORY`` (then in a file),
none kept once stored, and a summary that costs time linear in the message, computed off the event loop so
a large message never delays another client's greeting. Peak memory: docs/security.md.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import concurrent.futures
import contextlib
import email.header
import email.parser
import email.policy
import itertools
import logging
import quopri
import re
import secrets
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import IO

from aiosmtpd.smtp import SMTP, Envelope, Session, syntax

from connector import atomic
from connector.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525  # `smtp-connector sink` with no --port (the command's parser is held to these)
MAX_SIZE = 10 * 1024 * 1024
MAX_RECIPIENTS = 100
MAX_CONNECTIONS = 20
IDLE_TIMEOUT = 300.0
# A message is kept in memory up to this size while it arrives, then in a file (20 sessions: 20 MiB at most).
SPOOL_MEMORY = 1024 * 1024
KEEP = 100  # summaries kept in Sink.messages (the messages themselves are on disk, never in memory)
HOSTNAME = "smtp-connector-sink"
IDENT = "ESMTP smtp-connector sink"
# Reading a summary never looks at more than this much of a header block, this many MIME parts, or this
# deep: the email package's own parser is quadratic on some shapes (deeply nested multiparts, long
# parameter lists), so only small, bounded pieces are handed to it.
HEAD_LIMIT = 8 * 1024
MAX_PARTS = 32
MAX_DEPTH = 3
SUBJECT_SHOWN = 200
TEXT_LIMIT = (
    1024 * 1024
)  # the code is looked for in the first MiB of the body's text (a Logto email: a few KiB)
# Logto's codes have 6 digits; other lengths are a fallback. "#333333" (a colour) and "&#8203;" are not codes.
# A character is at most 4 bytes in UTF-8: decoding this much of a part gives the text looked at, and a part
# of one emoji among 10 MiB of ASCII is never a 40 MB string.
TEXT_BYTES = 4 * TEXT_LIMIT
_BLANK_LINE = re.compile(rb"\n\r?\n")
_CODES = (re.compile(r"(?<![\d#&])\d{6}(?!\d)"), re.compile(r"(?<![\d#&])\d{4,8}(?!\d)"))
_TAG = re.compile(r"<[^>]*>")
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)

# aiosmtpd logs every command it does not know, with the client's bytes in it; without a handler, Python's
# last-resort handler would print those (escape sequences included) on the sink's terminal.
logging.getLogger("mail.log").addHandler(logging.NullHandler())


def shown(text: str) -> str:
    """``text`` safe for a terminal: every character that is not printable is escaped, as ``ascii()`` does."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Received:
    """One stored message: its envelope, its file, its size, and what a reader looks for in it."""

    sender: str
    recipients: tuple[str, ...]
    path: Path | None
    size: int
    subject: str
    code: str | None
    offset: int = 0  # where the message starts in its file, after the trace headers the sink adds

    def read(self) -> bytes:
        """The message as the client sent it, read back from its file."""
        if self.path is None:
            raise FileNotFoundError("this sink stores no files (it was started without a directory)")
        return self.path.read_bytes()[self.offset :]

    def summary(self) -> str:
        """One line: sender, recipients, subject, code and file; nothing in it can drive a terminal."""
        subject = self.subject if len(self.subject) <= SUBJECT_SHOWN else self.subject[:SUBJECT_SHOWN] + "…"
        parts = [
            f"{shown(self.sender) or '<>'} -> {', '.join(shown(r) for r in self.recipients)}",
            f"subject {subject!r}",
        ]
        parts.append(f"code {self.code}" if self.code else "no code")
        if self.path is not None:
            parts.append(shown(str(self.path)))
        return " | ".join(parts)


def extract_code(subject: str, body: str) -> str | None:
    """The code in the subject, else in the body's text (HTML tags ignored): 6 digits first, else 4 to 8."""
    # A tag ends at a `>`: none can start after the last one. Cutting the text there keeps the tag pattern
    # from scanning to the end from every unclosed `<` (quadratic: minutes for a body of `<`).
    end = body.rfind(">") + 1
    for text in (subject, _TAG.sub(" ", body[:end]) + body[end:]):
        for pattern in _CODES:
            match = pattern.search(text)
            if match:
                return match.group(0)
    return None


def describe(data: bytes) -> tuple[str, str | None]:
    """The subject and the code a message carries, in time linear in its size ("" and None if unreadable)."""
    try:
        head, body = _split(memoryview(data))  # views, not copies: the message is read in place
        headers = _HEADERS.parsebytes(bytes(head[:HEAD_LIMIT]))
        raw = headers.get("subject")
        subject = ""
        if raw is not None:
            decoded = email.header.decode_header(str(raw)[:HEAD_LIMIT] if isinstance(raw, str) else raw)
            subject = " ".join(str(email.header.make_header(decoded)).split())
        texts: list[tuple[str, str]] = []
        _texts(headers, body, 0, texts)
        plain = [text for subtype, text in texts if subtype == "plain"]
        html = [text for subtype, text in texts if subtype == "html"]
        text = (plain or html or [""])[0]
    except Exception:  # a malformed message is still stored; it just has no summary
        return "", None
    return subject, extract_code(subject, text[:TEXT_LIMIT])


def _split(data: memoryview) -> tuple[memoryview, memoryview]:
    """The header block and the body, split at the first empty line (CRLF or LF)."""
    blank = _BLANK_LINE.search(data)
    if blank is None:
        return data, data[len(data) :]
    return data[: blank.end()], data[blank.end() :]


def _texts(headers: Message, body: memoryview, depth: int, found: list[tuple[str, str]]) -> None:
    """The text parts (subtype, text) of a part, in order, at most MAX_PARTS of them, MAX_DEPTH deep."""
    maintype, subtype = headers.get_content_maintype(), headers.get_content_subtype()
    if maintype == "text" and headers.get_content_disposition() != "attachment":
        found.append((subtype, _decode(headers, body)))
        return
    boundary = headers.get_boundary() if maintype == "multipart" and depth < MAX_DEPTH else None
    if not boundary or len(boundary) > 200:
        return
    delimiter = re.compile(
        rb"^--" + re.escape(boundary.encode("utf-8", "replace")) + rb"(--)?[ \t]*\r?$\n?", re.M
    )
    start = None
    for match in delimiter.finditer(body):
        if start is not None:
            head, part = _split(body[start : match.start()])
            _texts(_HEADERS.parsebytes(bytes(head[:HEAD_LIMIT])), part, depth + 1, found)
        if match.group(1) or len(found) >= MAX_PARTS:
            return
        start = match.end()


def _decode(headers: Message, body: memoryview) -> str:
    """A text part's text, decoded from at most TEXT_BYTES of its bytes (enough for TEXT_LIMIT characters)."""
    encoding = str(headers.get("content-transfer-encoding", "")).strip().lower()
    raw: bytes | memoryview = body
    if encoding == "quoted-printable":
        raw = quopri.decodestring(bytes(body))
    elif encoding == "base64":
        try:
            raw = base64.b64decode(body)  # skips line breaks and other characters outside the alphabet
        except (binascii.Error, ValueError):
            return ""
    charset = headers.get_content_charset() or "utf-8"
    try:
        return str(raw[:TEXT_BYTES], charset, "replace")
    except LookupError:  # a charset Python does not know
        return str(raw[:TEXT_BYTES], "utf-8", "replace")


def _bad_address(address: str) -> bool:
    """A control character (CR, ESC, ...) or bytes that are not UTF-8: never written to a file or a terminal."""
    return any(unicodedata.category(c) in ("Cc", "Cs") for c in address)


class _Handler:
    """aiosmtpd's hooks: the envelope checks (DATA is read by :class:`_Session` itself)."""

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if _bad_address(address):
            return "553 5.1.3 Error: control characters in the address"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if _bad_address(address):
            return "553 5.1.3 Error: control characters in the address"
        if address == "<>":
            return "501 5.1.3 Error: a recipient cannot be empty"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return f"452 4.5.3 Too many recipients (limit {MAX_RECIPIENTS})"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_exception(self, error: Exception) -> str:
        return f"451 4.3.0 Message not stored: internal error ({type(error).__name__})"


_END = b"\r\n.\r\n"  # the end of DATA: a line holding a lone dot (RFC 5321 4.1.1.4)
# A line aiosmtpd reads as the DATA command: lines end at LF, trailing CRs and LFs are dropped, the command is
# the text before the first space, in any case.
_DATA_COMMAND = re.compile(rb"^DATA(?:\r*\n| [^\n]*\n)", re.MULTILINE | re.IGNORECASE)
CHUNK = 256 * 1024  # a message is taken in pieces of at most this much (asyncio reads at most 256 KiB)
# Past this much held back after a DATA command (before its 354), the client is not read from until then.
HOLD = 64 * 1024
TOO_LONG = "500 5.5.2 Error: line too long (see RFC 5321 4.5.3.1.6)"
TOO_MUCH = "552 5.3.4 Error: too much mail data"


class _Data:
    """One message's DATA, taken as it arrives: counted, un-dot-stuffed and written to ``spool``.

    aiosmtpd's own DATA keeps every line as a Python object (about 85 bytes of memory per byte of a message
    of blank lines); this works on whole chunks with ``bytes`` methods instead, so a message costs the chunk
    being read plus ``spool``'s memory part, whatever its shape. The stream is read as if it began with a
    line end, so the end marker and a stuffed dot look the same on the first line as on any other.
    """

    def __init__(self, spool: IO[bytes], size_limit: int | None, line_limit: int) -> None:
        self.spool = spool
        self.size_limit = size_limit
        self.line_limit = line_limit  # bytes per line, line end (and a stuffed dot) included
        self.size = -2  # the raw bytes of the message, stuffed dots and line ends included (as SIZE counts)
        self.error: str | None = None  # the reply once the message has ended, if it is refused
        self._held = b"\r\n"  # a tail that may be the start of the end marker (the line start we assume)
        self._line = 0  # bytes of the line not ended yet
        self._assumed = 2  # bytes of the assumed line end not written out yet

    def feed(self, chunk: bytes) -> bytes | None:
        """Take ``chunk``; once the message has ended, return what followed its end (the next commands)."""
        data = self._held + chunk
        end = data.find(_END)
        if end >= 0:
            self._take(data[: end + 2])  # the message's last line end is part of the message
            return data[end + len(_END) :]
        # Hold back the longest tail that could begin the end marker; it always starts with CR, so no line
        # end and no stuffed dot is ever cut in two.
        keep = next((n for n in range(len(_END) - 1, 0, -1) if data.endswith(_END[:n])), 0)
        self._held = data[len(data) - keep :]
        self._take(data[: len(data) - keep])
        return None

    def _take(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.error is not None:
            return  # refused: only counted until its end, never kept
        lines = piece.split(b"\r\n")
        if len(lines) > 1:
            longest = max(self._line + len(lines[0]), max(map(len, lines[1:-1]), default=0)) + 2
            self._line = len(lines[-1])
        else:
            longest, self._line = 0, self._line + len(piece)
        if max(longest, self._line + 2) > self.line_limit:
            self.error = TOO_LONG
        elif self.size_limit and self.size > self.size_limit:
            self.error = TOO_MUCH
        else:
            text = piece.replace(b"\r\n.", b"\r\n")  # a leading dot was doubled by the client
            skip = min(self._assumed, len(text))
            self._assumed -= skip
            try:
                self.spool.write(text[skip:])
                return
            except OSError as e:  # past SPOOL_MEMORY it is a file: a full disk, the folder removed
                self.error = f"451 4.3.0 Message not stored: cannot spool it: {e.strerror or e}"
        with contextlib.suppress(OSError):
            self.spool.truncate(0)  # what was kept of a refused message is let go at once


class _Session(SMTP):
    """One client. DATA is read by :class:`_Data` (bounded memory), the rest of the protocol by aiosmtpd."""

    def __init__(self, sink: Sink, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(
            _Handler(),
            data_size_limit=sink.max_size,
            enable_SMTPUTF8=True,
            hostname=HOSTNAME,
            ident=IDENT,
            timeout=sink.idle_timeout,
            loop=loop,
        )
        self.sink = sink
        self.connection: asyncio.BaseTransport | None = None
        self.data: _Data | None = None  # the message being received, from the 354 to its end
        self.data_ended: asyncio.Future[None] | None = None
        # What a client sent after a DATA command before its 354 (a client that does not wait for the reply,
        # as `nc < session.txt` does): kept back from aiosmtpd's command reader until smtp_DATA knows
        # whether it is the message or more commands.
        self.held: bytearray | None = None
        self.line_start = b""  # the command line not ended yet (or b"-" if too long to be DATA)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connection = transport
        self.sink.session_opened(transport)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        try:
            super().connection_lost(error)
        finally:
            self.sink.session_closed(self.connection)

    def data_received(self, data: bytes) -> None:
        # asyncio's Protocol interface: every byte from the client passes here. From the 354 to the end of
        # the message the bytes go to the message; the rest to aiosmtpd's command reader.
        if self.data is not None:
            self._take_message(data)
        elif self.held is not None:
            self.held += data
            if len(self.held) > HOLD and isinstance(self.transport, asyncio.ReadTransport):
                self.transport.pause_reading()  # until smtp_DATA takes what is held
        else:
            self._take_commands(data)

    def _take_message(self, data: bytes) -> None:
        message = self.data
        assert message is not None and self.data_ended is not None
        for at in range(0, len(data), CHUNK):  # in pieces: held bytes can be more than one read
            rest = message.feed(data[at : at + CHUNK])
            if rest is not None:
                self.data = None
                self.data_ended.set_result(None)
                self._take_commands(rest + data[at + CHUNK :])
                return

    def _take_commands(self, data: bytes) -> None:
        """Give aiosmtpd's reader the commands up to the first DATA command, and hold back what follows."""
        text = self.line_start + data
        limit = self.command_size_limit  # aiosmtpd's, for DATA (which has no extension making it longer)
        for match in _DATA_COMMAND.finditer(text):
            if len(match.group().rstrip(b"\r\n")) <= limit:  # a longer line is "500 too long", not DATA
                cut = match.end() - len(self.line_start)
                self.line_start = b""
                self.held = bytearray(data[cut:])
                data = data[:cut]
                break
        else:
            tail = text[text.rfind(b"\n") + 1 :]
            self.line_start = tail if len(tail) <= limit + 2 else b"-"
        if data:
            super().data_received(data)

    def _release(self) -> None:
        """What was held back after a DATA command goes to the message if one is open, else to commands."""
        held, self.held = self.held, None
        if held is None:
            return
        if isinstance(self.transport, asyncio.ReadTransport):
            self.transport.resume_reading()
        if held:
            self.data_received(bytes(held))

    async def _refused(self, envelope: Envelope, arg: str | None) -> bool:
        """aiosmtpd's checks before DATA, with its replies; True once one refused it."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return True
        if not envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return True
        if arg:
            await self.push("501 Syntax: DATA")
            return True
        return False

    # aiosmtpd documents smtp_<COMMAND> methods as the subclass hook ("Subclasses can override these").
    # Its own DATA keeps each line as a Python object; this one reads the same protocol with _Data (checked
    # on aiosmtpd 1.4.6: tests/test_sink.py holds the line and size limits to aiosmtpd's attributes).
    @syntax("DATA")
    async def smtp_DATA(self, arg: str | None) -> None:
        envelope = self.envelope
        assert envelope is not None
        if await self._refused(envelope, arg):
            self._release()  # what followed the DATA command is more commands
            return
        # `<>` is the null sender (as bounces have); aiosmtpd keeps it as written, Received as "".
        sender = "" if envelope.mail_from in (None, "<>") else envelope.mail_from
        recipients = tuple(envelope.rcpt_tos)
        spool = self.sink.spool(sender, recipients)
        start = spool.tell()  # the message follows the trace lines
        owned: IO[bytes] | None = spool  # until a worker that stores it takes it (and closes it)
        try:
            message = _Data(spool, self.data_size_limit, self.line_length_limit)
            self.data, self.data_ended = message, self.loop.create_future()
            self._release()
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self.data_ended
            if message.error is not None:
                reply = message.error
            else:
                owned = None
                reply = await self.sink.store(spool, start, sender, recipients)
        finally:
            self.data = self.data_ended = None
            self.envelope = Envelope()  # the transaction is over, stored or not (as aiosmtpd does)
            if owned is not None:
                owned.close()
        await self.push(reply)


class _Busy(asyncio.Protocol):
    """Beyond the connection limit: say so and hang up."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(f"421 4.7.0 {HOSTNAME} busy: too many connections, try again later\r\n".encode())
        transport.close()


class Sink:
    """The server. ``port=0`` picks a free port; :attr:`port` is the bound one once started.

    :attr:`messages` holds the summaries (:class:`Received`) of the last ``keep`` messages, oldest first;
    the messages themselves are only in their files (``received.read()``). :attr:`count` counts them all.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        directory: str | Path | None = None,
        *,
        max_size: int = MAX_SIZE,
        max_connections: int = MAX_CONNECTIONS,
        idle_timeout: float = IDLE_TIMEOUT,
        keep: int = KEEP,
        on_message: Callable[[Received], None] | None = None,
    ) -> None:
        if max_size < 1 or max_connections < 1:
            raise ValueError("max_size and max_connections must be at least 1")
        self.host = host
        self.port = port
        self.directory = Path(directory) if directory is not None else None
        self.max_size = max_size
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self.on_message = on_message
        self.messages: collections.deque[Received] = collections.deque(maxlen=keep)
        self.count = 0
        self._sequence = itertools.count(1)
        self._active = 0
        self._sessions: set[asyncio.BaseTransport] = set()
        self._server: asyncio.AbstractServer | None = None
        self._workers: concurrent.futures.ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # Running -----------------------------------------------------------------------------------

    async def open(self) -> None:
        """Start listening (in the running event loop)."""
        if self.directory is not None:
            _make_ignored(self.directory)
        loop = asyncio.get_running_loop()
        self._workers = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="smtp-sink")
        try:
            self._server = await loop.create_server(lambda: self._protocol(loop), self.host, self.port)
        except BaseException:
            self._workers.shutdown(wait=False)
            raise
        self.port = self._server.sockets[0].getsockname()[1]

    def _protocol(self, loop: asyncio.AbstractEventLoop) -> asyncio.Protocol:
        # Counted here, when the connection is accepted, so a burst of connections cannot overshoot the limit.
        if self._active >= self.max_connections:
            return _Busy()
        self._active += 1
        return _Session(self, loop)

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
        """Stop listening and hang up on every session; a message being stored is finished first."""
        if self._server is not None:
            self._server.close()
        for transport in list(self._sessions):
            transport.close()
        await asyncio.sleep(0)  # let the sessions see their connections go
        if self._workers is not None:
            self._workers.shutdown(wait=True)
        self._server = self._workers = None

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

    # Sessions and messages (called by each session) ------------------------------------------------

    def session_opened(self, transport: asyncio.BaseTransport) -> None:
        """A client connected (counted when accepted): remembered, so that :meth:`close` hangs up on it."""
        self._sessions.add(transport)

    def session_closed(self, transport: asyncio.BaseTransport | None) -> None:
        """A client is gone: its place is free."""
        if transport is not None:
            self._sessions.discard(transport)
        self._active -= 1

    def spool(self, sender: str, recipients: tuple[str, ...]) -> IO[bytes]:
        """Where a message is written as it arrives: memory up to :data:`SPOOL_MEMORY`, then a file next to
        the stored messages (unnamed, gone when closed). It starts with the trace lines the file will have."""
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by store or the session)
            max_size=SPOOL_MEMORY, dir=None if self.directory is None else str(self.directory)
        )
        if self.directory is not None:
            # The addresses were checked at MAIL and RCPT: no line break can reach these lines.
            trace = f"Return-Path: <{sender}>\r\n" + "".join(f"Delivered-To: {r}\r\n" for r in recipients)
            spool.write(trace.encode("utf-8"))
        return spool

    async def store(self, spool: IO[bytes], start: int, sender: str, recipients: tuple[str, ...]) -> str:
        """Store the message (``spool`` from ``start``), closing ``spool``, off the event loop; the reply
        to the client."""
        assert self._workers is not None
        loop = asyncio.get_running_loop()
        try:
            received = await loop.run_in_executor(
                self._workers, self._store, spool, start, sender, recipients
            )
        except InputError as e:  # a full disk, a folder removed under us: the client may try again later
            return f"451 4.3.0 Message not stored: {e}"
        self.count += 1
        self.messages.append(received)
        if self.on_message is not None:
            self.on_message(received)
        return f"250 2.0.0 OK: queued as {received.path.name if received.path else self.count}"

    def _store(self, spool: IO[bytes], start: int, sender: str, recipients: tuple[str, ...]) -> Received:
        """Write the message and read its summary (in a worker thread: the event loop keeps serving)."""
        with spool:
            path = None
            if self.directory is not None:
                name = (
                    f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._sequence):05d}-{secrets.token_hex(3)}.eml"
                )
                spool.seek(0)
                path = atomic.write_bytes(self.directory / name, spool.read(), durable=False)
            # Read again rather than sliced: one copy of the message in memory at a time.
            spool.seek(start)
            data = spool.read()
        subject, code = describe(data)
        return Received(sender, recipients, path, len(data), subject, code, start)


IGNORE_ALL = "# Written by smtp-connector sink: received mail is no repository content.\n*\n"


def _make_ignored(directory: Path) -> None:
    """Create the mail folder; one the sink creates gets a ``.gitignore`` that ignores all of it (as
    pytest's cache and venv do), so a sink started at a repository's root adds nothing to ``git status``.
    A folder that is already there is the user's: left as it is."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        (directory / ".gitignore").write_text(IGNORE_ALL, encoding="utf-8")
