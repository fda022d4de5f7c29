"""Worst cases: inputs built to make a check slow, at the largest size the caps allow (not a test).

    python benchmarks/bench_worst.py            # every case
    python benchmarks/bench_worst.py NAME ...   # some of them, or a group: sink, batch (every GROUP-… case)

Each case writes its input into a temporary folder and times the whole command a user (or the pre-commit
hook) would run on it. The budget for every case: under 2 s on the reference machine (benchmarks/RESULTS.md),
whatever the input, as long as it is within the caps (1 MiB per source file). A case that takes longer than
``TIMEOUT`` seconds is stopped and reported as such.

To add a case: a function ``(folder, repeat) -> Case`` in ``CASES``.
"""

from __future__ import annotations

import itertools
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
MEMORY_BUDGET_MB = 200  # peak RSS, for the cases that measure it
TIMEOUT = 120.0
# A batch file is capped at 256 MiB, not 1 MiB, and a line at 1 MiB (connector.mail.json_lines). Its budget is
# per unit: 2 s per 100,000 lines (about 11 MB of messages), and 2 s per MiB for the lines the positional
# reader must read to place a finding (a JSON error, a lone surrogate), as lint's per 1 MiB file; peak
# memory under 200 MB whatever the size.
BATCH_LINES = 100_000
BATCH_BUDGET_S = 2.0
# Room left under the cap for the rest of the file around the hostile value.
MARGIN = 4096


@dataclass
class Case:
    name: str
    seconds: float  # median wall time; TIMEOUT when stopped
    size: int  # bytes of input
    detail: str = ""
    budget: float = BUDGET_S
    peak_mb: float | None = None  # the peak RSS of the process measured, where a case measures it
    unit: str = ""  # what ``seconds`` is per ("" for the whole input)

    @property
    def met(self) -> bool:
        return self.seconds < self.budget and (self.peak_mb is None or self.peak_mb <= MEMORY_BUDGET_MB)


def _command() -> tuple[list[str], dict[str, str]]:
    exe = Path(sys.executable).parent / "smtp-connector"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if exe.exists():
        return [str(exe)], env
    return [sys.executable, "-m", "connector"], env | {"PYTHONPATH": str(ROOT)}


# Runs a command and prints its wall time, its peak RSS (KiB) and CPU seconds. Through this small process, not
# from the benchmark's own: Linux starts a child's ru_maxrss from its parent's RSS at the fork (this
# process holds the generated inputs); the wall time is taken in it too, so its own start is not counted.
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - start\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(wall, u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)


@dataclass(frozen=True)
class Measured:
    """What :func:`measured` found: medians over the measured runs; TIMEOUT when a run was stopped."""

    seconds: float  # wall time
    cpu: float  # user + system: less sensitive to a loaded machine than wall time
    # The largest peak RSS of any run, the warm-up included: an upper bound, as a child's count starts from
    # the measuring process's own RSS at the fork (about 10 MB).
    peak_mb: float


def measured(
    args: list[str] | Callable[[int], list[str]],
    runs: int,
    *,
    warm_up: bool = True,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """``smtp-connector ARGS`` run ``runs`` times, after one warm-up run unless ``warm_up`` is False (for a
    run of many seconds), each through the small measuring process above. ``args`` may be a function of
    the run's number (0 is the warm-up), for a command that must not meet its own output; ``env`` adds
    variables. A run still going after TIMEOUT seconds is stopped (its whole process group) and ends the
    measure: TIMEOUT for the times, the peak as far as known."""
    import signal

    command, base = _command()
    walls, cpus, peak = [], [], 0.0
    first = 0 if warm_up else 1
    for run in range(first, runs + 1):
        argv = args(run) if callable(args) else args
        proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _MEASURE, *command, *argv], cwd=cwd, env=base | (env or {}),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            out, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return Measured(TIMEOUT, TIMEOUT, peak)
        wall, rss_kib, cpu = out.split()
        peak = max(peak, int(rss_kib) / 1024)  # KiB on Linux
        if run:
            walls.append(float(wall))
            cpus.append(float(cpu))
    return Measured(statistics.median(walls), statistics.median(cpus), peak)


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


def separators_from_email(folder: Path) -> Path:
    """A final config whose fromEmail is `;` up to the cap: one token each for nodemailer's address parser."""
    return _write_json(folder / "config.json", _final_config(fromEmail=";" * (MAX_BYTES - MARGIN)))


def repeated_from_email(unit: str, tail: str = "") -> Callable[[Path], Path]:
    """A final config whose fromEmail is ``unit`` repeated up to the 1 MiB cap (as JSON writes it), then
    ``tail``: as many tokens for nodemailer's address parser as the cap holds."""

    def make(folder: Path) -> Path:
        base = len(json.dumps(_final_config(fromEmail=tail)))
        count = (MAX_BYTES - MARGIN - base) // (len(json.dumps(unit)) - 2)
        return _write_json(folder / "config.json", _final_config(fromEmail=unit * count + tail))

    return make


# fromEmail values of many address tokens (the unit repeated): parts, operators, merges and groups.
FROM_EMAIL_UNITS = {
    "from-email-mailboxes": ("`x@y,` (one mailbox per part)", "x@y,", ""),
    "from-email-quoted-words": ('`"a"` (quoted strings, one part)', '"a"', ""),
    "from-email-quotes": ('`"` (empty quoted strings)', '"', ""),
    "from-email-comments": ("`(a)` (comments)", "(a)", ""),
    "from-email-angles": ("`<a@b.example>` (addresses in one part)", "<a@b.example>", ""),
    "from-email-groups": ("`a:;` (empty groups)", "a:;", ""),
    "from-email-nested-groups": ("`g:` (groups nested to the depth cap)", "g:", ""),
    "from-email-names-one-mailbox": ("`a, ` then `b <c@d.example>` (names merged)", "a, ", "b <c@d.example>"),
}


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


class _RunningSink:
    """`smtp-connector sink` on a free port; its peak RSS in MB once stopped (Linux)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.peak_mb = 0.0

    def __enter__(self) -> _RunningSink:
        import socket

        command, env = _command()
        self.proc = subprocess.Popen(
            [*command, "sink", "--port", str(self.port), "--dir", str(self.folder / "mail")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.proc.kill()
                    raise SystemExit("the sink did not start") from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        # Linux's VmHWM of the live process. Not wait4's ru_maxrss: that starts from this process's RSS at
        # the fork (the messages built here), not from the sink's own.
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        self.peak_mb = int(status.split("VmHWM:")[1].split()[0]) * 1024 / 1e6
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def send(self, wire: bytes) -> str:
        """One transaction on a raw socket, ``wire`` being the DATA as sent (dot-stuffed); the final reply."""
        import socket

        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as sock:
            replies = sock.makefile("rb")

            def reply() -> str:
                while (line := replies.readline().decode())[3:4] == "-":
                    pass
                return line

            reply()
            for command in (b"EHLO bench", b"MAIL FROM:<a@example.com>", b"RCPT TO:<b@example.com>", b"DATA"):
                sock.sendall(command + b"\r\n")
                reply()
            sock.sendall(wire + b".\r\n")
            final = reply()
            sock.sendall(b"QUIT\r\n")
        return final

    def forget(self) -> None:
        """Remove the stored messages (the disk a run of 10 MiB messages would fill)."""
        for stored in (self.folder / "mail").glob("*.eml"):
            stored.unlink()


def _sink_shapes() -> dict[str, tuple[str, bytes, str]]:
    """The messages that cost the sink most per byte, at its size cap: (title, DATA as sent, expected code)."""
    from connector.sink import MAX_SIZE

    head = b"Subject: worst\r\nContent-Type: text/html\r\n\r\n"

    def filled(line: bytes, start: bytes = b"") -> bytes:
        body = line * ((MAX_SIZE - len(start)) // len(line))
        return (
            start
            + body
            + b"x" * (MAX_SIZE - len(start) - len(body) - 2)
            + b"\r\n"[: MAX_SIZE - len(start) - len(body)]
        )

    return {
        "sink-unclosed-tags": ("10 MiB HTML body of unclosed <", filled(b"<" * 998 + b"\r\n", head), "250"),
        "sink-blank-lines": ("10 MiB of blank lines", b"\r\n" * (MAX_SIZE // 2), "250"),
        "sink-short-lines": ("10 MiB of one-character lines", b"7\r\n" * (MAX_SIZE // 3), "250"),
        "sink-stuffed-dots": ("10 MiB of lines of a dot (stuffed)", b"..\r\n" * (MAX_SIZE // 4), "250"),
        "sink-wide-text": (
            "one emoji in 10 MiB of plain text",
            filled(
                b"z" * 98 + b"\r\n", b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xf0\x9f\x99\x82\r\n"
            ),
            "250",
        ),
        "sink-long-line": ("one 10 MiB line (refused: 500)", b"q" * (MAX_SIZE - 2) + b"\r\n", "500"),
        "sink-over-cap": ("blank lines, a byte over the cap (552)", b"\r\n" * (MAX_SIZE // 2 + 1), "552"),
    }


def _sink_case(name: str) -> Callable[[Path, int], Case]:
    """One worst message at a time: the whole transaction timed (connect to the reply after DATA, storing
    and summarising included), and the sink's peak RSS over the runs."""

    def case(folder: Path, repeat: int) -> Case:
        title, wire, code = _sink_shapes()[name]
        with _RunningSink(folder) as sink:
            runs = []
            for _ in range(repeat + 1):
                start = time.perf_counter()
                reply = sink.send(wire)
                runs.append(time.perf_counter() - start)
                sink.forget()
                assert reply.startswith(code), reply
        return Case(f"sink: {title}", statistics.median(runs[1:]), len(wire), peak_mb=sink.peak_mb)

    return case


def sink_all_clients(folder: Path, repeat: int) -> Case:
    """As many clients as the sink serves at once (20), each sending one of the worst messages: the time
    until the last reply, and the sink's peak RSS (docs/security.md states 160 MB)."""
    import threading

    from connector.sink import MAX_CONNECTIONS

    shapes = list(_sink_shapes().values())
    messages = [shapes[i % len(shapes)] for i in range(MAX_CONNECTIONS)]
    with _RunningSink(folder) as sink:
        replies: list[str] = []
        start = time.perf_counter()
        threads = [
            threading.Thread(target=lambda w=wire: replies.append(sink.send(w))) for _, wire, _ in messages
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
    assert sorted(r[:3] for r in replies) == sorted(code for _, _, code in messages), replies
    return Case(
        f"sink: {MAX_CONNECTIONS} clients at once, one worst message each", seconds,
        sum(len(wire) for _, wire, _ in messages), "(all together)", budget=BUDGET_S * MAX_CONNECTIONS,
        peak_mb=sink.peak_mb,
    )  # fmt: skip


# pull: the largest template store the Management API client takes (PULL_STORE_BYTES of template text),
# and hostile names. Logto is the tests' stand-in (tests/logto_server.py) on loopback.
PULL_STORE_BYTES = 4 * 1024 * 1024
PULL_HOSTILE_NAMES = 10_000
_ENDRAWS = "".join(
    f"{a}{s}endraw{s}{b}" for a in ("{%", "{%-", "{%+") for b in ("%}", "-%}", "+%}") for s in ("", " ")
)


def _pull_case(title: str, live: Callable[[Any], int], expect: int) -> Callable[[Path, int], Case]:
    """``pull`` of what ``live(fake)`` puts in a stand-in Logto (it returns the bytes of template text)."""

    def case(folder: Path, repeat: int) -> Case:
        from tests.logto_server import FakeLogto, start

        fake = FakeLogto()
        server = start(fake)
        try:
            size = live(fake)
            env = {"LOGTO_ENDPOINT": fake.url, "LOGTO_M2M_APP_ID": fake.app_id,
                   "LOGTO_M2M_APP_SECRET": fake.app_secret}  # fmt: skip
            command, base = _command()
            probe = subprocess.run(
                [*command, "pull", str(folder / "probe")],
                env=base | env,
                capture_output=True,
                timeout=TIMEOUT,
            )
            if probe.returncode != expect:
                raise SystemExit(
                    f"{title}: pull exited {probe.returncode}, not {expect}: {probe.stderr[-500:]!r}"
                )
            run = measured(lambda number: ["pull", str(folder / f"out{number}")], repeat, env=env)
        finally:
            server.shutdown()
            server.server_close()
        seconds, peak, detail = run.seconds, run.peak_mb, f"CPU {run.cpu:.2f} s"
        return Case(title, seconds, size, detail, peak_mb=peak)

    return case


def _pull_config(content: str) -> dict[str, Any]:
    templates = [
        {"usageType": t, "contentType": "text/html", "subject": f"{t} code", "content": content}
        for t in ("SignIn", "Register", "ForgotPassword", "Generic")
    ]
    return {"host": "smtp.example.com", "port": 587, "auth": {"user": "u", "pass": "pw-bench-1"},
            "fromEmail": "Bench <mail@example.com>", "templates": templates}  # fmt: skip


def _pull_largest_store(fake: Any) -> int:
    """Every template's text made of every `endraw` form (so of `{%`), spread over 4 types x 64 languages."""
    from tests.logto_server import SMTP_ID

    per = PULL_STORE_BYTES // (4 * 65)
    text = (_ENDRAWS + "<p>{{code}}</p>\r\n" + "x" * 200) * (per // (len(_ENDRAWS) + 220))
    fake.add_connector(SMTP_ID, _pull_config(text))
    for i in range(64):
        for kind in ("SignIn", "Register", "ForgotPassword", "Generic"):
            fake.add_template(f"de-x{i}", kind, {"subject": "S", "content": text, "contentType": "text/html"})
    return len(text) * 4 * 65


def _pull_dense_tags(fake: Any) -> int:
    """Each connector template is nothing but tag starts, CRs, quotes, backslashes and NULs, as much as a
    `{text:}` file takes (written byte for byte) and one answer of the client holds."""
    from connector.deploy.client import MAX_ANSWER
    from connector.source.loader import MAX_BYTES
    from tests.logto_server import SMTP_ID

    unit = "{%+ endraw -%}\r\n'\"\\\x00"
    # As much as a file takes, and as the client takes in one answer: Logto sends the four texts JSON-escaped
    # (a NUL as six bytes), in one answer to GET /api/connectors (64 KiB left for the rest of it).
    escaped = len(json.dumps(unit, ensure_ascii=False).encode()) - 2
    text = unit * min((MAX_BYTES - 64) // len(unit.encode()), (MAX_ANSWER - 65536) // (4 * escaped))
    fake.add_connector(SMTP_ID, _pull_config(text))
    return len(text) * 4


def _pull_hostile_names(fake: Any) -> int:
    """PULL_HOSTILE_NAMES store entries whose language tags cannot name a folder: one SC014 each."""
    from tests.logto_server import SMTP_ID

    fake.add_connector(SMTP_ID, _pull_config("<p>{{code}}</p>"))
    bad = ("../x{}", "a/{}", "nul.{}", "t\x00{}", "z{}.", "c:{}")
    for i in range(PULL_HOSTILE_NAMES):
        fake.add_template(bad[i % len(bad)].format(i), "SignIn", {"subject": "S", "content": "c"})
    return sum(len(t["languageTag"]) for t in fake.templates)


PULL_SECRETS = 8_000


def _pull_many_secrets(fake: Any) -> int:
    """PULL_SECRETS DKIM keys in the connector (a list, which Logto saves): each a secret to register and a
    variable to name; the names were probed from _2 on for each (8,000: 14 s). Refused at the round trip."""
    from tests.logto_server import SMTP_ID

    config = _pull_config("<p>{{code}}</p>")
    config["dkim"] = [
        {"domainName": "example.com", "keySelector": f"s{i}", "privateKey": f'k-{i:06d}-"pem"'}
        for i in range(PULL_SECRETS)
    ]
    fake.add_connector(SMTP_ID, config)
    return sum(len(d["privateKey"]) for d in config["dkim"])


def _batch_line(i: int, bad: bool, pad: int = 0) -> str:
    to = f"user{i}.example.com" if bad else f"user{i}@example.com"
    payload: dict[str, object] = {"code": f"{i:06d}", "application": {"name": "Shop"}}
    if pad:
        payload["note"] = "n" * pad
    return json.dumps({"to": to, "type": "SignIn", "payload": payload}) + "\n"


def _batch_lines(count: int, bad: Callable[[int, int], bool]) -> str:
    return "".join(_batch_line(i, bad(i, count)) for i in range(count))


def _batch_config(folder: Path) -> Path:
    return _write_json(folder / "logto.json", _final_config(host="127.0.0.1", port=9))


def _batch_args(config: Path, batch: Path, folder: Path) -> list[str]:
    return ["send", str(config), "--batch", str(batch), "--dry-run", str(folder / "out")]


def _batch(title: str, bad: Callable[[int, int], bool]) -> Callable[[Path, int], Case]:
    """``send --batch`` of BATCH_LINES lines, refused by the check before connecting (nothing is sent or
    written): linear in the lines, whatever their mistakes. Timed at a tenth of the size too: a ratio
    near 10 is linear, near 100 quadratic."""

    def case(folder: Path, repeat: int) -> Case:
        config = _batch_config(folder)
        runs = []
        for count in (BATCH_LINES // 10, BATCH_LINES):
            batch = folder / f"batch-{count}.jsonl"
            batch.write_text(_batch_lines(count, bad), encoding="utf-8")
            runs.append(measured(_batch_args(config, batch, folder), repeat))
        assert not (folder / "out").exists()
        tenth, whole = runs
        return Case(
            title, whole.seconds, batch.stat().st_size, f"(CPU {whole.cpu:.2f} s; {BATCH_LINES // 10:,} lines: "
            f"{tenth.seconds:.2f} s; x{whole.seconds / tenth.seconds:.1f} for 10x the lines)",
            budget=BATCH_BUDGET_S, peak_mb=max(tenth.peak_mb, whole.peak_mb), unit="100,000 lines",
        )  # fmt: skip

    return case


def batch_at_the_cap(folder: Path, repeat: int) -> Case:
    """A batch of short lines up to the 256 MiB cap, the last one bad: every line read and checked, in
    memory that does not grow with the file. Time per 100,000 lines."""
    from connector.mail.json_lines import MAX_BATCH_BYTES

    batch = folder / "batch.jsonl"
    lines = 0
    block = _batch_lines(10_000, lambda i, count: False)
    with batch.open("w", encoding="utf-8") as fh:
        while (lines // 10_000 + 2) * len(block) < MAX_BATCH_BYTES:
            fh.write(block)
            lines += 10_000
        fh.write(_batch_line(lines, True))
        lines += 1
    run = measured(_batch_args(_batch_config(folder), batch, folder), 1, warm_up=False)  # 30 s a run
    return Case(
        "send --batch: short lines up to the 256 MiB cap, the last bad", run.seconds * BATCH_LINES / lines,
        batch.stat().st_size, f"({lines:,} lines in {run.seconds:.1f} s, CPU {run.cpu:.1f} s)",
        budget=BATCH_BUDGET_S, peak_mb=run.peak_mb, unit="100,000 lines",
    )  # fmt: skip


def _batch_of_long_lines(title: str, line: Callable[[int], str], count: int) -> Callable[[Path, int], Case]:
    """``count`` lines each at the 1 MiB line cap: time per MiB (the positional reader's unit, as lint's)."""

    def case(folder: Path, repeat: int) -> Case:
        batch = folder / "batch.jsonl"
        batch.write_text("".join(line(i) for i in range(count)), encoding="utf-8")
        size = batch.stat().st_size
        run = measured(_batch_args(_batch_config(folder), batch, folder), min(repeat, 1), warm_up=False)
        mib = size / (1024 * 1024)
        return Case(
            title, run.seconds / mib, size, f"({count} lines in {run.seconds:.1f} s, CPU {run.cpu:.1f} s)",
            budget=BATCH_BUDGET_S, peak_mb=run.peak_mb, unit="MiB",
        )  # fmt: skip

    return case


def _at_line_cap(head: str, item: str, tail: str) -> str:
    from connector.mail.json_lines import MAX_LINE_BYTES

    count = (MAX_LINE_BYTES - len(head) - len(tail)) // (len(item) + 1)
    return head + ",".join([item] * count) + tail + "\n"


def _surrogates_line(i: int) -> str:
    """Lone surrogates, one per string, as many as fit in the line cap: the most findings per byte."""
    head = f'{{"to": "s{i}@example.com", "type": "SignIn", "payload": {{"list": ['
    return _at_line_cap(head, '"\\udfff"', "]}}")


def _bad_json_line(i: int) -> str:
    """Empty lists up to the cap and no closing brace: the positional reader reads it all to place the
    JSON error at its end."""
    return _at_line_cap(f'{{"to": "j{i}@example.com", "type": "SignIn", "payload": {{"list": [', "[]", "]}")


def _big_good_line(i: int) -> str:
    """A valid message at the line cap (one long string): read, parsed and checked whole."""
    from connector.mail.json_lines import MAX_LINE_BYTES

    return _batch_line(i, False, MAX_LINE_BYTES - len(_batch_line(i, False, 1)))


def _lint(title: str, make: Callable[[Path], Path]) -> Callable[[Path, int], Case]:
    def case(folder: Path, repeat: int) -> Case:
        target = make(folder)
        size = sum(p.stat().st_size for p in ([target] if target.is_file() else target.rglob("*")))
        return Case(title, measured(["lint", str(target)], repeat).seconds, size)

    return case


def many_secrets(folder: Path, *, escaped: bool) -> Path:
    """A final config whose `auth.pass` is a list of as many distinct 4-character values as the 1 MiB cap
    holds (each one a secret to register), or of 5-character ones with a quote, which JSON escapes and
    percent-encoding changes (each registered in several forms)."""
    data = _final_config()
    base = len(json.dumps(data, separators=(",", ":")))
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    size = 10 if escaped else 7  # "abcd\"", or "abcd",
    count = (MAX_BYTES - MARGIN - base) // size
    values = ["".join(chars) for chars in itertools.islice(itertools.product(alphabet, repeat=4), count)]
    auth = data["auth"]
    assert isinstance(auth, dict)
    auth["pass"] = [f'{v}"' for v in values] if escaped else values
    return _write_json(folder / "config.json", data, separators=(",", ":"))


def _lint_peak(title: str, make: Callable[[Path], Path]) -> Callable[[Path, int], Case]:
    """Lint of one generated file, timed and with its peak memory."""

    def case(folder: Path, repeat: int) -> Case:
        target = make(folder)
        run = measured(["lint", str(target)], repeat)
        return Case(title, run.seconds, target.stat().st_size, peak_mb=run.peak_mb)

    return case


def _lint_secrets(title: str, escaped: bool) -> Callable[[Path, int], Case]:
    """Lint of a config made of secret values; before, registering them was quadratic (10,000: 7 s)."""
    return _lint_peak(title, lambda folder: many_secrets(folder, escaped=escaped))


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
    seconds = measured(["init", "email", "--provider", "gmail"], repeat, cwd=folder).seconds
    return Case("init: .pre-commit-config.yaml of nested aliases (12 ** 12)", seconds, config.stat().st_size)


# The hostile inputs above are also linted by tests/test_worst_cases.py (that they are handled, not how fast).
CASES: dict[str, Callable[[Path, int], Case]] = {
    "unclosed-comment-final": _lint("lint: unclosed <!-- in an HTML template", unclosed_comment_final),
    "unclosed-comment-j2": _lint("lint: unclosed <!-- in a .html.j2 file", unclosed_comment_j2),
    "spaced-from-email": _lint("lint: fromEmail of a + spaces + b@example.com", spaced_from_email),
    "separators-from-email": _lint("lint: fromEmail of 1 MiB of `;` (address tokens)", separators_from_email),
    **{
        name: _lint_peak(f"lint: fromEmail of {title} repeated", repeated_from_email(unit, tail))
        for name, (title, unit, tail) in FROM_EMAIL_UNITS.items()
    },
    "unknown-keys-one-line": _lint(
        "lint: one-line JSON of unknown keys (suppression lookup)", unknown_keys_one_line
    ),
    "lint-many-secrets": _lint_secrets("lint: 1 MiB of secret values (148,000 registered)", escaped=False),
    "lint-many-escaped-secrets": _lint_secrets("lint: 1 MiB of secret values written escaped", escaped=True),
    **{name: _sink_case(name) for name in _sink_shapes()},
    "sink-all-clients": sink_all_clients,
    "batch-checked-whole": _batch(
        "send --batch: 100,000 lines, the last one bad", lambda i, count: i == count - 1
    ),
    "batch-every-line-bad": _batch("send --batch: 100,000 lines, every one bad", lambda i, count: True),
    "pull-largest-store": _pull_case(
        "pull: 4 MiB store, every text made of endraw forms", _pull_largest_store, 0
    ),
    "pull-dense-tags": _pull_case(
        "pull: templates of {%, CR, quotes, NUL, up to the answer cap", _pull_dense_tags, 0
    ),
    "pull-hostile-names": _pull_case(
        f"pull: {PULL_HOSTILE_NAMES:,} store entries with hostile tags (SC014)", _pull_hostile_names, 1
    ),
    "pull-many-secrets": _pull_case(
        f"pull: {PULL_SECRETS:,} secret values at one path (DKIM keys)", _pull_many_secrets, 1
    ),
    "batch-at-the-cap": batch_at_the_cap,
    "batch-long-lines": _batch_of_long_lines(
        "send --batch: 64 good lines at the 1 MiB line cap, then a bad one",
        lambda i: _big_good_line(i) if i < 64 else _batch_line(i, True),
        65,
    ),
    "batch-surrogates": _batch_of_long_lines(
        "send --batch: 8 lines of 1 MiB of lone surrogates", _surrogates_line, 8
    ),
    "batch-bad-json": _batch_of_long_lines(
        "send --batch: 8 lines of 1 MiB, a JSON error at the end of each", _bad_json_line, 8
    ),
    "init-alias-bomb": init_alias_bomb,
}
# The deploy client group: the worst answers a server can give, at the client's caps.
from benchmarks.bench_deploy_client import CASES as DEPLOY_CLIENT_CASES  # noqa: E402

CASES.update(DEPLOY_CLIENT_CASES)


def selected(names: list[str] | None) -> list[str]:
    """Every case, or those named; a group (``sink``, ``batch``) names every case called ``sink-…``."""
    if not names:
        return list(CASES)
    chosen = [case for name in names for case in CASES if case == name or case.startswith(name + "-")]
    unknown = [name for name in names if not any(c == name or c.startswith(name + "-") for c in CASES)]
    if unknown:
        raise SystemExit(f"no such case or group: {', '.join(unknown)} (cases: {', '.join(CASES)})")
    return list(dict.fromkeys(chosen))


def measure(tmp: Path, repeat: int, only: list[str] | None = None) -> list[Case]:
    cases = []
    for name in selected(only):
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
        per = f" per {case.unit}" if case.unit else ""
        memory = f"  {case.peak_mb:5.0f} MB (<= {MEMORY_BUDGET_MB})" if case.peak_mb is not None else ""
        print(f"{case.name:58} {shown}{case.seconds:7.2f} s{per}  {case.size:>9,} B  < {case.budget:g} s: {verdict}"
              f"{memory}  {case.detail}")  # fmt: skip
    return 0 if all(c.met for c in cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
