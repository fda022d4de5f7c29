from __future__ import annotations

import argparse
import json
import sys

from connector.cli.options import add_rule_ids
from connector.diagnostics.catalog import RULES, documented_in
from connector.diagnostics.suggest import did_you_mean
from connector.errors import UsageError

HELP = "list every rule: its id, severity, name, what it checks and where it is documented"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_rule_ids(parser)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    chosen = []
    for name in args.ids:
        rule_id = name.upper()
        if rule_id not in RULES:
            guess = did_you_mean(rule_id, RULES)
            raise UsageError(f"no rule {name}" + (f"; did you mean {guess}?" if guess else ""))
        chosen.append(RULES[rule_id])
    rules = chosen or [RULES[key] for key in sorted(RULES)]
    if args.format == "json":
        items = [
            {
                "id": r.id,
                "severity": r.severity,
                "name": r.title,
                "checks": r.help,
                "documented": documented_in(r.id),
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return 0
    for r in rules:
        sys.stdout.write(f"{r.id}  {r.severity:<7}  {r.title}  ({documented_in(r.id)})\n    {r.help}\n")
    return 0
