"""docs/cli.md is checked against the real parser: every command has a section under "Commands" that names
every option of that command (long and short forms), smtp-connector's own options are named too, and the
page names no option that does not exist. A flag written in prose, outside code, is itself a finding: every
option the page names is read, so none slips past the check.

The options are read as data through the public route ``build_parser`` gives: its parser notes every
action it adds (``arguments``) and its commands' parsers (``commands``); each action's ``option_strings``
and ``help`` are argparse's public attributes (argparse's own action list is private: test_private_api).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from connector.cli.main import COMMANDS, PROG, build_parser

from .conftest import ROOT
from .test_rules_docs import markdown_table

PAGE = ROOT / "docs" / "cli.md"
COMMANDS_HEADING = "## Commands"
TOP = PROG  # the scope of smtp-connector's own options (before any command)
HELP_FLAGS = frozenset({"-h", "--help"})  # every parser has them: documented once, for smtp-connector
# Flags the page spells wrong on purpose (the "Usage errors" examples); each must exist nowhere.
MISSPELT = frozenset({"--fmt", "--environment", "--form", "--skip"})

_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_COMMAND_HEADING = re.compile(r"^### `([\w-]+)`$")


@dataclass(frozen=True)
class Options:
    """Each scope's options (``TOP`` or a command): ``every`` flag it accepts, and the ``shown`` ones its
    documentation must name (a flag hidden from ``--help`` is accepted but need not be documented)."""

    every: dict[str, frozenset[str]]
    shown: dict[str, frozenset[str]]


def parser_options(parser: Any = None) -> Options:
    """The options of ``build_parser()`` (or of ``parser``, one it built)."""
    top = build_parser() if parser is None else parser
    scopes = {TOP: top, **top.commands}
    every: dict[str, frozenset[str]] = {}
    shown: dict[str, frozenset[str]] = {}
    for name, command in scopes.items():
        actions: list[argparse.Action] = command.arguments
        every[name] = frozenset(s for a in actions for s in a.option_strings)
        documented = {s for a in actions if a.help != argparse.SUPPRESS for s in a.option_strings}
        shown[name] = frozenset(documented if name == TOP else documented - HELP_FLAGS)
    return Options(every, shown)


@dataclass(frozen=True)
class Mention:
    line: int
    section: str | None  # the command whose section it is in, TOP for the intro of "Commands", else None
    scope: str | None  # the command the flag belongs to: a code unit naming a command says which
    flag: str
    in_code: bool


def _units(line: str) -> Iterator[tuple[str, bool]]:
    """A Markdown line's code spans (each one unit) and its prose between them."""
    end = 0
    for span in _CODE_SPAN.finditer(line):
        yield line[end : span.start()], False
        yield span.group(2), True
        end = span.end()
    yield line[end:], False


def _scope(unit: str, default: str | None, commands: frozenset[str]) -> str | None:
    """Whose flags a code unit names: `smtp-connector CMD ...` or `CMD ...` names CMD, `smtp-connector
    --flag` smtp-connector itself; otherwise the section's command."""
    words = unit.split()
    while words and words[0] in ("$", "usage:"):
        words = words[1:]
    if words and words[0] == PROG:
        return words[1] if len(words) > 1 and words[1] in commands else TOP
    if words and words[0] in commands:
        return words[0]
    return default


def mentions(text: str, commands: frozenset[str]) -> tuple[list[Mention], list[str], list[str]]:
    """Every flag the page names, where and whose; the command sections in order; and problems with the
    page's structure (a section under "Commands" that is not one command's)."""
    found: list[Mention] = []
    sections: list[str] = []
    problems: list[str] = []
    in_commands = False
    section: str | None = None
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced and line.startswith("## "):
            in_commands = line.strip() == COMMANDS_HEADING
            section = TOP if in_commands else None
            continue
        if not fenced and line.startswith("### ") and in_commands:
            heading = _COMMAND_HEADING.match(line.strip())
            section = heading.group(1) if heading and heading.group(1) in commands else None
            if section is None:
                problems.append(f"cli.md:{number}: {line.strip()!r} under {COMMANDS_HEADING} is no command")
            else:
                sections.append(section)
            continue
        units = [(line, True)] if fenced else list(_units(line))
        for unit, in_code in units:
            scope = _scope(unit, section, commands) if in_code else section
            found += [Mention(number, section, scope, flag, in_code) for flag in _FLAG.findall(unit)]
    return found, sections, problems


def drift(text: str, options: Options) -> list[str]:
    """What docs/cli.md gets wrong about the parser: an empty list when it is right."""
    commands = frozenset(options.every) - {TOP}
    found, sections, problems = mentions(text, commands)
    known = frozenset().union(*options.every.values())
    for m in found:
        where = f"cli.md:{m.line}: {m.flag}"
        if not m.in_code:
            problems.append(f"{where} is written outside code (`{m.flag}`): the check reads code only")
        elif m.flag in MISSPELT:
            continue
        elif m.scope is None:
            if m.flag not in known:
                problems.append(f"{where}: no command has this option")
        elif m.flag not in options.every[m.scope]:
            problems.append(f"{where}: `{m.scope}` has no such option")
    for name in sorted(commands):
        if name not in sections:
            problems.append(f"no section `### \\`{name}\\`` under {COMMANDS_HEADING} for the command {name}")
    for name in sorted(options.shown):
        named = {m.flag for m in found if m.section == name and m.scope == name and m.in_code}
        for flag in sorted(options.shown[name] - named):
            problems.append(f"{flag} of {name} is not documented in its section")
    return problems


def test_docs_cli_names_every_command_and_option_and_no_other() -> None:
    problems = drift(PAGE.read_text(encoding="utf-8"), parser_options())
    assert not problems, "docs/cli.md and the parser differ:\n" + "\n".join(problems)


def test_every_command_has_one_section_in_the_order_of_the_help() -> None:
    _, sections, _ = mentions(PAGE.read_text(encoding="utf-8"), frozenset(COMMANDS))
    assert sections == list(COMMANDS)


def test_the_misspelt_examples_are_no_option_and_are_on_the_page() -> None:
    known = frozenset().union(*parser_options().every.values())
    assert not MISSPELT & known
    found, _, _ = mentions(PAGE.read_text(encoding="utf-8"), frozenset(COMMANDS))
    assert {m.flag for m in found} >= MISSPELT  # an example taken out takes its exemption with it


def test_the_common_options_table_lists_the_commands_that_have_each_option() -> None:
    options = parser_options()
    rows = markdown_table(PAGE.read_text(encoding="utf-8"), "## Common options")
    checked = 0
    for row in rows:
        flags = set(_FLAG.findall(row["option"]))
        if not flags:
            continue  # a positional (PROJECT)
        listed = {c for c in re.findall(r"`([\w-]+)`", row["commands"]) if c in options.every}
        having = {c for c in COMMANDS if flags & options.every[c]}
        assert listed == having, (row["option"], sorted(listed ^ having))
        checked += 1
    assert checked >= 3  # -e/--env, --set, --color


# --- the check itself: it fails on each kind of drift ---------------------------------------------------


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _section(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"\n### `{name}`\n")
    end = re.compile(r"\n##+ ").search(text, start + 1)
    return start, len(text) if end is None else end.start()


@pytest.mark.parametrize(("command", "flag"), [("lint", "--hook"), ("lint", "-q"), ("build", "-o")])
def test_an_option_removed_from_its_section_is_found(command: str, flag: str) -> None:
    text = _page()
    start, end = _section(text, command)
    body = text[start:end]
    assert f"`{flag}" in body
    cut = "\n".join(line for line in body.splitlines() if flag not in _FLAG.findall(line))
    problems = drift(text[:start] + cut + text[end:], parser_options())
    assert f"{flag} of {command} is not documented in its section" in problems


def test_an_option_documented_under_another_command_is_found() -> None:
    text = _page()
    start, end = _section(text, "render")
    moved = text[start:end].replace("`--eml FILE`", "`--dry-run FILE`")
    problems = drift(text[:start] + moved + text[end:], parser_options())
    assert any(p.endswith("--dry-run: `render` has no such option") for p in problems)
    assert "--eml of render is not documented in its section" in problems


def test_an_option_that_does_not_exist_is_found_anywhere_on_the_page() -> None:
    text = _page().replace(
        "\n## Shell completion\n",
        "\nSee `--no-such-flag`; `smtp-connector lint --out` too; and `smtp-connector --quiet`.\n"
        "\n## Shell completion\n",
    )
    problems = drift(text, parser_options())
    assert [p.split(": ", 1)[1] for p in problems] == [
        "--no-such-flag: no command has this option",
        "--out: `lint` has no such option",
        "--quiet: `smtp-connector` has no such option",
    ]


def test_a_flag_in_prose_is_found() -> None:
    problems = drift(_page() + "\nthe --built flag\n", parser_options())
    assert len(problems) == 1 and "--built is written outside code" in problems[0]


def test_a_missing_section_and_a_stray_one_are_found() -> None:
    text = _page()
    start, end = _section(text, "sink")
    stray = "\n### `sinkk`\n\n| `--port PORT` | the port |\n"
    problems = drift(text[:start] + stray + text[end:], parser_options())
    assert any("'### `sinkk`' under ## Commands is no command" in p for p in problems)
    assert any("for the command sink" in p for p in problems)


def test_a_new_option_in_the_parser_must_be_documented() -> None:
    parser = build_parser()
    parser.commands["schema"].add_argument("-x", "--extra", action="store_true", help="new")
    problems = drift(_page(), parser_options(parser))
    assert problems == [
        "--extra of schema is not documented in its section",
        "-x of schema is not documented in its section",
    ]


def test_smtp_connector_own_options_are_required() -> None:
    text = _page().replace("`smtp-connector --version`", "`smtp-connector`")
    assert "--version of smtp-connector is not documented in its section" in drift(text, parser_options())
