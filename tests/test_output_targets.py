"""Outputs named by the user that are not regular files: a device, a FIFO, a socket, a symbolic link.

The atomic write (connector.atomic) replaces regular files only. A character device or a FIFO with a
reader is written straight into and stays what it was (``build -o /dev/null`` as root once replaced
/dev/null with a regular 0600 file); a FIFO without a reader, a socket and a block device are refused
without waiting; a link is written through and stays a link. The devices are made with mknod in a
temporary folder, never the machine's own /dev.
"""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector import atomic
from connector.errors import InputError

from .conftest import CliRunner
from .projects import write_project
from .smtp_fixtures import Script, ServerFactory, logto_config, write_config
from .test_build_locales import PROJECT as LOCALES_PROJECT

root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root (CI runs as root)"
)
NULL, FULL, LOOP = os.makedev(1, 3), os.makedev(1, 7), os.makedev(7, 0)  # Linux's null, full, loop0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "email", {"environments/dev.yaml": "provider: dev-sink\n"})


@pytest.fixture
def locales_project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "intl",
        {
            "smtp-connector.yaml": LOCALES_PROJECT,
            "environments/dev.yaml": "provider: dev-sink\nvariables: {brand: Octo}\n",
            "templates/fr/sign-in.txt.j2": "Code {{ brand }} : {{code}}\n",
        },
    )


def _device(path: Path, device: int, kind: int = stat.S_IFCHR) -> Path:
    os.mknod(path, kind | 0o666, device)
    os.chmod(path, 0o666)  # past the umask: a replacement would be 0600
    return path


def _is_device(path: Path, device: int, kind: int = stat.S_IFCHR) -> bool:
    st = os.lstat(path)
    return stat.S_IFMT(st.st_mode) == kind and st.st_rdev == device


@root_only
def test_build_into_a_null_device_discards_and_keeps_the_device(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    dev = _device(tmp_path / "null", NULL)
    before = sorted(os.listdir(tmp_path))
    result = cli("build", str(project), "--env", "dev", "-o", str(dev))
    assert _is_device(dev, NULL)  # not a regular file renamed over it
    assert stat.S_IMODE(os.lstat(dev).st_mode) == 0o666
    assert sorted(os.listdir(tmp_path)) == before  # no null.email-templates.json, no temporary file
    assert result.stdout == ""


@root_only
def test_a_device_that_refuses_the_write_is_an_input_error(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    full = _device(tmp_path / "full", FULL)
    result = cli("build", str(project), "--env", "dev", "-o", str(full), expect=1)
    assert f"cannot write {full}: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert _is_device(full, FULL)


@root_only
def test_a_block_device_is_refused_never_written(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    disk = _device(tmp_path / "disk", LOOP, stat.S_IFBLK)
    result = cli("build", str(project), "--env", "dev", "-o", str(disk), expect=1)
    assert f"cannot write {disk}: it is a block device" in result.stderr
    assert _is_device(disk, LOOP, stat.S_IFBLK)


@root_only
def test_a_symlink_to_a_device_is_written_through(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    dev = _device(tmp_path / "null", NULL)
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "stdout"
    link.symlink_to(dev)
    cli("build", str(project), "--env", "dev", "-o", str(link))
    assert link.is_symlink() and os.readlink(link) == str(dev)
    assert _is_device(dev, NULL)
    assert os.listdir(tmp_path / "out") == ["stdout"]


@root_only
def test_nothing_goes_beside_a_device_the_other_languages_go_to_the_out_folder(
    cli: CliRunner, locales_project: Path, tmp_path: Path
) -> None:
    dev = _device(tmp_path / "null", NULL)
    before = sorted(os.listdir(tmp_path))
    result = cli("build", str(locales_project), "--env", "dev", "-o", str(dev))
    default = locales_project / "out" / "dev.email-templates.json"
    assert f"wrote {default}" in result.stderr and default.is_file()
    assert sorted(os.listdir(tmp_path)) == before  # nothing next to the device
    other = _device(tmp_path / "null2", NULL)
    cli("build", str(locales_project), "--env", "dev", "-o", str(dev), "--locales-out", str(other))
    assert sorted(os.listdir(tmp_path)) == sorted([*before, "null2"])
    assert _is_device(dev, NULL) and _is_device(other, NULL)


@root_only
def test_render_eml_into_a_device(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    config = tmp_path / "dev.json"
    cli("build", str(project), "--env", "dev", "-o", str(config))
    dev = _device(tmp_path / "null", NULL)
    cli("render", str(config), "--type", "SignIn", "--code", "314159", "--eml", str(dev))
    assert _is_device(dev, NULL)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    yield path


def test_build_into_a_fifo_with_a_reader(cli: CliRunner, project: Path, fifo: Path) -> None:
    # The reader opens first (non-blocking, so it needs no writer yet); the built file is far below the
    # pipe's buffer, so the build's write completes before anything is read.
    with os.fdopen(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb") as reader:
        cli("build", str(project), "--env", "dev", "-o", str(fifo))
        os.set_blocking(reader.fileno(), True)
        received = reader.read()  # the build closed its end: this reads to the end
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received.decode() == cli("build", str(project), "--env", "dev").stdout
    assert json.loads(received)["host"] == "127.0.0.1"
    assert sorted(os.listdir(fifo.parent)) == ["email", "pipe"]  # no pipe.email-templates.json


def test_a_fifo_without_a_reader_is_refused_not_waited_on(cli: CliRunner, project: Path, fifo: Path) -> None:
    result = cli("build", str(project), "--env", "dev", "-o", str(fifo), expect=1)
    assert f"cannot write {fifo}: it is a FIFO that no process is reading" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_is_refused(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        result = cli("build", str(project), "--env", "dev", "-o", str(path), expect=1)
    assert f"cannot write {path}: it is a socket" in result.stderr
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_symlink_to_a_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    atomic.write_bytes(link, b"new\n")
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert real.read_bytes() == b"new\n"
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


def test_a_failing_stream_replaces_no_other_file(tmp_path: Path) -> None:
    """All or nothing across kinds: the FIFO is written after every file is staged and before any is
    renamed, so its failure leaves the regular file as it was."""
    regular = tmp_path / "a.json"
    regular.write_text("old\n")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="no process is reading"):
        atomic.write_all({regular: b"new\n", fifo: b"x"})
    assert regular.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["a.json", "pipe"]


def test_what_is_a_stream(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "file").write_text("")
    (tmp_path / "link").symlink_to("pipe")
    (tmp_path / "dangling").symlink_to("nowhere")
    assert atomic.is_stream(tmp_path / "pipe") and atomic.is_stream(tmp_path / "link")
    assert not atomic.is_stream(tmp_path / "file")
    assert not atomic.is_stream(tmp_path / "missing")
    assert not atomic.is_stream(tmp_path / "dangling")
    assert not atomic.is_stream(tmp_path)


@root_only
def test_send_failed_into_a_device(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    """The resend file as a device: checked before the first send, written into at the end, kept."""
    server = smtp_server(script=Script(rcpt_replies=["550 5.1.1 gone"]))
    config = write_config(tmp_path / "logto.json", logto_config(server.port))
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"to": "x@example.org", "type": "SignIn", "payload": {"code": "271828"}}\n')
    dev = _device(tmp_path / "null", NULL)
    result = cli("send", str(config), "--batch", str(batch), "--failed", str(dev), expect=1)
    assert f"to send them again: --batch {dev}" in result.stderr
    assert _is_device(dev, NULL)
    assert sorted(os.listdir(tmp_path)) == ["b.jsonl", "logto.json", "null"]
