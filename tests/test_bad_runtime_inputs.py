"""Bad inputs to render and send (payloads, batch files) and lint that used to crash (exit 3) or hang.

Each must give exit 1 and one line saying what is wrong and where; a FIFO or a device is refused without
waiting on it. The companions for source files are in tests/test_bad_inputs.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import CliRunner, run_subprocess

CONFIG = Path(__file__).resolve().parent / "data" / "final" / "good" / "logto-console-example.json"
RENDER = ("render", str(CONFIG), "--type", "SignIn")


def test_a_json_number_of_more_than_4300_digits(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(CONFIG.read_text().replace('"port": 587', '"port": ' + "9" * 5000))
    out = cli("lint", str(path), expect=1).stdout
    assert f"{path}:3:11: error SC004 JSON syntax error: a number with more than 4,300 digits" in out
    err = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=1).stderr
    assert "a number with more than 4,300 digits" in err


def test_a_json_number_of_exactly_4300_digits_is_only_out_of_range(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(CONFIG.read_text().replace('"port": 587', '"port": ' + "9" * 4300))
    out = cli("lint", str(path), expect=1).stdout
    assert "SC004" not in out and "SC202" in out


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"code": NaN}', "NaN is not JSON"),
        ('{"code": Infinity}', "Infinity is not JSON"),
        ('{"code": -Infinity}', "-Infinity is not JSON"),
        ('{"code": ' + "1" * 5000 + "}", "a number with more than 4,300 digits"),
    ],
)
def test_payloads_json_parse_refuses(cli: CliRunner, payload: str, why: str) -> None:
    err = cli(*RENDER, "--payload", payload, expect=1).stderr
    assert err.startswith(f"smtp-connector: error: --payload: not valid JSON ({why})"), err


def test_a_payload_file_in_latin1(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "payload.json"
    path.write_bytes('{"code": "café"}'.encode("latin-1"))
    err = cli(*RENDER, "--payload", f"@{path}", expect=1).stderr
    assert f"{path}: the payload file is not UTF-8 (byte 0xe9)" in err


def test_a_payload_from_dev_zero(cli: CliRunner) -> None:
    err = cli(*RENDER, "--payload", "@/dev/zero", expect=1).stderr
    assert "/dev/zero: cannot read the payload file: not a regular file" in err


@pytest.mark.parametrize("option", ["--payload", "--batch"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    value = f"@{fifo}" if option == "--payload" else str(fifo)
    extra = ("--type", "SignIn", "--to", "a@example.com") if option == "--payload" else ()
    result = run_subprocess(
        "send", str(CONFIG), *extra, option, value, "--dry-run", str(tmp_path / "out"),
        expect=1, timeout=60,
    )  # fmt: skip
    assert "not a regular file" in result.stderr


def _batch(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_batch_line_nested_too_deeply(cli: CliRunner, tmp_path: Path) -> None:
    good = json.dumps({"to": "a@example.com", "type": "SignIn", "payload": {"code": "1"}})
    path = _batch(tmp_path, good, '{"to": "b@example.com", "type": "SignIn", "payload": ' + "[" * 100_000)
    err = cli("send", str(CONFIG), "--batch", str(path), "--dry-run", str(tmp_path / "out"), expect=1).stderr
    assert f"{path}:2:118: error SC012 nested deeper than 64 levels" in err


def test_a_lone_surrogate_in_a_batch_recipient(cli: CliRunner, tmp_path: Path) -> None:
    path = _batch(tmp_path, '{"to": "a\\ud800@example.com", "type": "SignIn", "payload": {"code": "1"}}')
    err = cli("send", str(CONFIG), "--batch", str(path), "--dry-run", str(tmp_path / "out"), expect=1).stderr
    assert f'{path}:1:8: error SC002 "to" holds a lone UTF-16 surrogate (\\ud800), not text' in err


def test_a_lone_surrogate_in_a_batch_payload_is_found_before_sending(cli: CliRunner, tmp_path: Path) -> None:
    # Was exit 3 (UnicodeEncodeError while building the message); now a finding at the value.
    good = '{"to": "a@example.com", "type": "SignIn", "payload": {"code": "1"}}'
    bad = (
        '{"to": "b@example.com", "type": "SignIn", "payload": {"code": "1", "app": {"\\udc00x": "\\udc01"}}}'
    )
    path = _batch(tmp_path, good, bad)
    out = tmp_path / "out"
    err = cli("send", str(CONFIG), "--batch", str(path), "--dry-run", str(out), expect=1).stderr
    key, value = bad.index('"\\udc00x"') + 1, bad.index('"\\udc01"') + 1
    assert (
        f'{path}:2:{key}: error SC002 a key in "payload.app" holds a lone UTF-16 surrogate (\\udc00)' in err
    )
    assert (
        f'{path}:2:{value}: error SC002 "payload.app.\\udc00x" holds a lone UTF-16 surrogate (\\udc01)' in err
    )
    assert not out.exists()


def test_many_keys_without_aliases_are_not_an_alias_bomb(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "smtp-connector.yaml"
    path.write_text("variables:\n" + "".join(f"  k{i}: {i}\n" for i in range(60_000)), encoding="utf-8")
    out = cli("lint", str(path), expect=1).stdout
    assert "alias bomb" not in out
    assert "error SC003 the document has more than 100,000 keys and values" in out


@pytest.mark.parametrize("backoff", ["nan", "inf", "-1"])
def test_a_backoff_that_is_not_a_number_of_seconds(cli: CliRunner, backoff: str) -> None:
    err = cli("send", str(CONFIG), "--type", "SignIn", "--to", "a@example.com", "--code", "1",
              "--backoff", backoff, expect=2).stderr  # fmt: skip
    assert "--backoff a number of seconds, at least 0" in err


def test_send_dry_run_into_an_existing_file(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.write_text("keep me")
    err = cli("send", str(CONFIG), "--type", "SignIn", "--to", "a@example.com", "--code", "1",
              "--dry-run", str(target), expect=1).stderr  # fmt: skip
    assert f"{target}: is a file, not a folder (hint: --dry-run names a folder" in err
    assert target.read_text() == "keep me"


def test_preview_out_an_existing_file(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.write_text("keep me")
    acme = Path(__file__).resolve().parent.parent / "examples" / "acme"
    err = cli("preview", str(acme), "--out", str(target), expect=1).stderr
    assert f"{target}: is a file, not a folder (hint: --out names a folder" in err
    assert target.read_text() == "keep me"
