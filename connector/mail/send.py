"""Send rendered messages: one connection reused across a batch, retries on 4xx and drops, a result each.

Delivery is at least once: when the connection drops after the message was sent but before the server's
final reply, the message is sent again, so the recipient may get it twice. A 5xx reply is final (no retry).
A failure that every later message would share (refused login, untrusted certificate, no connection)
ends the batch; the remaining messages are reported failed with that reason, ready to resend.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

from connector import atomic
from connector.atomic import make_folder
from connector.errors import DeliveryError, InputError
from connector.mail.dkim_sign import sign
from connector.mail.message import draft, fill_message
from connector.mail.transport import Connection
from connector.mail.wire import message_bytes
from connector.safe_paths import name_problem
from connector.schema.models import ConnectorConfig

Status = Literal["sent", "failed", "written"]


@dataclass(frozen=True)
class Job:
    """One message to send: a recipient, a usage type and the payload Logto would pass."""

    to: str
    usage_type: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"to": self.to, "type": self.usage_type, "payload": dict(self.payload)}


def json_line(data: Any) -> str:
    """One JSON Lines line: readable text, with the characters some readers take for line ends escaped."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass(frozen=True)
class Result:
    """What happened to one job: the server's final reply (or the error) and how many attempts it took."""

    to: str
    usage_type: str
    status: Status
    code: int | None
    reply: str
    attempts: int
    file: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "to": self.to,
            "type": self.usage_type,
            "status": self.status,
            "code": self.code,
            "reply": self.reply,
            "attempts": self.attempts,
        }
        if self.file is not None:
            data["file"] = self.file
        return data


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries per message; waits ``backoff`` seconds, doubling, capped at ``max_delay``."""

    attempts: int = 3
    backoff: float = 1.0
    max_delay: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_delay))


@dataclass
class Outcome:
    """Results in job order, and the error that ended the batch early, if any.

    ``keep=False`` (a batch run from the CLI) keeps only the counts, and the failed jobs as batch lines in
    a spool (in memory up to 1 MiB, then an unnamed temporary file), not a result per message: memory does
    not grow with the batch, even when every message fails."""

    results: list[Result] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    fatal: InputError | None = None
    keep: bool = True
    in_flight: Job | None = None  # taken from the jobs, no result yet (what Ctrl-C interrupted)
    done: int = 0
    _counts: dict[str, int] = field(default_factory=lambda: {"sent": 0, "failed": 0, "written": 0})
    _failed: list[Job] = field(default_factory=list)
    _spool: IO[bytes] | None = None

    def __post_init__(self) -> None:
        if not self.keep:
            self._spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (closed by close())

    def add(self, job: Job, result: Result) -> None:
        self.in_flight = None
        self.done += 1
        self._counts[result.status] += 1
        if result.status == "failed":
            if self._spool is None:
                self._failed.append(job)
            else:
                self._spool.seek(0, os.SEEK_END)
                self._spool.write((json_line(job.as_json()) + "\n").encode())
        if self.keep:
            self.jobs.append(job)
            self.results.append(result)

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self._counts["failed"]

    @property
    def failed(self) -> list[Job]:
        return list(self.failed_jobs())

    def failed_jobs(self) -> Iterator[Job]:
        """The failed jobs in order, read back one at a time from the spool when there is one."""
        if self._spool is None:
            yield from self._failed
            return
        self._spool.seek(0)
        for raw in self._spool:
            item = json.loads(raw)
            yield Job(item["to"], item["type"], item["payload"])

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    @property
    def counts(self) -> dict[str, int]:
        return dict(self._counts)


def prepare(config: ConnectorConfig, job: Job, *, now: datetime | None = None) -> tuple[str, str, bytes]:
    """The envelope sender, the envelope recipient and the message bytes for ``job``."""
    parts = draft(config, fill_message(config, job.usage_type, job.payload), job.to, now=now)
    assert parts.recipient is not None
    data = message_bytes(parts)
    if config.dkim is not None:
        data = sign(data, config.dkim)
    return parts.sender, parts.recipient, data


class Sender:
    """Sends jobs over one connection, reconnecting when it drops and retrying what is worth retrying."""

    def __init__(
        self,
        config: ConnectorConfig,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        connection: Connection | None = None,
    ) -> None:
        self.config = config
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.connection = connection or Connection(config)

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is KeyboardInterrupt:  # Ctrl-C: hang up at once, no QUIT to wait on
            self.connection.abort()
        else:
            self.close()

    def close(self) -> None:
        self.connection.close()

    def send(self, job: Job) -> Result:
        """Send one job. Raises :class:`InputError` for a failure that would end every later send too."""
        try:
            sender, recipient, data = prepare(self.config, job)
        except InputError as e:
            return Result(job.to, job.usage_type, "failed", None, e.describe(), 0)
        last: DeliveryError | None = None
        attempt = 0
        while attempt < max(1, self.retry.attempts):
            attempt += 1
            try:
                reply = self.connection.send(sender, recipient, data)
                return Result(job.to, job.usage_type, "sent", reply.code, reply.text, attempt)
            except DeliveryError as e:
                if e.fatal:
                    raise
                last = e
                if not e.transient:
                    break
                if attempt < self.retry.attempts:
                    self.sleep(self.retry.delay(attempt))
        assert last is not None
        return Result(job.to, job.usage_type, "failed", last.code, last.reply or last.describe(), attempt)


def send_all(
    config: ConnectorConfig,
    jobs: Iterable[Job],
    *,
    retry: RetryPolicy | None = None,
    on_result: Callable[[Result], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    outcome: Outcome | None = None,
) -> Outcome:
    """Send every job over one reused connection; a result for each, in order. Results go into
    ``outcome`` as they come, so a caller interrupted (Ctrl-C) still knows what was sent."""
    outcome = Outcome() if outcome is None else outcome
    with Sender(config, retry=retry, sleep=sleep) as sender:
        for job in jobs:
            outcome.in_flight = job
            if outcome.fatal is not None:
                result = Result(job.to, job.usage_type, "failed", None, outcome.fatal.describe(), 0)
            else:
                try:
                    result = sender.send(job)
                except InputError as e:
                    outcome.fatal = e
                    code = e.code if isinstance(e, DeliveryError) else None
                    reply = e.reply if isinstance(e, DeliveryError) and e.reply else e.describe()
                    result = Result(job.to, job.usage_type, "failed", code, reply, 1)
            outcome.add(job, result)
            if on_result is not None:
                on_result(result)
    return outcome


def write_messages(
    config: ConnectorConfig,
    jobs: Iterable[Job],
    directory: str | Path,
    *,
    on_result: Callable[[Result], None] | None = None,
    now: datetime | None = None,
    outcome: Outcome | None = None,
) -> Outcome:
    """Dry run: write each message as ``.eml`` into ``directory`` instead of sending it."""

    folder = make_folder(directory, "--dry-run")
    outcome = Outcome() if outcome is None else outcome
    for index, job in enumerate(jobs, 1):
        try:
            _, _, data = prepare(config, job, now=now)
            name = eml_name(index, job)
            problem = name_problem(name)
            if problem is not None:  # eml_name keeps to safe characters: a guard, should that change
                raise InputError(f"cannot write {name!r}: {problem}")
            path = folder / name
            atomic.write_bytes(path, data)
            result = Result(job.to, job.usage_type, "written", None, "", 0, str(path))
        except InputError as e:
            result = Result(job.to, job.usage_type, "failed", None, e.describe(), 0)
        outcome.add(job, result)
        if on_result is not None:
            on_result(result)
    return outcome


def eml_name(index: int, job: Job) -> str:
    """``0001-SignIn-user@example.com.eml``: ordered, readable, and safe on every file system."""
    address = re.sub(r"[^A-Za-z0-9@._+-]+", "_", job.to)[:80].strip("._") or "recipient"
    kind = re.sub(r"[^A-Za-z0-9_-]+", "_", job.usage_type)[:40] or "type"
    return f"{index:04d}-{kind}-{address}.eml"
