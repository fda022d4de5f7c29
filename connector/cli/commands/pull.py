from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from connector.cli.commands.deploy import add_target_arguments, flags_of
from connector.cli.options import add_env
from connector.diagnostics.printable import printable
from connector.diagnostics.redact import redact
from connector.errors import UsageError
from connector.safe_paths import name_problem

HELP = "create a project from the SMTP connector and email templates Logto holds (never overwrites a file)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder", metavar="DIR", help="the new project's folder (created; no file is overwritten)"
    )
    add_env(
        parser,
        "the environment file to write, naming this Logto as its target (default: prod)",
        default="prod",
    )
    parser.add_argument(
        "--language",
        metavar="TAG",
        default="en",
        help="the language of the connector's own templates: your sign-in experience's fallback language "
        "(default: en); the store's other languages become `locales`",
    )
    add_target_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.deploy.client import ManagementClient
    from connector.deploy.plan import read_live
    from connector.deploy.pull import pull_project, write_pulled
    from connector.deploy.target import resolve_target
    from connector.source.files import ENVIRONMENT_NAME, ENVIRONMENT_NAME_HINT

    if not ENVIRONMENT_NAME.match(args.env):
        raise UsageError(f"`{args.env}` is not a usable environment name ({ENVIRONMENT_NAME_HINT})")
    for option, name in (("-e/--env", f"{args.env}.yaml"), ("--language", args.language)):
        problem = name_problem(name)
        if problem is not None:
            raise UsageError(f"{option}: `{printable(name)}` cannot name a file or folder: {problem}")
    if args.timeout <= 0:
        raise UsageError("--timeout takes a positive number of seconds")
    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    target = resolve_target(flags=flags_of(args), environ=os.environ, ca_file=args.ca_file)
    with ManagementClient(target, timeout=args.timeout) as client:
        live = read_live(client)
    pulled = pull_project(live, target, env=args.env, language=args.language)
    written = write_pulled(pulled, folder)
    for line in pulled.skipped:  # Logto's text: redacted, then printable, as everything from outside is shown
        print(printable(redact(f"warning: not pulled: {line}")), file=sys.stderr)
    if pulled.differences:
        print(
            redact(
                "error: building the pulled project does not give back Logto's config exactly, "
                f"so nothing was written to {folder}:"
            ),
            file=sys.stderr,
        )
        for line in pulled.differences:
            print(printable(redact(f"  {line}")), file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    print("set these variables (from your secret store) to build or deploy it:")
    for name, key in pulled.variables.items():
        print(f"  {name}  ({key})")
    for name, key in (("LOGTO_M2M_APP_ID", "logto.appId"), ("LOGTO_M2M_APP_SECRET", "logto.appSecret")):
        print(f"  {name}  ({key} in environments/{args.env}.yaml; deploy only)")
    return 0
