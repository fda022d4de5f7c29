"""Batch files: JSON Lines of ``{"to", "type", "payload"}``, read whole and checked before anything is sent."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from connector import atomic
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError
from connector.logto import USAGE_TYPES
from connector.mail.send import Job


def read_jobs(path: str | os.PathLike[str]) -> list[Job]:
    """Every job in the file; a mistake on any line is reported (file:line) before the first send."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise InputError(f"{name}: no such batch file (hint: check the path)") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{name}: cannot read the batch file: {getattr(e, 'strerror', None) or e}") from e
    jobs: list[Job] = []
    # JSON Lines ends lines at \n only: str.splitlines() would also split inside a string at U+2028 or NEL.
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip():
            continue
        jobs.append(_job(line, f"{name}:{number}"))
    if not jobs:
        raise InputError(f"{name}: the batch file has no messages (hint: one JSON object per line)")
    return jobs


_EXAMPLE = '{"to": "a@example.com", "type": "SignIn", "payload": {"code": "123456"}}'


def _job(line: str, where: str) -> Job:
    try:
        item: Any = json.loads(line)
    except ValueError as e:
        raise InputError(f"{where}: not valid JSON ({e}) (hint: one object per line, like {_EXAMPLE})") from e
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a JSON object, like {_EXAMPLE}")
    unknown = sorted(set(item) - {"to", "type", "payload"})
    if unknown:
        raise InputError(f"{where}: unknown key `{unknown[0]}` (hint: the keys are to, type and payload)")
    to, usage_type, payload = item.get("to"), item.get("type"), item.get("payload", {})
    if not isinstance(to, str) or not to:
        raise InputError(f'{where}: "to" must be one address as a string')
    if not isinstance(usage_type, str) or not usage_type:
        raise InputError(f'{where}: "type" must be a usage type such as "SignIn"')
    if usage_type not in USAGE_TYPES:
        guess = did_you_mean(usage_type, USAGE_TYPES)
        raise InputError(
            f'{where}: Logto never sends the usage type "{usage_type}" (it would get the Generic template)'
            + (f'; did you mean "{guess}"?' if guess else "")
        )
    if not isinstance(payload, dict):
        raise InputError(f'{where}: "payload" must be a JSON object, like {{"code": "123456"}}')
    return Job(to, usage_type, payload)


def write_jobs(path: str | os.PathLike[str], jobs: Iterable[Job]) -> Path:
    """Write jobs in the batch format (atomically), ready to be sent again with ``--batch``."""
    lines = [json_line(job.as_json()) + "\n" for job in jobs]
    return atomic.write_atomic(path, "".join(lines))


def json_line(data: Any) -> str:
    """One JSON Lines line: readable text, with the characters some readers take for line ends escaped."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
