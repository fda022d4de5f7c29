from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from connector.cli.options import add_rule_ids
from connector.diagnostics.catalog import RULES, documented_in
from connector.diagnostics.suggest import did_you_mean
from connector.errors import UsageError

if TYPE_CHECKING:
    from connector.diagnostics.catalog import Rule

HELP = "list every rule: its id, severity, name, what it checks and where it is documented"
_CONTEXT = 3  # lines of the example shown up to the line a finding is at


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_rule_ids(parser)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    chosen = [_rule(name) for name in args.ids]
    rules = chosen or [RULES[key] for key in sorted(RULES)]
    if args.format == "json":
        items = []
        for r in rules:
            item: dict[str, object] = {
                "id": r.id,
                "severity": r.severity,
                "name": r.title,
                "checks": r.help,
                "documented": documented_in(r.id),
            }
            if chosen:
                found = example(r.id)
                if found is not None:
                    item["example"] = {"file": found[0], "text": found[1], "finding": found[2]}
            items.append(item)
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return 0
    for r in rules:
        sys.stdout.write(f"{r.id}  {r.severity:<7}  {r.title}  ({documented_in(r.id)})\n    {r.help}\n")
        if chosen:  # asked for by name: the whole entry, with an example, from what the package holds
            found = example(r.id)
            if found is not None:
                name, text, finding = found
                sys.stdout.write(f"  example ({name}):\n{text}  {finding}\n")
    return 0


def _rule(name: str) -> Rule:
    """A rule by its id (``SC303``, any case) or its name (``port-secure-mismatch``)."""
    rule_id = name.upper()
    if rule_id in RULES:
        return RULES[rule_id]
    by_name = {r.title: r for r in RULES.values()}
    if name.lower() in by_name:
        return by_name[name.lower()]
    guess = did_you_mean(rule_id, RULES) or did_you_mean(name.lower(), by_name)
    raise UsageError(f"no rule {name}" + (f"; did you mean {guess}?" if guess else ""))


def example(rule_id: str) -> tuple[str, str, str] | None:
    """A file the lint reports ``rule_id`` in (from the lint's own tested examples): its name, the lines up
    to the finding (numbered), and the finding as lint prints it (``3:9: error SC303 ...``)."""
    # start-up: the examples are read only when one rule is asked for
    import re

    from connector.diagnostics.catalog import severity_of
    from connector.resources import rule_examples_dir

    folder = rule_examples_dir()
    if folder is None:
        return None
    expect = re.compile(rf"^#\s*expect:\s*{rule_id}@(\d+):(\d+)(?:\s+(.*))?$", re.M)
    for path in sorted(folder.glob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        match = expect.search(text)
        if match is None:
            continue
        line, column = int(match[1]), int(match[2])
        lines = text.splitlines()
        start = max(1, line - _CONTEXT + 1)
        shown = "".join(f"    {n:>3} | {lines[n - 1]}\n" for n in range(start, min(line, len(lines)) + 1))
        message = match[3] or ""
        return path.name, shown, f"{line}:{column}: {severity_of(rule_id)} {rule_id} {message}".rstrip()
    return None
