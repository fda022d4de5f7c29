"""Batch files in bounded work: a line's findings are placed from one reading of the line, and a batch is
read a line at a time (docs/runtime.md). Speed and memory at the caps are measured in
benchmarks/bench_worst.py (the ``batch`` group); these tests hold the structure that keeps them bounded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.mail import batch as batchfile
from connector.mail.batch import read_batch


def test_every_finding_of_a_line_is_placed_from_one_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """n lone surrogates deep in one line: each gets its own column, and the line is read by the
    positional reader once, not once per finding (which made a 349 KB line run for minutes)."""
    readings: list[int] = []

    class Counting(batchfile.JsonLoader):
        def run(self) -> Any:
            readings.append(1)
            return super().run()

    monkeypatch.setattr(batchfile, "JsonLoader", Counting)
    count = 300
    keys = ", ".join(f'"k{i}": {{"v": "\\ud9{i % 100:02d}z"}}' for i in range(count))
    line = '{"type": "Register", "to": "q@example.net", "payload": {"deep": {' + keys + "}}}"
    path = tmp_path / "b.jsonl"
    path.write_text(line + "\n" + line + "\n")
    findings = read_batch(path).findings
    assert len(findings) == 2 * count and len(readings) == 2
    columns = sorted(f.column for f in findings if f.line == 1)
    expected = [line.index(f'"k{i}": ') + len(f'"k{i}": {{"v": ') + 1 for i in range(count)]
    assert columns == expected
    assert {f.rule for f in findings} == {"SC002"}
    assert f"payload.deep.k{count - 1}.v" in json.dumps([f.message for f in findings])
