from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from connector.cli.main import main
from connector.diagnostics.redact import forget_secrets

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"


CliRunner = Callable[..., CliResult]


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    yield
    forget_secrets()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run the command line in-process; on an unexpected exit code the assertion shows stdout and stderr.

    ``cli("lint", "x.yaml", expect=1, env={"SMTP_PASS": "s"}, cwd=tmp_path)``; ``expect=None`` skips the check.
    """

    def run(
        *args: str,
        expect: int | None = 0,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stdin: str = "",
    ) -> CliResult:
        with monkeypatch.context() as m:
            for key, value in (env or {}).items():
                m.setenv(key, value)
            if cwd is not None:
                m.chdir(cwd)
            m.setattr(sys, "stdin", io.StringIO(stdin))
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        result = CliResult(code, out.getvalue(), err.getvalue())
        if expect is not None:
            assert code == expect, f"expected exit {expect}, got:\n{result}"
        assert "Traceback" not in result.stderr, str(result)
        return result

    return run


# A shell started in the background or under nohup hands its children SIGINT ignored, and Python then installs
# no KeyboardInterrupt handler: a Ctrl-C test would wait forever. The child puts SIGINT back to its default,
# as an interactive shell has it, before it execs the command (exec keeps a default, not a handler), so the
# command starts as it would from a terminal wherever pytest runs. A wrapper rather than preexec_fn, which
# is not safe in a process with threads (the tests' servers).
_SIGINT_AS_IN_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def interruptible(*args: str) -> list[str]:
    """The argv of ``python -m connector ARGS`` started with SIGINT as in a terminal (Ctrl-C tests)."""
    return [sys.executable, "-c", _SIGINT_AS_IN_A_TERMINAL, "-m", "connector", *args]


def run_subprocess(
    *args: str,
    expect: int | None = 0,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> CliResult:
    """Run ``python -m connector`` as a real process (for end-to-end and signal behaviour)."""
    # The checkout first, so the code under test is this tree's whether or not it is installed.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    full_env = {**os.environ, "PYTHONPATH": path, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "connector", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    result = CliResult(proc.returncode, proc.stdout, proc.stderr)
    if expect is not None:
        assert proc.returncode == expect, f"expected exit {expect}, got:\n{result}"
    return result


# Shared SMTP fixtures (real aiosmtpd servers, trustme certificates, a local OAuth2 token endpoint).
# A Logto Management API stand-in on loopback for the deploy and pull tests. A DNS server (doctor's tests).
from .dns_fixtures import dns_server  # noqa: E402
from .logto_server import logto  # noqa: E402
from .smtp_fixtures import (  # noqa: E402
    certificates,
    mute_after_greeting,
    other_ca_pem,
    raw_server,
    silent_server,
    smtp_server,
    token_endpoint,
)

__all__ = [
    "certificates",
    "dns_server",
    "logto",
    "mute_after_greeting",
    "other_ca_pem",
    "raw_server",
    "silent_server",
    "smtp_server",
    "token_endpoint",
]
