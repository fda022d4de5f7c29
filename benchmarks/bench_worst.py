"""Worst cases: inputs built to make a check slow, at the largest size the caps allow (not a test).

    python benchmarks/bench_worst.py            # every case
    python benchmarks/bench_worst.py NAME ...   # some of them

Each case writes its input into a temporary folder and times the whole command a user (or the pre-commit
hook) would run on it. The budget for every case: under 2 s on the reference machine (benchmarks/RESULTS.md),
whatever the input, as long as it is within the caps (1 MiB per source file). A case that takes longer than
``TIMEOUT`` seconds is stopped and reported as such.

To add a case: a function ``(folder, repeat) -> Case`` in ``CASES``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.source.loader import MAX_BYTES  # noqa: E402

BUDGET_S = 2.0
MEMORY_BUDGET_MB = 200.0  # peak resident memory, for the cases that measure it
TIMEOUT = 120.0
# A batch file is capped at 256 MiB, not 1 MiB: its budget is per 100,000 lines (about 9 MB).
BATCH_LINES = 100_000
BATCH_BUDGET_S = 10.0
# Room left under the cap for the rest of the file around the hostile value.
MARGIN = 4096


@dataclass
class Case:
    name: str
    seconds: float  # median wall time; TIMEOUT when stopped
    size: int  # bytes of input
    detail: str = ""
    budget: float = BUDGET_S
    peak_mb: float | None = None  # peak resident memory, when measured

    @property
    def met(self) -> bool:
        fits = self.peak_mb is None or self.peak_mb < MEMORY_BUDGET_MB
        return self.seconds < self.budget and fits


def _command() -> tuple[list[str], dict[str, str]]:
    exe = Path(sys.executable).parent / "smtp-connector"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if exe.exists():
        return [str(exe)], env
    return [sys.executable, "-m", "connector"], env | {"PYTHONPATH": str(ROOT)}


def timed(args: list[str], repeat: int, *, cwd: Path | None = None) -> float:
    """Median wall time of ``smtp-connector ARGS`` (after one warm-up run); TIMEOUT if a run is stopped."""
    command, env = _command()
    runs = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        try:
            subprocess.run(
                [*command, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=TIMEOUT, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return TIMEOUT
        runs.append(time.perf_counter() - start)
    return statistics.median(runs[1:])


def _final_config(**changes: object) -> dict[str, object]:
    data = json.loads((ROOT / "tests" / "data" / "final" / "good" / "logto-console-example.json").read_text())
    data.update(changes)
    return data


def _html_template(content: str) -> dict[str, str]:
    return {"usageType": "OrganizationInvitation", "contentType": "text/html", "subject": "Join us",
            "content": content}  # fmt: skip


def unclosed_comment_final(folder: Path) -> Path:
    """A final config whose HTML template is `<!--` repeated up to the 1 MiB cap."""
    data = _final_config()
    templates = data["templates"]
    assert isinstance(templates, list)
    templates[3] = _html_template("<!--" * ((MAX_BYTES - MARGIN) // 4))
    return _write_json(folder / "config.json", data)


def unclosed_comment_j2(folder: Path) -> Path:
    """A project whose `.html.j2` template file is `<!--` repeated up to the 1 MiB cap."""
    (folder / "templates").mkdir()
    (folder / "templates" / "invite.html.j2").write_text("<!--" * (MAX_BYTES // 4), encoding="utf-8")
    (folder / "smtp-connector.yaml").write_text(
        "host: smtp.example.com\nport: 587\nauth: {user: mailer, pass: '${SMTP_PASS}'}\n"
        "fromEmail: Acme <no-reply@acme.example>\n"
        "templates:\n"
        "  - usageType: Generic\n    contentType: text/plain\n    subject: Code\n    content: 'Code {{code}}'\n"
        "  - usageType: OrganizationInvitation\n    contentType: text/html\n    subject: Join\n"
        "    content: {file: templates/invite.html.j2}\n",
        encoding="utf-8",
    )
    return folder


def spaced_from_email(folder: Path) -> Path:
    """A final config whose fromEmail is `a`, spaces up to the cap, then `b@example.com`."""
    return _write_json(
        folder / "config.json", _final_config(fromEmail="a" + " " * (MAX_BYTES - MARGIN) + "b@example.com")
    )


def unknown_keys_one_line(folder: Path) -> Path:
    """Minified one-line JSON with as many unknown keys as the cap allows (one finding each)."""
    data = _final_config()
    base = len(json.dumps(data, separators=(",", ":")))
    count = (MAX_BYTES - MARGIN - base) // len('"unknown000000":0,')
    data.update({f"unknown{i:06d}": 0 for i in range(count)})
    return _write_json(folder / "config.json", data, separators=(",", ":"))


def _write_json(path: Path, data: object, **options: Any) -> Path:
    path.write_text(json.dumps(data, **options), encoding="utf-8")
    assert path.stat().st_size <= MAX_BYTES, "the input must be within the cap"
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sink_unclosed_tags(folder: Path, repeat: int) -> Case:
    """`smtp-connector sink` receiving the largest message its size cap allows: an HTML body of `<`.

    Timed: the whole SMTP transaction (connect to the 250 after DATA), which includes storing the message
    and reading its code; before, the code extraction alone was quadratic (153 KB: 21 s, every client
    blocked). The detail shows the same size of plain text, the sink's ordinary cost for that many bytes.
    """
    import smtplib
    import socket

    from connector.sink import MAX_SIZE

    head = b"Subject: worst\r\nContent-Type: text/html\r\n\r\n"

    def message(char: bytes) -> bytes:
        line = char * 998 + b"\r\n"  # RFC 5321's line limit, which the sink enforces
        body = line * ((MAX_SIZE - len(head)) // len(line))
        return head + body + char * (MAX_SIZE - len(head) - len(body) - 2) + b"\r\n"

    port = _free_port()
    command, env = _command()
    proc = subprocess.Popen(
        [*command, "sink", "--port", str(port), "--dir", str(folder / "mail")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the sink did not start") from None
                time.sleep(0.05)

        def send(data: bytes) -> float:
            runs = []
            for _ in range(repeat + 1):
                start = time.perf_counter()
                with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as client:
                    client.sendmail("a@example.com", ["b@example.com"], data)
                runs.append(time.perf_counter() - start)
                for stored in (folder / "mail").glob("*.eml"):
                    stored.unlink()
            return statistics.median(runs[1:])

        worst, plain = message(b"<"), message(b"x")
        assert len(worst) == len(plain) == MAX_SIZE
        tags, text = send(worst), send(plain)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return Case(
        "sink: 10 MiB HTML body of unclosed <", tags, len(worst), f"(same size of plain text: {text:.2f} s)"
    )


def _batch_lines(count: int, bad: Callable[[int, int], bool]) -> str:
    lines = []
    for i in range(count):
        to = f"user{i}.example.com" if bad(i, count) else f"user{i}@example.com"
        payload = {"code": f"{i:06d}", "application": {"name": "Shop"}}
        lines.append(json.dumps({"to": to, "type": "SignIn", "payload": payload}) + "\n")
    return "".join(lines)


def _batch(title: str, bad: Callable[[int, int], bool]) -> Callable[[Path, int], Case]:
    """``send --batch`` of BATCH_LINES lines, refused by the check before connecting (nothing is sent or
    written): linear in the lines, whatever their mistakes. Timed at a tenth of the size too: a ratio
    near 10 is linear, near 100 quadratic."""

    def case(folder: Path, repeat: int) -> Case:
        config = _write_json(folder / "logto.json", _final_config(host="127.0.0.1", port=9))
        times = []
        for count in (BATCH_LINES // 10, BATCH_LINES):
            batch = folder / f"batch-{count}.jsonl"
            batch.write_text(_batch_lines(count, bad), encoding="utf-8")
            args = ["send", str(config), "--batch", str(batch), "--dry-run", str(folder / "out")]
            times.append(timed(args, repeat))
        assert not (folder / "out").exists()
        return Case(
            title, times[1], batch.stat().st_size, f"({BATCH_LINES // 10:,} lines: {times[0]:.2f} s; "
            f"x{times[1] / times[0]:.1f} for 10x the lines)", budget=BATCH_BUDGET_S,
        )  # fmt: skip

    return case


def _lint(title: str, make: Callable[[Path], Path]) -> Callable[[Path, int], Case]:
    def case(folder: Path, repeat: int) -> Case:
        target = make(folder)
        size = sum(p.stat().st_size for p in ([target] if target.is_file() else target.rglob("*")))
        return Case(title, timed(["lint", str(target)], repeat), size)

    return case


def init_alias_bomb(folder: Path, repeat: int) -> Case:
    """``init`` in a repository whose .pre-commit-config.yaml nests aliases 12 deep, 12 wide (12 ** 12
    values expanded): init compares the config it would write with the one it read, so the reader's
    node cap must stop it first (tests/test_init_repository.py holds that it is left alone)."""
    (folder / ".git").mkdir()
    lines = ["x-values:", f"  l0: &l0 [{', '.join(['0'] * 12)}]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 12)}]" for i in range(1, 12)]
    config = folder / ".pre-commit-config.yaml"
    repos = "repos:\n  - repo: meta\n    hooks:\n      - id: identity\n"
    config.write_text("\n".join(lines) + "\n" + repos, encoding="utf-8")
    seconds = timed(["init", "email", "--provider", "gmail"], repeat, cwd=folder)
    return Case("init: .pre-commit-config.yaml of nested aliases (12 ** 12)", seconds, config.stat().st_size)


# The hostile inputs above are also linted by tests/test_worst_cases.py (that they are handled, not how fast).
CASES: dict[str, Callable[[Path, int], Case]] = {
    "unclosed-comment-final": _lint("lint: unclosed <!-- in an HTML template", unclosed_comment_final),
    "unclosed-comment-j2": _lint("lint: unclosed <!-- in a .html.j2 file", unclosed_comment_j2),
    "spaced-from-email": _lint("lint: fromEmail of a + spaces + b@example.com", spaced_from_email),
    "unknown-keys-one-line": _lint(
        "lint: one-line JSON of unknown keys (suppression lookup)", unknown_keys_one_line
    ),
    "sink-unclosed-tags": sink_unclosed_tags,
    "batch-checked-whole": _batch(
        "send --batch: 100,000 lines, the last one bad", lambda i, count: i == count - 1
    ),
    "batch-every-line-bad": _batch("send --batch: 100,000 lines, every one bad", lambda i, count: True),
    "init-alias-bomb": init_alias_bomb,
}
# The deploy client group: the worst answers a server can give, at the client's caps.
from benchmarks.bench_deploy_client import CASES as DEPLOY_CLIENT_CASES  # noqa: E402

CASES.update(DEPLOY_CLIENT_CASES)


def measure(tmp: Path, repeat: int, only: list[str] | None = None) -> list[Case]:
    cases = []
    for name in only or CASES:
        folder = tmp / name
        folder.mkdir(parents=True)
        cases.append(CASES[name](folder, repeat))
    return cases


def main() -> int:
    names = sys.argv[1:] or None
    with tempfile.TemporaryDirectory() as tmp:
        cases = measure(Path(tmp), 3, names)
    for case in cases:
        shown = ">" if case.seconds >= TIMEOUT else " "
        verdict = "yes" if case.met else "NO"
        print(f"{case.name:58} {shown}{case.seconds:7.2f} s  {case.size:>9,} B  < {case.budget:g} s: {verdict}"
              f"  {case.detail}")  # fmt: skip
    return 0 if all(c.met for c in cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
