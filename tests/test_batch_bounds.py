"""Batch files in bounded work: a line's findings are placed from one reading of the line, and a batch is
read a line at a time (docs/runtime.md). Speed and memory at the caps are measured in
benchmarks/bench_worst.py (the ``batch`` group); these tests hold the structure that keeps them bounded."""

from __future__ import annotations

import json
import socket
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from connector.mail import batch_job, json_lines
from connector.mail.batch import read_batch, write_jobs
from connector.mail.send import Job, Outcome, RetryPolicy, send_all
from connector.schema.models import ConnectorConfig

from .smtp_fixtures import logto_config


def test_every_finding_of_a_line_is_placed_from_one_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """n lone surrogates deep in one line: each gets its own column, and the line is read by the
    positional reader once, not once per finding (which made a 349 KB line run for minutes)."""
    readings: list[int] = []

    class Counting(json_lines.JsonLoader):
        def run(self) -> Any:
            readings.append(1)
            return super().run()

    monkeypatch.setattr(json_lines, "JsonLoader", Counting)
    count = 300  # findings per line: 10 listed, then one for the rest
    keys = ", ".join(f'"k{i}": {{"v": "\\ud9{i % 100:02d}z"}}' for i in range(count))
    line = '{"type": "Register", "to": "q@example.net", "payload": {"deep": {' + keys + "}}}"
    path = tmp_path / "b.jsonl"
    path.write_text(line + "\n" + line + "\n")
    findings = read_batch(path).findings
    listed = batch_job.MAX_SURROGATES_LISTED
    assert len(findings) == 2 * (listed + 1) and len(readings) == 2
    first = [f for f in findings if f.line == 1]
    expected = [line.index(f'"k{i}": ') + len(f'"k{i}": {{"v": ') + 1 for i in range(listed + 1)]
    assert [f.column for f in first] == expected  # in the order written
    assert {f.rule for f in findings} == {"SC002"}
    assert (
        f'"payload.deep.k{listed - 1}.v" holds a lone UTF-16 surrogate (\\ud9{listed - 1:02d})'
        in first[-2].message
    )
    assert first[-1].message == (
        f"{count - listed} more keys or strings from here hold a lone UTF-16 surrogate, not text"
    )


def test_one_lone_surrogate_past_the_listed_ones_is_named_as_one(tmp_path: Path) -> None:
    listed = batch_job.MAX_SURROGATES_LISTED
    items = ", ".join(f'"\\udc{i:02x}"' for i in range(listed + 1))
    path = tmp_path / "b.jsonl"
    path.write_text('{"to": "r@example.org", "type": "SignIn", "payload": {"a": [' + items + "]}}\n")
    findings = read_batch(path).findings
    assert len(findings) == listed + 1
    assert findings[-1].message == "1 more key or string from here hold a lone UTF-16 surrogate, not text"


def _message(i: int, pad: int = 0) -> str:
    payload = {"code": f"{i:06d}", "note": "x" * pad}
    return json.dumps({"to": f"member{i}@example.org", "type": "ForgotPassword", "payload": payload})


@pytest.mark.parametrize("extra", [0, 1])
def test_a_line_over_the_cap_is_refused_unread(tmp_path: Path, extra: int) -> None:
    """The boundary: a line of exactly MAX_LINE_BYTES (its newline aside) is read; one byte more is a
    finding at that line, and the lines around it are read as usual."""
    cap = json_lines.MAX_LINE_BYTES
    base = _message(2)
    line = _message(2, cap - len(base) + extra)
    assert len(line.encode()) == cap + extra
    path = tmp_path / "b.jsonl"
    path.write_text(_message(1) + "\n" + line + "\r\n" + _message(3) + "\n")
    batch = read_batch(path)
    assert batch.total == 3
    if extra:
        assert [(f.line, f.column, f.rule) for f in batch.findings] == [(2, 1, "SC003")]
        assert "over the 1 MiB limit for one message" in batch.findings[0].message
        assert [job.payload["code"] for job in batch.jobs()] == ["000001", "000003"]
    else:
        assert batch.findings == ()
        assert [job.payload["code"] for job in batch.jobs()] == ["000001", "000002", "000003"]


def test_a_batch_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    """Memory does not grow with the batch: the lines that pass are spooled as text (to an unnamed
    temporary file past 1 MiB), not kept as objects. Traced peak for a 4 MB batch: a few hundred KB
    (the whole file read at once held over 40 MB)."""
    path = tmp_path / "b.jsonl"
    count = 40_000
    path.write_text("".join(_message(i) + "\n" for i in range(count)))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with read_batch(path) as batch:
            _, peak = tracemalloc.get_traced_memory()
            assert batch.messages == count and batch.findings == ()
            assert sum(1 for _ in batch.jobs()) == count
            _, peak_sending = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size // 2 and peak_sending < size // 2, (peak, peak_sending, size)


def test_the_spool_is_what_was_checked(tmp_path: Path) -> None:
    """What is sent is what was read and checked, whatever happens to the file afterwards."""
    path = tmp_path / "b.jsonl"
    path.write_text(_message(7) + "\n")
    with read_batch(path) as batch:
        path.write_text('{"to": "changed", "type": "Nope"}\n')
        assert [job.to for job in batch.jobs()] == ["member7@example.org"]


def test_failed_messages_are_spooled_not_kept(tmp_path: Path) -> None:
    """A batch whose every message fails (no server: the first failure marks the rest) holds counts and a
    spool of the failed lines, not a job and a result per message; the resend file is written from the
    spool a line at a time. Traced peak well below the failed messages' own size."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ConnectorConfig.model_validate(logto_config(port))
    count, note = 10_000, "z" * 600
    jobs = (
        Job(f"m{i}@example.org", "SignIn", {"code": f"{i:06d}", "note": f"{i}{note}"}) for i in range(count)
    )
    resend = tmp_path / "again.jsonl"
    outcome = Outcome(keep=False)
    tracemalloc.start()
    try:
        send_all(config, jobs, retry=RetryPolicy(attempts=1, backoff=0), outcome=outcome)
        write_jobs(resend, outcome.failed_jobs())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        outcome.close()
    assert outcome.counts == {"sent": 0, "failed": count, "written": 0} and outcome.results == []
    size = resend.stat().st_size
    assert size > count * len(note)
    assert peak < size // 2, (peak, size)
    with resend.open() as fh:
        first, last = json.loads(next(fh)), json.loads(list(fh)[-1])
    assert first == {
        "to": "m0@example.org",
        "type": "SignIn",
        "payload": {"code": "000000", "note": f"0{note}"},
    }
    assert last["payload"]["code"] == f"{count - 1:06d}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"to": "a", "type": "SignIn"}', (2, 8)),  # the only "to": found without reading on
        ('{"to": "a", "to": "b"}', (13, 19)),  # a duplicate: the last wins, as json.loads keeps it
        ('{"to": "a", "\\u0074o": "b"}', (13, 24)),  # the same key spelled with an escape
        ('{"to": "a", "p": {"to": 1}}', (2, 8)),  # "to" deeper down is not a top-level key
        ('{"to": "a", "p": "\\"to\\""}', (2, 8)),  # nor is "to" inside a string
        ('{ "p" : [1, {"x": "}"}], "to" :  "a" }', (26, 34)),  # after an array holding a "}"
    ],
)
def test_a_top_level_key_is_placed_where_json_loads_takes_it(line: str, expected: tuple[int, int]) -> None:
    """Its key's and its value's columns, the last of duplicates winning, with or without reading the rest."""
    assert json_lines.top_level(line)["to"] == expected
    place = json_lines.Place("b.jsonl", 1, line)
    assert (place.column(("to",), True), place.column(("to",), False)) == expected
    only = json_lines.only_place(line, "to")
    assert only in (None, expected)
    # Provably the only place only when no later key could spell it: no backslash, no "to" after it.
    assert (only is not None) == ("\\" not in line and line.count('"to"') == 1)
