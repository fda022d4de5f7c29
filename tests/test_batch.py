"""Batches: checked whole before connecting (docs/runtime.md), and progress on a terminal only.

Against a real aiosmtpd server on 127.0.0.1; the progress tests run the real command in a subprocess whose
stderr is a pseudo-terminal (os.openpty), or a pipe.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.cli.commands.send import ProgressLine
from connector.errors import InputError
from connector.mail.batch import check_batch, read_batch
from connector.mail.progress import Progress, ProgressTracker
from connector.mail.send import Job, Result, prepare
from connector.schema.models import ConnectorConfig

from .conftest import ROOT, CliRunner
from .smtp_fixtures import Script, ServerFactory, logto_config, write_config


def _line(to: str, usage_type: str = "SignIn", **payload: Any) -> dict[str, Any]:
    return {"to": to, "type": usage_type, "payload": {"code": "123456", **payload}}


def _write(path: Path, lines: list[dict[str, Any]] | list[str]) -> Path:
    texts = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("".join(text + "\n" for text in texts), encoding="utf-8")
    return path


# --- checked whole ---------------------------------------------------------------------------------


def test_a_bad_address_on_line_3_of_5_sends_nothing(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    lines = [_line(f"u{i}@example.com") for i in range(5)]
    lines[2]["to"] = "u2.example.com"
    batch = _write(tmp_path / "b.jsonl", lines)
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    result = cli("send", str(config), "--batch", str(batch), expect=1)
    assert result.stdout == ""
    assert result.stderr == (
        f"{batch}:3:8: error SC405 \"to\" is not an email address: 'u2.example.com' "
        "(hint: write it like a@example.com or Name <a@example.com>)\n"
        f"smtp-connector: {batch}: 1 of 5 messages would fail; nothing was sent\n"
    )
    assert server.messages == []
    assert not (tmp_path / "b.failed.jsonl").exists()


def test_every_bad_line_is_reported_not_just_the_first(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    lines: list[str] = [
        json.dumps(_line("a@example.com")),
        json.dumps(_line("b@example.com, c@example.com")),  # two addresses
        '{"to": "d@example.com", "type": "SignIn", "payload": {"code": 1,}}',  # JSON
        json.dumps(_line("e@example.com", "Signin")),  # a type Logto never sends
        json.dumps(_line("f@example.com")),
        json.dumps({"to": "g@example.com", "payload": {}}),  # no type
        json.dumps(_line("h@example.com", application={"name": "A\r\nBcc: x@example.com"})),  # fills a header
        json.dumps(_line("i@example.com", code={"toString": "x"})),  # Logto's String() throws
    ]
    batch = _write(tmp_path / "b.jsonl", lines)
    # The SignIn template puts {{application.name}} in the sender: a payload value becomes a header.
    config = logto_config(server.port)
    config["templates"][0]["sendFrom"] = "{{application.name}} <no-reply@acme.test>"
    path = write_config(tmp_path / "logto.json", config)
    result = cli("send", str(path), "--batch", str(batch), "--dry-run", str(tmp_path / "out"), expect=1)
    places = [line.split(" ")[0] for line in result.stderr.splitlines()[:-1]]
    col = {n: lines[n - 1].index('"payload"') + 12 for n in (7, 8)}
    assert places == [
        f"{batch}:2:8:",
        f"{batch}:3:{lines[2].index(',}') + 2}:",  # the `}` after the trailing comma
        f"{batch}:4:33:",
        f"{batch}:6:1:",
        f"{batch}:7:{col[7]}:",
        f"{batch}:8:{col[8]}:",
    ]
    assert [line.split(" ")[2] for line in result.stderr.splitlines()[:-1]] == [
        "SC405", "SC004", "SC101", "SC203", "SC408", "SC202",
    ]  # fmt: skip
    assert result.stderr.endswith(f"{batch}: 6 of 8 messages would fail; nothing was sent\n")
    assert not (tmp_path / "out").exists()
    assert server.messages == []
    # Fixed, the same file sends every message.
    fixed = [json.dumps(_line(f"{c}@example.com")) for c in "abcdefgh"]
    _write(batch, fixed)
    result = cli("send", str(path), "--batch", str(batch), expect=0)
    assert [json.loads(line)["status"] for line in result.stdout.splitlines()] == ["sent"] * 8
    assert len(server.messages) == 8


def test_what_only_the_server_decides_stays_per_message(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    # A recipient the server refuses is not knowable before sending: that message fails alone.
    server = smtp_server(script=Script(rcpt_replies=[None, "550 5.1.1 no such user"]))
    batch = _write(tmp_path / "b.jsonl", [_line(f"u{i}@example.com") for i in range(3)])
    path = write_config(tmp_path / "logto.json", logto_config(server.port))
    result = cli("send", str(path), "--batch", str(batch), "--attempts", "1", expect=1)
    assert [json.loads(line)["status"] for line in result.stdout.splitlines()] == ["sent", "failed", "sent"]
    assert len(server.messages) == 2
    assert [json.loads(line)["to"] for line in (tmp_path / "b.failed.jsonl").read_text().splitlines()] == [
        "u1@example.com"
    ]


def test_a_non_ascii_recipient_is_not_refused_up_front(tmp_path: Path) -> None:
    # Whether it can be sent depends on the server (SMTPUTF8): tests/test_send_bounded.py sends it.
    batch = read_batch(_write(tmp_path / "b.jsonl", [_line("josé@example.com"), _line("a@bücher.example")]))
    assert batch.findings == ()
    config = ConnectorConfig.model_validate(logto_config(25))
    assert check_batch(config, batch) == []


def test_a_big_batch_is_read_and_checked_in_one_pass(tmp_path: Path) -> None:
    # Linear: every line is parsed once; positions are worked out only for the lines with a finding.
    # (benchmarks/bench_worst.py times 100,000 lines; no timed assertion here.)
    count = 20_000
    lines = [json.dumps(_line(f"user{i}@example.com")) for i in range(count)]
    lines[count // 2] = json.dumps(_line("nobody"))
    batch = read_batch(_write(tmp_path / "big.jsonl", lines))
    assert batch.total == count and batch.messages == count - 1 and batch.bad == 1
    assert [(f.line, f.column, f.rule) for f in batch.findings] == [(count // 2 + 1, 8, "SC405")]
    config = ConnectorConfig.model_validate(logto_config(25))
    assert check_batch(config, batch) == []


# --- progress ----------------------------------------------------------------------------------------


def _result(status: str) -> Result:
    return Result("a@example.com", "SignIn", status, None, "", 1)  # type: ignore[arg-type]


def test_the_tracker_reports_at_most_once_per_interval() -> None:
    now = [100.0]
    events: list[Progress] = []
    tracker = ProgressTracker(10, events.append, interval=0.2, clock=lambda: now[0])
    for status, at in [
        ("sent", 100.1),
        ("failed", 100.2),
        ("sent", 100.3),
        ("sent", 100.39),
        ("sent", 100.4),
    ]:
        now[0] = at
        tracker.add(_result(status))
    # Nothing before the first interval (a short batch shows nothing), then one event per interval.
    assert [(e.done, e.failed, round(e.elapsed, 2)) for e in events] == [(2, 1, 0.2), (5, 1, 0.4)]


def test_progress_rate_and_time_left() -> None:
    assert Progress(0, 10, 0, 0.0).rate == 0.0
    assert Progress(5, 10, 0, 2.0).rate == 2.5
    assert Progress(5, 10, 0, 2.0).eta == 2.0
    assert Progress(5, 10, 0, 0.99).eta is None  # under a second: no rate worth extrapolating
    assert Progress(10, 10, 0, 5.0).eta is None  # done
    assert Progress(0, 10, 0, 5.0).eta is None


def _send_batch(
    tmp_path: Path,
    port: int,
    count: int,
    *options: str,
    tty: bool,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """Run the real command; stderr on a pseudo-terminal (``tty``) or a pipe. (exit code, stdout, stderr)"""
    batch = _write(tmp_path / "b.jsonl", [_line(f"u{i}@example.com") for i in range(count)])
    path = write_config(tmp_path / "logto.json", logto_config(port))
    args = [
        sys.executable,
        "-m",
        "connector",
        "send",
        str(path),
        "--batch",
        str(batch),
        "--attempts",
        "1",
        *options,
    ]
    full_env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update({"PYTHONPATH": str(ROOT), "TERM": "xterm", **(env or {})})
    if not tty:
        proc = subprocess.run(args, capture_output=True, text=True, env=full_env, timeout=120, check=False)
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = os.openpty()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, env=full_env)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert child.stdout is not None
    stdout = child.stdout.read().decode()
    child.wait(timeout=120)
    os.close(master)
    return child.returncode, stdout, b"".join(chunks).decode()


@pytest.fixture
def slow_server(smtp_server: ServerFactory) -> int:
    # 20 ms per message: a 40-message batch takes about a second, long enough for several redraws.
    return smtp_server(script=Script(rcpt_replies=[None, "550 5.1.1 no such user"], data_delay=0.02)).port


def test_progress_is_drawn_on_a_terminal_and_cleared_at_the_end(tmp_path: Path, slow_server: int) -> None:
    started = time.monotonic()
    code, stdout, stderr = _send_batch(tmp_path, slow_server, 40, tty=True)
    elapsed = time.monotonic() - started
    assert code == 1
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert len(rows) == 40 and [r["status"] for r in rows].count("failed") == 1
    draws = [part for part in stderr.split("\r") if " sent (" in part]
    assert draws, stderr
    if elapsed > 2:  # a loaded machine still gets at least one redraw; a quiet one several
        assert len(draws) >= 2
    first = draws[0]
    assert first.startswith(tuple(f"{n}/40 sent (" for n in range(1, 41))), first
    assert "/s, " in first and "1 failed" in first
    assert "\x1b[31m1 failed\x1b[0m" in first  # red on a terminal
    # Erased before the summary: the last thing on the terminal is the summary on a line of its own.
    assert stderr.endswith("\r\x1b[Ksmtp-connector: 39 of 40 sent, 1 failed; to send them again: --batch "
                           f"{tmp_path / 'b.failed.jsonl'}\r\n")  # fmt: skip


@pytest.mark.parametrize(("options", "env"), [((), {"NO_COLOR": "1"}), (("--color", "never"), {})])
def test_no_colour_under_no_color_or_color_never(
    tmp_path: Path, slow_server: int, options: tuple[str, ...], env: dict[str, str]
) -> None:
    _, _, stderr = _send_batch(tmp_path, slow_server, 40, *options, tty=True, env=env)
    assert " sent (" in stderr and "1 failed" in stderr
    assert "\x1b[31m" not in stderr


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path, slow_server: int) -> None:
    code, stdout, stderr = _send_batch(tmp_path, slow_server, 40, tty=False)
    assert code == 1 and len(stdout.splitlines()) == 40
    assert "\r" not in stderr and "\x1b" not in stderr and " sent (" not in stderr
    assert stderr == (
        f"smtp-connector: 39 of 40 sent, 1 failed; to send them again: --batch {tmp_path / 'b.failed.jsonl'}\n"
    )


# --- the check and the send agree ---------------------------------------------------------------------

_VALUES = st.one_of(
    st.sampled_from(
        ["Shop", "A\r\nBcc: x@example.com", "a\u2028b", "", "x@example.com", "Acme, Inc.", "<", '"']
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
    st.integers(),
    st.none(),
    st.lists(st.sampled_from(["a", "b\n"]), max_size=2),
    st.fixed_dictionaries({"toString": st.just("x")}),
    st.fixed_dictionaries({"name": st.sampled_from(["n", "n\r\n"])}),
)
_RECIPIENTS = st.sampled_from(
    [
        "a@example.com",
        "Bob <b@example.com>",
        "a@b, c@d",
        "nobody",
        "a@bücher.example",
        "x@y\n",
        '"A, B" <a@b.c>',
    ]
)


@given(
    st.lists(
        st.tuples(
            _RECIPIENTS,
            st.sampled_from(["SignIn", "Register", "Generic"]),
            st.dictionaries(st.sampled_from(["code", "application", "user", "link"]), _VALUES, max_size=3),
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_line_is_refused_up_front_exactly_when_its_message_would_fail(
    lines: list[tuple[str, str, dict[str, Any]]],
) -> None:
    # docs/runtime.md: a line that passes the check is not refused later for its own values, and a line
    # whose message cannot be built is found before anything is sent.
    config = logto_config(25)
    for template in config["templates"]:
        template["sendFrom"] = "{{application.name}} <no-reply@acme.test>"
        template["replyTo"] = "{{user.name}}"
        template["subject"] = "Code {{code}} for {{application}}"
    model = ConnectorConfig.model_validate(config)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.jsonl"
        path.write_text(
            "".join(
                json.dumps({"to": to, "type": t, "payload": p}, ensure_ascii=False) + "\n"
                for to, t, p in lines
            ),
            encoding="utf-8",
        )
        batch = read_batch(path)
        refused = {f.line for f in [*batch.findings, *check_batch(model, batch)]}
    for number, (to, usage_type, payload) in enumerate(lines, 1):
        try:
            prepare(model, Job(to, usage_type, payload))
        except InputError:
            fails = True
        else:
            fails = False
        assert (number in refused) == fails, (number, to, payload)


def test_the_progress_line_text() -> None:
    line = ProgressLine(io.StringIO(), "sent", color=False, shares_screen=False)
    line.width = 80
    assert line.line(Progress(240, 1000, 2, 3.0)) == "240/1000 sent (24%), 80.0/s, 2 failed, about 0:10 left"
    assert (
        line.line(Progress(999, 1000, 0, 10.0)) == "999/1000 sent (99%), 99.9/s, 0 failed"
    )  # 0:00 left: not shown
    assert (
        line.line(Progress(10, 100_000, 0, 0.5)) == "10/100000 sent (0%), 20.0/s, 0 failed"
    )  # no rate worth it yet
    line.width = 30  # wider than the terminal: it would wrap, and \r would redraw only the last row
    assert line.line(Progress(240, 1000, 2, 3.0)) == "240/1000 sent (24%), 80.0/s"
    line.width = 12
    assert line.line(Progress(240, 1000, 2, 3.0)) == "240/1000 se"
    red = ProgressLine(io.StringIO(), "written", color=True, shares_screen=False)
    red.width = 80
    assert red.line(Progress(5, 10, 1, 0.5)) == "5/10 written (50%), 10.0/s, \x1b[31m1 failed\x1b[0m"
    assert red.line(Progress(5, 10, 0, 0.5)) == "5/10 written (50%), 10.0/s, 0 failed"


def test_the_progress_line_steps_aside_for_result_lines_on_the_same_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm")  # the erase escape; a dumb terminal's spaces are tested below
    stream = io.StringIO()
    line = ProgressLine(stream, "sent", color=False, shares_screen=True)
    line.hide()  # nothing drawn yet: nothing to erase
    line.draw(Progress(1, 2, 0, 0.2))
    line.hide()
    line.show()
    line.clear()
    line.show()  # cleared: not drawn again
    assert (
        stream.getvalue()
        == "\r1/2 sent (50%), 5.0/s, 0 failed\x1b[K\r\x1b[K\r1/2 sent (50%), 5.0/s, 0 failed\x1b[K\r\x1b[K"
    )


def test_a_dumb_terminal_gets_spaces_instead_of_an_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    stream = io.StringIO()
    line = ProgressLine(stream, "sent", color=False, shares_screen=False)
    line.draw(Progress(11, 20, 0, 1.0))
    line.draw(Progress(19, 20, 0, 1.0))  # shorter: padded over the old text
    line.clear()
    first, second = (
        "11/20 sent (55%), 11.0/s, 0 failed, about 0:01 left",
        "19/20 sent (95%), 19.0/s, 0 failed",
    )
    pad = " " * (len(first) - len(second))
    assert stream.getvalue() == f"\r{first}\r{second}{pad}\r{' ' * len(second)}\r"
    assert "\x1b" not in stream.getvalue()
