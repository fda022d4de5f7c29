"""Every path ``send`` writes is checked before the first message leaves (docs/runtime.md).

A resend file that cannot be written is otherwise found only at the end, after the messages it was meant
to keep have failed: their payloads are lost. Against a real aiosmtpd server on 127.0.0.1 that refuses
every recipient, so a send that went ahead would leave failures to keep.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from connector import atomic
from connector.errors import InputError

from .conftest import CliRunner
from .smtp_fixtures import Script, ServerFactory, logto_config, write_config

LINES = [{"to": f"p{i}@example.org", "type": "Register", "payload": {"code": f"70{i}"}} for i in range(3)]


def _batch(folder: Path, name: str = "wave.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(line) + "\n" for line in LINES))
    return path


@pytest.fixture
def refusing(smtp_server: ServerFactory, tmp_path: Path) -> tuple[Path, list[object]]:
    server = smtp_server(script=Script(rcpt_replies=["550 5.1.1 unknown mailbox"] * 10))
    return write_config(tmp_path / "logto.json", logto_config(server.port)), server.messages


def test_failed_naming_a_folder_sends_nothing(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    folder = tmp_path / "kept"
    folder.mkdir()
    result = cli("send", str(config), "--batch", str(_batch(tmp_path)), "--failed", str(folder), expect=1)
    assert f"{folder}: is a folder, not a file" in result.stderr
    assert "--failed names a file" in result.stderr
    assert result.stdout == "" and server.messages == []
    assert list(folder.iterdir()) == []


def test_failed_under_a_file_sends_nothing(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file\n")
    target = blocker / "deeper" / "again.jsonl"
    result = cli("send", str(config), "--batch", str(_batch(tmp_path)), "--failed", str(target), expect=1)
    assert f"{blocker}: is a file, not a folder" in result.stderr
    assert result.stdout == "" and server.messages == []


def test_the_default_resend_file_taken_by_a_folder_sends_nothing(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    batch = _batch(tmp_path)
    (tmp_path / "wave.failed.jsonl").mkdir()
    result = cli("send", str(config), "--batch", str(batch), expect=1)
    assert "is a folder, not a file" in result.stderr and "give --failed FILE" in result.stderr
    assert server.messages == []


def test_failed_naming_a_socket_sends_nothing(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        result = cli("send", str(config), "--batch", str(_batch(tmp_path)), "--failed", str(path), expect=1)
    assert f"{path}: is a socket" in result.stderr
    assert server.messages == []


def test_a_dry_run_with_a_bad_resend_file_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    config = write_config(tmp_path / "logto.json", logto_config(2525))
    out = tmp_path / "out"
    folder = tmp_path / "kept"
    folder.mkdir()
    args = ["--batch", str(_batch(tmp_path)), "--dry-run", str(out), "--failed", str(folder)]
    cli("send", str(config), *args, expect=1)
    assert not out.exists()


def test_a_dry_run_folder_taken_by_a_file_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    config = write_config(tmp_path / "logto.json", logto_config(2525))
    blocker = tmp_path / "out"
    blocker.write_text("")
    result = cli(
        "send", str(config), "--batch", str(_batch(tmp_path)), "--dry-run", str(blocker / "x"), expect=1
    )
    assert (
        f"{blocker}: is a file, not a folder" in result.stderr and "--dry-run names a folder" in result.stderr
    )


def test_a_resend_file_in_folders_yet_to_be_made_is_fine(
    cli: CliRunner, tmp_path: Path, refusing: tuple[Path, list[object]]
) -> None:
    """The boundary: a path whose folders do not exist yet is writable (they are made at the end)."""
    config, received = refusing
    target = tmp_path / "later" / "still" / "retry.jsonl"
    cli("send", str(config), "--batch", str(_batch(tmp_path)), "--failed", str(target), expect=1)
    assert received == []  # every recipient was refused
    assert [json.loads(line) for line in target.read_text().splitlines()] == LINES


def test_check_file_and_check_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    (tmp_path / "dir").mkdir()
    atomic.check_file(tmp_path / "file", "--x")  # replaced
    atomic.check_file(tmp_path / "new", "--x")
    atomic.check_file(tmp_path / "a" / "b" / "new", "--x")
    atomic.check_folder(tmp_path / "dir", "--x")
    atomic.check_folder(tmp_path / "a" / "b", "--x")
    with pytest.raises(InputError, match="is a folder, not a file"):
        atomic.check_file(tmp_path / "dir", "--x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        atomic.check_file(tmp_path / "file" / "new", "--x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        atomic.check_folder(tmp_path / "file", "--x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        atomic.check_folder(tmp_path / "file" / "sub", "--x")
