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

# A batch of a million messages fits; /dev/zero, or a FIFO no one writes to, does not hold the send.
MAX_BATCH_BYTES = 256 * 1024 * 1024


def read_text_input(path: str | os.PathLike[str], max_bytes: int) -> str:
    """A UTF-8 file given on the command line, read without blocking on a FIFO and without reading past
    ``max_bytes`` (a device such as /dev/zero never ends). OSError, UnicodeDecodeError or ValueError."""
    from connector.source.loader import read_capped

    raw = read_capped(path, max_bytes)
    if len(raw) > max_bytes:
        raise ValueError(f"over the {max_bytes // (1024 * 1024)} MiB limit")
    return raw.decode("utf-8-sig")


def parse_json(text: str, where: str, hint: str) -> Any:
    """JSON as Logto's JSON.parse reads it: no NaN or Infinity; a number too long for Python, or nesting
    too deep, is refused with ``where`` rather than crashing."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise InputError(f"{where}: not valid JSON (nested too deeply)", hint=hint) from None
    except ValueError as e:
        why = str(e)
        if "digits" in why:  # Python's limit on int digits (CVE-2020-10735), not a JSON rule
            why = "a number with more than 4,300 digits"
        raise InputError(f"{where}: not valid JSON ({why})", hint=hint) from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # as JSON.parse refuses it


def read_jobs(path: str | os.PathLike[str]) -> list[Job]:
    """Every job in the file; a mistake on any line is reported (file:line) before the first send."""
    name = str(path)
    try:
        text = read_text_input(path, MAX_BATCH_BYTES)
    except FileNotFoundError as e:
        raise InputError(f"{name}: no such batch file", hint="check the path") from e
    except (OSError, ValueError) as e:  # UnicodeDecodeError is a ValueError
        raise InputError(f"{name}: cannot read the batch file: {getattr(e, 'strerror', None) or e}") from e
    jobs: list[Job] = []
    # JSON Lines ends lines at \n only: str.splitlines() would also split inside a string at U+2028 or NEL.
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip():
            continue
        jobs.append(_job(line, f"{name}:{number}"))
    if not jobs:
        raise InputError(f"{name}: the batch file has no messages", hint="one JSON object per line")
    return jobs


_EXAMPLE = '{"to": "a@example.com", "type": "SignIn", "payload": {"code": "123456"}}'


def _job(line: str, where: str) -> Job:
    item: Any = parse_json(line, where, f"one object per line, like {_EXAMPLE}")
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a JSON object, like {_EXAMPLE}")
    unknown = sorted(set(item) - {"to", "type", "payload"})
    if unknown:
        raise InputError(f"{where}: unknown key `{unknown[0]}`", hint="the keys are to, type and payload")
    to, usage_type, payload = item.get("to"), item.get("type"), item.get("payload", {})
    if not isinstance(to, str) or not to:
        raise InputError(f'{where}: "to" must be one address as a string')
    if any(0xD800 <= ord(c) <= 0xDFFF for c in to):
        raise InputError(
            f'{where}: "to" holds a lone UTF-16 surrogate (\\u{ord(next(c for c in to if 0xD800 <= ord(c) <= 0xDFFF)):04x}), not text'
        )
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
