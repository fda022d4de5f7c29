"""connector.safe_paths: which names every platform takes, and where a path really leads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.diagnostics.findings import Location
from connector.safe_paths import (
    MAX_NAME_BYTES,
    name_problem,
    outside_problem,
    unsafe_name,
)

from .conftest import CliRunner
from .projects import write_project


@pytest.mark.parametrize(
    "name",
    [
        "sign-in.txt.j2",
        "pt-BR",
        "zh-Hant-TW",
        ".hidden",
        "a.b.c",
        "CONSOLE.txt",  # not a device: only the exact stem is
        "COM10",
        "LPT",
        "nul_",
        "é-ü.yaml",
        "x" * MAX_NAME_BYTES,
        "\ue000",  # private use is text
    ],
)
def test_names_every_platform_takes(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "empty"),
        (".", "names a folder"),
        ("..", "names a folder"),
        ("a/b", "path separator"),
        ("a\\b", "path separator"),
        ("Sign\x00Up", "NUL"),
        ("tab\there", "U+0009"),
        ("esc\x1b[31m", "U+001B"),
        ("del\x7f", "U+007F"),
        ("c1\x85", "U+0085"),
        ("line\u2028sep", "U+2028"),
        ("a:b", "Windows does not take"),
        ("what?", "Windows does not take"),
        ("star*", "Windows does not take"),
        ('quo"te', "Windows does not take"),
        ("pipe|", "Windows does not take"),
        ("<lt", "Windows does not take"),
        ("gt>", "Windows does not take"),
        ("\ud83d", "lone surrogate"),
        ("evil\u202etxt.exe", "U+202E"),
        ("zero\u200bwidth", "U+200B"),
        ("trailing.", "ends with a dot"),
        ("trailing ", "ends with a dot or a space"),
        ("con", "device name"),
        ("Nul.txt", "device name"),
        ("aux .yaml", "device name"),
        ("COM1", "device name"),
        ("lpt9.j2", "device name"),
        ("COM\u00b2", "device name"),
        ("conout$", "device name"),
        ("x" * (MAX_NAME_BYTES + 1), "longer than 255 bytes"),
        ("é" * 128, "longer than 255 bytes"),  # 256 bytes, 128 characters
    ],
)
def test_names_refused(name: str, says: str) -> None:
    problem = name_problem(name)
    assert problem is not None and says in problem


@given(st.text(max_size=30))
def test_a_name_taken_is_one_plain_part(name: str) -> None:
    if name_problem(name) is None:
        assert Path(name).name == name and name not in (".", "..")
        assert "/" not in name and "\x00" not in name and name.strip(". ") != ""


def test_inside_and_outside(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "templates").mkdir(parents=True)
    assert outside_problem(root, root / "templates" / "new" / "x.j2") is None
    assert outside_problem(root, root / "a.yaml") is None
    problem = outside_problem(root, root / "templates" / ".." / ".." / "x")
    assert problem is not None and "outside" in problem
    assert outside_problem(root, root) is not None  # the folder itself is no file in it
    assert outside_problem(root, tmp_path / "projectx" / "a") is not None  # a prefix is not a parent


def test_a_symlink_out_of_the_folder_is_outside(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "templates").symlink_to(elsewhere)
    problem = outside_problem(root, root / "templates" / "x.j2")
    assert problem is not None and str(elsewhere) in problem
    # A link that stays inside is fine, and so is a folder that is itself a link.
    (root / "real").mkdir()
    (root / "inner").symlink_to(root / "real")
    assert outside_problem(root, root / "inner" / "x") is None
    (tmp_path / "alias").symlink_to(root)
    assert outside_problem(tmp_path / "alias", tmp_path / "alias" / "real" / "x") is None


def test_a_symlink_loop_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert outside_problem(tmp_path, tmp_path / "a" / "x") is not None


def test_the_finding_shows_the_value_printable_and_short() -> None:
    value = "\ud800\x1b]0;owned\x07" + "A" * 500
    finding = unsafe_name(Location("server"), "usage type", value, "it holds a NUL character")
    assert finding.rule == "SC014" and finding.severity == "error"
    assert "\x1b" not in finding.message and "\\x1b" in finding.message
    assert len(finding.message) < 300 and "…" in finding.message
    finding.message.encode("utf-8")  # no lone surrogate reaches a terminal
    assert "nothing was written" in finding.message


def test_os_sep_is_refused_on_this_platform() -> None:
    assert name_problem(f"a{os.sep}b") is not None


# The four places that make a file name from data use the check.


@given(st.text(max_size=200), st.text(max_size=60), st.integers(min_value=1, max_value=10**6))
def test_every_eml_name_is_safe(to: str, usage_type: str, index: int) -> None:
    from connector.mail.send import Job, eml_name

    assert name_problem(eml_name(index, Job(to, usage_type))) is None


@pytest.mark.parametrize("name", ["con", "Aux", "LPT3", "com1"])
def test_init_refuses_an_environment_named_like_a_device(cli: CliRunner, tmp_path: Path, name: str) -> None:
    result = cli("init", str(tmp_path / "mail"), "--provider", "amazon-ses", "--env", f"dev,{name}", expect=2)
    assert f"`{name}` cannot name environments/{name}.yaml" in result.stderr
    assert "device name" in result.stderr
    assert not (tmp_path / "mail").exists()


def test_build_out_dir_refuses_an_environment_named_like_a_device(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {"environments/nul.yaml": "port: 2526\n", "environments/ok.yaml": ""}
    )
    out = tmp_path / "out"
    result = cli(
        "build", str(project), "--all", "--out-dir", str(out), expect=1, env={"SMTP_PASS": "pw-98765"}
    )
    assert (
        f"{project}/environments/nul.yaml:1:1: error SC014 environment `nul` cannot name a file"
        in result.stderr
    )
    assert "device name" in result.stderr
    assert not out.exists()
    # One at a time with -o names its own file: that is fine.
    cli("build", str(project), "--env", "nul", "-o", str(tmp_path / "x.json"), env={"SMTP_PASS": "pw-98765"})
