from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING

from connector.cli.options import add_env, add_provider

if TYPE_CHECKING:
    from pathlib import Path

    from connector.scaffold import Change, InitResult

HELP = "create a config project (provider, environments, templates, hook and CI) in DIR, skipping files that exist"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        nargs="?",
        default=".",
        metavar="DIR",
        help="the folder to create the project in (default: .); a file already there is never overwritten",
    )
    add_provider(
        parser,
        "--provider",
        required=True,
        metavar="NAME",
        help="a shipped provider (see `smtp-connector providers`)",
    )
    add_env(
        parser,
        "the environments, separated by commas (default: dev,prod); dev (or local, development) "
        "sends to the local sink",
        default="dev,prod",
        metavar="ENVS",
    )
    parser.add_argument(
        "--hook",
        choices=("local", "remote"),
        default=None,
        help="the pre-commit hook's form: local (the smtp-connector installed where git runs) or remote "
        "(pre-commit installs a tagged release); default: remote when this smtp-connector is a release "
        "installed from a package index, else local",
    )
    parser.add_argument(
        "--html",
        action="store_true",
        help="HTML templates: one file per usage type in templates/, extending a branded layout, with build "
        "variables (brand, colours, addresses) as examples/acme has them",
    )


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.scaffold import environment_names, init_project

    result = init_project(
        args.dir, args.provider, environment_names(args.env), hook=args.hook, html=args.html
    )
    print(_summary(result), end="")
    return 0


def _summary(result: InitResult) -> str:
    """What init created, extended and skipped, and what to do next."""
    lines: list[str] = []
    if result.in_repository:
        lines.append(f"git repository: {_path(result.root)} (the CI workflow and the hook config go there)")
    if result.created:
        lines += ["created:", *(f"  {_path(p)}" for p in result.created)]
    if result.updated:
        lines += ["updated (appended to):", *(f"  {_path(c.path)}: {c.note}" for c in result.updated)]
    if result.rewritten:
        lines += ["updated:", *(f"  {_path(c.path)}: {c.note}" for c in result.rewritten)]
    if result.skipped:
        lines += ["skipped (already there, left as it is):", *(f"  {_skipped(c)}" for c in result.skipped)]
    if result.outside:
        lines += [
            "not written (init writes nothing through a symlink that leads out):",
            *(f"  {_path(c.path)} ({c.note})" for c in result.outside),
        ]
    if not result.created and not result.updated and not result.rewritten and not result.outside:
        lines.append("nothing to do: every file init writes is already there")
    steps = _next_steps(result)
    if steps:
        lines += ["next:", *(f"  {i}. {step}" for i, step in enumerate(steps, 1))]
    return "\n".join(lines) + "\n"


def _next_steps(result: InitResult) -> list[str]:
    # start-up: a command's stage modules load only when it runs
    from connector.scaffold import PRE_COMMIT, WORKFLOW

    project = shlex.quote(str(result.project))
    steps = [
        f"smtp-connector build {project} --env {env}   # works now: {env} sends to the local sink "
        "(start it with `smtp-connector sink`)"
        for env in result.sink_environments[:1]
    ]
    if result.to_fill:
        files = ", ".join(_path(p) for p in result.to_fill)
        steps.append(f"replace each <...> value in {files}; `smtp-connector lint {project}` lists any left")
    for change in result.to_add:
        snippet = "".join(f"       {line}\n" for line in change.lines.splitlines())
        steps.append(f"add {change.what} {_path(change.path)} ({change.why}):\n{snippet.rstrip()}")
    created = {*result.created, *(c.path for c in (*result.updated, *result.rewritten))}
    if result.root / PRE_COMMIT in created:
        where = "" if _path(result.root) == "." else f" (in {_path(result.root)})"
        if not result.in_repository:
            where += ", once the folder is a git repository"
        steps.append(f"pre-commit install{where}   # lint the email config before every commit")
    if result.secrets and result.root / WORKFLOW in created:
        names = ", ".join(result.secrets)
        what = "a repository secret" if len(result.secrets) == 1 else "repository secrets"
        steps.append(
            f"store {names} as {what} for the CI workflow (Settings > Secrets and variables > Actions)"
        )
    return steps


def _skipped(change: Change) -> str:
    # start-up: a command's stage modules load only when it runs
    from connector.scaffold import ALREADY_THERE

    return _path(change.path) + ("" if change.note == ALREADY_THERE else f" ({change.note})")


def _path(path: Path) -> str:
    return str(path)
