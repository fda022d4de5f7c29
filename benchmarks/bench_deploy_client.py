"""The `deploy client` group of benchmarks/bench_worst.py: the worst answers a server can give the
Management API client, at its caps (docs/deploy.md, "Bounds").

Each case serves one hostile answer from a real HTTP server on 127.0.0.1 (tests/hostile_http.py) to a real
``smtp-connector pull`` process, and measures its wall time and its peak memory (``ru_maxrss`` of a process
started for that one run, read with ``RUSAGE_CHILDREN`` by a small parent of its own).
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from connector.deploy.client import MAX_ANSWER, MAX_CONTAINERS
from tests.hostile_http import HostileServer, chunked_answer, json_answer, running, trickle_answer

GIB = 1024**3
_PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(time.perf_counter() - start, peak, run.returncode)\n"
    "print(run.stderr)\n"
)


def _gzip_of_spaces(size: int) -> Any:
    """A gzip answer of ``[``, spaces and ``]`` inflating to ``size`` bytes (1 GiB is about 1 MB sent)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    piece = b" " * (1024 * 1024)
    parts = [packer.compress(b"[")]
    for _ in range((size - 2) // len(piece)):
        parts.append(packer.compress(piece))
    parts.append(packer.compress(b" " * ((size - 2) % len(piece)) + b"]"))
    parts.append(packer.flush())
    body = b"".join(parts)

    def write(out: Any, stop: Any) -> bool:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        out.write(head.encode() + body)
        return False

    return write


def _padded(text: bytes) -> bytes:
    """``text`` (a JSON array) padded with spaces to exactly MAX_ANSWER bytes."""
    return text[:-1] + b" " * (MAX_ANSWER - len(text)) + b"]"


def _objects_at_cap() -> bytes:
    """As many ``{}`` as the byte cap holds: refused by the shape check before parsing."""
    count = (MAX_ANSWER - 2) // 3
    return _padded(b"[" + b",".join([b"{}"] * count) + b"]")


def _strings_at_cap() -> bytes:
    """Two-letter strings up to the byte cap (each a new str object of about 60 bytes for 5 bytes of
    JSON; one letter would be a shared object): the most memory per byte the client parses."""
    pairs = [f'"{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}"'.encode() for i in range(MAX_ANSWER // 5)]
    return _padded(b"[" + b",".join(pairs)[: MAX_ANSWER - 20].rsplit(b",", 1)[0] + b"]")


def _containers_at_cap() -> bytes:
    """MAX_CONTAINERS objects of one short key each, padded with spaces to the byte cap."""
    return _padded(b"[" + b",".join([b'{"k":"v"}'] * (MAX_CONTAINERS - 1)) + b"]")


def _deep_at_cap() -> bytes:
    half = MAX_ANSWER // 2
    return b"[" * half + b"]" * half


@contextlib.contextmanager
def _server(answer: Any) -> Iterator[HostileServer]:
    owner = HostileServer()
    owner.answers["*"] = answer
    with running(owner):
        yield owner


def _run(command: list[str], env: dict[str, str], args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak memory (MB), exit code and standard error of one run in a process of its own."""
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, *command, *args], env=env, capture_output=True, text=True, timeout=300,
        check=True,
    )  # fmt: skip
    first, _, stderr = probe.stdout.partition("\n")
    seconds, peak_kb, code = first.split()
    return float(seconds), int(peak_kb) / 1024, int(code), stderr


def _case(
    title: str, answer: Callable[[], Any], expect: str, *, timeout: float = 10.0, budget: float | None = None
) -> Callable[..., Any]:
    def case(folder: Path, repeat: int) -> Any:
        from benchmarks.bench_worst import Case, _command

        command, env = _command()
        runs: list[tuple[float, float]] = []
        with _server(answer()) as server:
            env = env | {
                "LOGTO_ENDPOINT": server.url,
                "LOGTO_M2M_APP_ID": "bench",
                "LOGTO_M2M_APP_SECRET": "bench-secret",
            }
            for i in range(repeat + 1):
                out = folder / f"pulled-{i}"
                seconds, peak, code, stderr = _run(
                    command, env, ["pull", str(out), "--timeout", f"{timeout:g}"]
                )
                if code != 1 or expect not in stderr:
                    raise SystemExit(f"{title}: expected exit 1 and {expect!r}, got {code}: {stderr}")
                runs.append((seconds, peak))
        worst = max(peak for _, peak in runs[1:])
        kwargs = {} if budget is None else {"budget": budget}
        return Case(
            f"deploy client: {title}",
            statistics.median(s for s, _ in runs[1:]),
            MAX_ANSWER,
            "",
            peak_mb=worst,
            **kwargs,
        )

    return case


# --timeout 0.2: three attempts of 0.2 s and the 0.5 s + 1 s pauses between them; plus the start-up.
_TRICKLE_TIMEOUT = 0.2
CASES: dict[str, Callable[..., Any]] = {
    "deploy-client-gzip-bomb": _case(
        "gzip answer inflating to 1 GiB", lambda: _gzip_of_spaces(GIB), "larger than 4 MiB"
    ),
    "deploy-client-endless-chunked": _case(
        "chunked answer that never ends", lambda: chunked_answer(64 * GIB), "larger than 4 MiB"
    ),
    "deploy-client-objects-at-cap": _case(
        "4 MiB answer of {} (refused by its shape)",
        lambda: json_answer(None, text=_objects_at_cap()),
        "more than 100,000 objects and arrays",
    ),
    "deploy-client-strings-at-cap": _case(
        "4 MiB answer of distinct short strings",
        lambda: json_answer(None, text=_strings_at_cap()),
        "has no SMTP connector to pull",
    ),
    "deploy-client-containers-at-cap": _case(
        "100,000 objects (the container cap), padded to 4 MiB",
        lambda: json_answer(None, text=_containers_at_cap()),
        "has no SMTP connector to pull",
    ),
    "deploy-client-deep-at-cap": _case(
        "4 MiB answer of [ nested 2 million deep",
        lambda: json_answer(None, text=_deep_at_cap()),
        "more than 100,000 objects and arrays",
    ),
    "deploy-client-trickle": _case(
        f"answer trickled a byte every 50 ms, --timeout {_TRICKLE_TIMEOUT:g}",
        lambda: trickle_answer(b"[" + b" " * 10_000 + b"]", 0.05),
        "did not answer",
        timeout=_TRICKLE_TIMEOUT,
        budget=3 * _TRICKLE_TIMEOUT + 1.5 + 1.0,
    ),
}
