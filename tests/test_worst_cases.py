"""Inputs built to make a check quadratic, at the largest size the caps allow: each is handled and reported.

How long each takes is measured in benchmarks/bench_worst.py (``python benchmarks/run.py --only worst``),
never asserted here; these tests hold the results, and the helpers that made them linear at their edges.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import bench_worst
from connector.lint.rules_templates import strip_comments
from connector.logto.addresses import address_problem

from .conftest import CliRunner


def test_unclosed_comment_in_a_final_config(cli: CliRunner, tmp_path: Path) -> None:
    path = bench_worst.unclosed_comment_final(tmp_path)
    out = cli("lint", str(path), expect=1).stdout
    assert "SC110" in out and "never closed" in out
    assert "SC105" in out  # the comment hides nothing it does not close: no {{link}} anywhere


def test_unclosed_comment_in_a_template_file(cli: CliRunner, tmp_path: Path) -> None:
    folder = bench_worst.unclosed_comment_j2(tmp_path)
    out = cli("lint", str(folder), expect=1).stdout
    assert re.search(r"smtp-connector\.yaml:\d+:\d+: error SC110 .*never closed", out), out


def test_from_email_of_spaces(cli: CliRunner, tmp_path: Path) -> None:
    path = bench_worst.spaced_from_email(tmp_path)
    out = cli("lint", str(path), expect=0).stdout
    assert "SC405" not in out  # nodemailer reads `a <b@example.com>`: an address found in the text


def test_from_email_of_separators(cli: CliRunner, tmp_path: Path) -> None:
    path = bench_worst.separators_from_email(tmp_path)
    out = cli("lint", str(path), expect=1).stdout
    assert 'error SC405 `fromEmail` is not an email address: ";;;;' in out
    assert "Logto sends a From header with no address, a message receivers refuse" in out


def test_one_line_json_of_unknown_keys(cli: CliRunner, tmp_path: Path) -> None:
    path = bench_worst.unknown_keys_one_line(tmp_path)
    out = cli("lint", str(path), expect=1).stdout
    lines = [line for line in out.splitlines() if " SC201 " in line]
    count = len(path.read_text().split('"unknown')) - 1
    assert len(lines) == count > 50_000
    assert lines[-1].startswith(f"{path}:1:")


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("a<!-- x -->b", "ab"),
        ("a<!---->b", "ab"),
        ("<!-- x -->", ""),
        ("a<!-- x --> b <!-- y -->c", "a b c"),
        ("a<!-- {{code}}", "a<!-- {{code}}"),  # unclosed: kept, as the expression did; SC110 reports it
        ("a<!-- x --> b <!-- {{code}}", "a b <!-- {{code}}"),
        ("<!--<!-- x -->y", "y"),
        ("a-->b", "a-->b"),
        ("<!-->x-->", ""),
        ("", ""),
    ],
)
def test_strip_comments(html: str, shown: str) -> None:
    assert strip_comments(html) == shown
    assert strip_comments(html) == re.sub(r"<!--.*?-->", "", html, flags=re.S)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Acme <a@example.com>", True),
        ("Acme   <a@example.com>", True),
        ("<a@example.com>", True),
        ("a@example.com", True),
        # As nodemailer reads them (tests/test_addresses.py holds the reading to its code): an address found.
        ("a b@example.com", True),
        ("Acme <a@example.com", True),
        ("Acme a@example.com>", True),
        ("Acme <<a@example.com>>", True),
        ("Acme <a@example.com> x", True),
        ("Acme <>", False),
        ("Acme", False),
        ("a b@example", True),
        ("a b@@example.com", False),
        ("", False),
    ],
)
def test_mailbox_forms(value: str, ok: bool) -> None:
    assert (address_problem(value, many=False) is None) is ok


# Each fromEmail of many address tokens (benchmarks/bench_worst.py FROM_EMAIL_UNITS) is read and reported.
FROM_EMAIL_FINDINGS = {
    "from-email-mailboxes": "holds",
    "from-email-quoted-words": "is not an email address",
    "from-email-quotes": "is not an email address",
    "from-email-comments": "is not an email address",
    "from-email-angles": None,  # one mailbox: the first address, the others read as its name
    "from-email-groups": "is not an email address",
    "from-email-nested-groups": "is not an email address",
    "from-email-names-one-mailbox": None,  # one mailbox whose name holds every name before it
}


@pytest.mark.parametrize("name", list(bench_worst.FROM_EMAIL_UNITS))
def test_from_email_of_many_tokens(cli: CliRunner, tmp_path: Path, name: str) -> None:
    _title, unit, tail = bench_worst.FROM_EMAIL_UNITS[name]
    path = bench_worst.repeated_from_email(unit, tail)(tmp_path)
    finding = FROM_EMAIL_FINDINGS[name]
    out = cli("lint", str(path), expect=1 if finding else 0).stdout
    assert (f"error SC405 `fromEmail` {finding}" in out) if finding else "SC405" not in out, out[:500]
    if name == "from-email-mailboxes":  # every part read: one address each
        assert f"holds {path.read_text().count(unit)} addresses" in out
