"""Nothing half-written: every output goes through connector.atomic, and a failed or interrupted write
leaves the old file (or no file) in place, with no temporary file behind.

The failures are made where the operating system would make them: the data cannot be flushed to disk
(ENOSPC while writing), the final rename fails, or Ctrl-C arrives in the middle of the write.
"""

from __future__ import annotations

import json
import os
import smtplib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connector import atomic
from connector.errors import InputError
from connector.preview import write_gallery
from connector.sink import Sink

from .conftest import CliRunner
from .smtp_fixtures import Script, ServerFactory, logto_config, write_config

OLD = b"the old file\n"


def _raise(error: BaseException) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


def _failing_fdopen(error: BaseException) -> Callable[..., Any]:
    """os.fdopen whose file fails to write, as a full disk does (the temporary file exists by then)."""
    real = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real(fd, *args, **kwargs)
        if "w" not in (args[0] if args else kwargs.get("mode", "r")):
            return handle

        class Failing:
            def __enter__(self) -> Failing:
                return self

            def __exit__(self, *exc: object) -> None:
                handle.close()

            def write(self, data: Any) -> int:
                handle.write(data[: len(data) // 2])  # half of it lands, then the disk is full
                raise error

            def __getattr__(self, name: str) -> Any:
                return getattr(handle, name)  # reading (the loader uses fdopen too), flush, fileno

        return Failing()

    return fdopen


FAILURES = {
    "disk full while writing": ("fdopen", _failing_fdopen(OSError(28, "No space left on device"))),
    "rename refused": ("replace", _raise(OSError(13, "Permission denied"))),
    "interrupted (Ctrl-C)": ("fdopen", _failing_fdopen(KeyboardInterrupt())),
}


@pytest.fixture(params=sorted(FAILURES))
def failing_writes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make every atomic write from now on fail the chosen way."""
    name, replacement = FAILURES[request.param]

    def arm() -> None:
        monkeypatch.setattr(os, name, replacement)

    return arm


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.mark.parametrize("private", [False, True])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, failing_writes: Callable[[], None], private: bool
) -> None:
    target = tmp_path / "config.json"
    target.write_bytes(OLD)
    failing_writes()
    with pytest.raises((InputError, KeyboardInterrupt)) as raised:
        atomic.write_bytes(target, b"new", private=private)
    if isinstance(raised.value, InputError):
        assert str(raised.value).startswith(f"cannot write {target}: ")
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_a_reader_sees_the_old_file_or_the_new_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "config.json"
    target.write_bytes(OLD)
    seen: list[bytes] = []
    real_fsync = os.fsync

    def look(fd: int) -> None:  # just before the rename: the new bytes are on disk, under another name
        seen.append(target.read_bytes())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", look)
    atomic.write_bytes(target, b"new contents")
    assert seen == [OLD] and target.read_bytes() == b"new contents"


# --- each command that writes ----------------------------------------------------------------------


def _expect_failure(cli: CliRunner, *args: str) -> None:
    result = cli(*args, expect=None)
    assert result.code in (1, 130), str(result)  # 130: interrupted
    if result.code == 1:
        assert "cannot write " in result.stderr


def test_build_output(cli: CliRunner, tmp_path: Path, failing_writes: Callable[[], None]) -> None:
    project = tmp_path / "email"
    cli("init", "--hook", "remote", str(project), "--provider", "dev-sink")
    out = tmp_path / "out" / "dev.json"
    out.parent.mkdir()
    out.write_bytes(OLD)
    failing_writes()
    _expect_failure(cli, "build", str(project), "--env", "dev", "-o", str(out))
    assert out.read_bytes() == OLD and leftovers(tmp_path) == []


def test_render_eml(cli: CliRunner, tmp_path: Path, failing_writes: Callable[[], None]) -> None:
    config = write_config(tmp_path / "logto.json", logto_config(2525))
    eml = tmp_path / "signin.eml"
    eml.write_bytes(OLD)
    failing_writes()
    _expect_failure(cli, "render", str(config), "--type", "SignIn", "--code", "1", "--eml", str(eml))
    assert eml.read_bytes() == OLD and leftovers(tmp_path) == []


def test_a_render_that_fails_leaves_the_old_eml(cli: CliRunner, tmp_path: Path) -> None:
    config = write_config(tmp_path / "logto.json", logto_config(2525))
    eml = tmp_path / "signin.eml"
    eml.write_bytes(OLD)
    cli(
        "render",
        str(config),
        "--type",
        "SignIn",
        "--code",
        "1\r\nBcc: x@example.com",
        "--eml",
        str(eml),
        expect=1,
    )
    assert eml.read_bytes() == OLD


def test_send_dry_run(cli: CliRunner, tmp_path: Path, failing_writes: Callable[[], None]) -> None:
    config = write_config(tmp_path / "logto.json", logto_config(2525))
    out = tmp_path / "dry"
    out.mkdir()
    old = out / "0001-SignIn-a@example.com.eml"
    old.write_bytes(OLD)
    failing_writes()
    result = cli(
        "send", str(config), "--type", "SignIn", "--to", "a@example.com", "--code", "1", "--dry-run", str(out),
        expect=None,
    )  # fmt: skip
    if (
        result.code != 130
    ):  # a message that cannot be written is a failed message, accounted for like any other
        assert result.code == 1
        [row] = [json.loads(line) for line in result.stdout.splitlines()]
        assert row["status"] == "failed" and row["reply"].startswith(f"cannot write {old}: ")
    assert old.read_bytes() == OLD and leftovers(tmp_path) == []


def test_the_resend_file(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, failing_writes: Callable[[], None]
) -> None:
    server = smtp_server(script=Script(rcpt_replies=["550 5.1.1 No such user"]))
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"to": "a@example.com", "type": "SignIn", "payload": {"code": "1"}}\n')
    resend = tmp_path / "batch.failed.jsonl"
    resend.write_bytes(OLD)
    failing_writes()
    _expect_failure(cli, "send", str(config), "--batch", str(batch))
    assert resend.read_bytes() == OLD and leftovers(tmp_path) == []


def test_init_is_all_or_nothing(cli: CliRunner, tmp_path: Path, failing_writes: Callable[[], None]) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_bytes(OLD)  # init would append to both
    (repo / ".pre-commit-config.yaml").write_text("repos: []  # a flow list: init prints the lines to add\n")
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    failing_writes()
    _expect_failure(cli, "init", str(repo / "email"), "--provider", "sendgrid")
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in repo.iterdir()) == [".git", ".gitignore", ".pre-commit-config.yaml"]


def test_init_undoes_what_landed_when_a_later_rename_fails(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file is staged before the first rename; if the third rename fails, the two files already
    in place are removed (or restored, for a file init appended to) and the folders it made are gone."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "email").mkdir()
    (tmp_path / "email/.gitignore").write_bytes(OLD)
    renames: list[str] = []
    real = os.replace

    def third_fails(src: Any, dst: Any) -> None:
        renames.append(str(dst))
        if len(renames) == 3:
            raise OSError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(os, "replace", third_fails)
    _expect_failure(cli, "init", str(tmp_path / "email"), "--provider", "sendgrid")
    assert renames[:2] == [
        str(tmp_path / "email/smtp-connector.yaml"),
        str(tmp_path / "email/environments/dev.yaml"),
    ]
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        ".git",
        "email",
        "email/.gitignore",
    ]
    assert (tmp_path / "email/.gitignore").read_bytes() == OLD
    monkeypatch.undo()
    cli(
        "init", "--hook", "remote", str(tmp_path / "email"), "--provider", "sendgrid"
    )  # nothing in the way: run it again
    assert (tmp_path / "email/.gitignore").read_bytes().startswith(OLD)


def test_init_restores_a_file_it_appended_to(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".gitignore").write_bytes(OLD)
    for name in (
        "smtp-connector.yaml",
        "environments/dev.yaml",
        "environments/prod.yaml",
        ".github/workflows/email-config.yml",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("mine\n")
    real = os.open

    def last_fails(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        # Both files are appended to in place (O_APPEND); the second one cannot be opened for it.
        if str(path).endswith(".pre-commit-config.yaml") and flags & os.O_APPEND:
            raise OSError(13, "Permission denied")
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", last_fails)
    hooks = "repos:\n  - repo: local\n    hooks: []\n"
    (tmp_path / ".pre-commit-config.yaml").write_text(hooks)
    _expect_failure(
        cli, "init", str(tmp_path), "--provider", "sendgrid"
    )  # .gitignore appended to, then this fails: it is cut back
    assert (tmp_path / ".gitignore").read_bytes() == OLD
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == hooks and leftovers(tmp_path) == []
    monkeypatch.undo()
    assert (
        "updated (appended to):\n"
        in cli("init", "--hook", "remote", str(tmp_path), "--provider", "sendgrid").stdout
    )


def test_preview_gallery(tmp_path: Path, failing_writes: Callable[[], None]) -> None:
    out = tmp_path / "preview"
    out.mkdir()
    (out / "index.html").write_bytes(OLD)
    failing_writes()
    with pytest.raises((InputError, KeyboardInterrupt)):
        write_gallery([], out)
    assert (out / "index.html").read_bytes() == OLD and leftovers(tmp_path) == []


def test_the_sink_answers_451_when_it_cannot_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Sink(port=0, directory=tmp_path / "mail") as sink:
        monkeypatch.setattr(os, "replace", _raise(OSError(28, "No space left on device")))
        with smtplib.SMTP("127.0.0.1", sink.port) as client:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.sendmail("a@example.com", ["b@example.com"], b"Subject: hi\r\n\r\nbody\r\n")
            assert refused.value.smtp_code == 451
            assert refused.value.smtp_error.decode().startswith("4.3.0 Message not stored: cannot write ")
            monkeypatch.undo()
            client.sendmail("a@example.com", ["b@example.com"], b"Subject: again\r\n\r\nbody\r\n")
        assert [m.subject for m in sink.messages] == ["again"]
    assert [p.suffix for p in (tmp_path / "mail").iterdir() if p.name != ".gitignore"] == [".eml"]
