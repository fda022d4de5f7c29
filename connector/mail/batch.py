"""Batch files: JSON Lines of ``{"to", "type", "payload"}``, checked whole before anything is sent.

The check is one pass, a line at a time, linear in the file and in memory bounded whatever its size:
:func:`read_batch` reads each line (:mod:`connector.mail.json_lines`), reads it as a job (keys, the
recipient as nodemailer reads it, the usage type, the payload's shape: :mod:`connector.mail.batch_job`)
and, given the config, fills its message as ``send`` would (template, placeholders, headers:
:mod:`connector.mail.batch_check`), then decides. Every line that would fail is a finding at its
file:line:col; the CLI sends nothing while there is one. The lines that pass are spooled, and sent from the
spool. Progress while sending is data too (:mod:`connector.mail.progress`); the CLI decides whether and how
to show it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from connector import atomic
from connector.diagnostics.findings import Finding, Location
from connector.errors import InputError
from connector.mail.batch_check import JobCheck
from connector.mail.batch_job import ONE_OBJECT, read_job
from connector.mail.json_lines import DECODER, TOO_LONG, Place, read_lines
from connector.mail.send import Job, json_line
from connector.schema.models import ConnectorConfig

_SPOOL_IN_MEMORY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a batch file and the line it came from (kept to place a finding on it)."""

    number: int
    text: str
    job: Job


class Batch:
    """A batch file read a line at a time: how many messages, how many lines were refused, and the lines
    that read as messages, kept as text in a spool (in memory up to a few MiB, then an unnamed temporary
    file) rather than as objects, so memory does not grow with the file. The spool is a private copy:
    what is sent is what was checked, whatever happens to the file meanwhile."""

    def __init__(self, file: str, spool: IO[bytes], *, total: int, messages: int, bad: int) -> None:
        self.file, self.spool = file, spool
        self.total = total  # messages in the file, the refused lines included
        self.messages = messages  # lines that read as messages (in the spool)
        self.bad = bad  # lines with a finding
        self.findings: tuple[Finding, ...] = ()  # kept only when no on_finding was given

    def lines(self) -> Iterator[Line]:
        """The lines that read as messages, in order, each read again from the spool."""
        self.spool.seek(0)
        for raw in self.spool:
            number, _, text = raw.decode("utf-8").rstrip("\n").partition(" ")
            item = DECODER.decode(text)
            yield Line(int(number), text, Job(item["to"], item["type"], item.get("payload", {})))

    def jobs(self) -> Iterator[Job]:
        return (line.job for line in self.lines())

    def close(self) -> None:
        self.spool.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def refusal(batch: Batch, bad: int) -> InputError:
    """The error that refuses a whole batch (``bad`` lines would fail): nothing is sent while any would."""
    return InputError(
        f"{batch.file}: {bad} of {batch.total} message{'s' if batch.total != 1 else ''} would fail; nothing was sent",
    )


def read_batch(
    path: str | os.PathLike[str],
    config: ConnectorConfig | None = None,
    *,
    on_finding: Callable[[Sequence[Finding]], None] | None = None,
) -> Batch:
    """Read and check every line of a batch file in one pass, a line at a time: what is wrong with a line
    is a finding at its file:line:col, and the reading goes on. With ``config``, each line is also filled
    as ``send`` would fill it (:func:`check_batch`). Each line's findings go to ``on_finding`` as they are
    found (else they are collected in ``Batch.findings``). An unreadable or empty file, or one over
    :data:`MAX_BATCH_BYTES`, is an :class:`InputError`."""
    name = str(path)
    collected: list[Finding] = []
    report = on_finding or collected.extend
    check = JobCheck(config) if config is not None else None
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 (the Batch closes it)
    total = messages = bad = 0
    try:
        for number, line in read_lines(name, path):
            total += 1
            if line is None:
                found = [Finding.at(Location(name, number), "SC003", TOO_LONG, ONE_OBJECT)]
            else:
                job, found = read_job(name, number, line)
                if not found and job is not None and check is not None:
                    problem = check.problem(job, line)
                    if problem is not None:
                        found = [Place(name, number, line).at(*problem)]
            if found:
                bad += 1
                report(found)
            else:
                messages += 1
                spool.write(f"{number} {line}\n".encode())
        if not total:
            raise InputError(f"{name}: the batch file has no messages", hint="one JSON object per line")
    except BaseException:
        spool.close()
        raise
    batch = Batch(name, spool, total=total, messages=messages, bad=bad)
    batch.findings = tuple(collected)
    return batch


def check_batch(config: ConnectorConfig, batch: Batch) -> list[Finding]:
    """What would fail in each line of ``batch`` with this config (:class:`JobCheck`), found before
    connecting. ``read_batch(path, config)`` makes the same check in its one pass."""
    findings: list[Finding] = []
    check = JobCheck(config)
    for line in batch.lines():
        problem = check.problem(line.job, line.text)
        if problem is not None:
            findings.append(Place(batch.file, line.number, line.text).at(*problem))
    return findings


def write_jobs(path: str | os.PathLike[str], jobs: Iterable[Job]) -> Path:
    """Write jobs in the batch format (atomically, a line at a time), ready to be sent again with ``--batch``."""
    return atomic.write_bytes(path, ((json_line(job.as_json()) + "\n").encode() for job in jobs))
