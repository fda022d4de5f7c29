"""``smtp-connector doctor``: go-live checks of the SMTP server, the sender's DNS and the templates."""

from __future__ import annotations

import argparse
import sys

from connector.cli.commands._runtime import add_config_arguments
from connector.cli.options import add_color

HELP = "check the SMTP server, the sender domains' DNS and the templates before going live (sends nothing)"
FORMATS = ("text", "json", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # No --locale: doctor checks every language the store holds.
    add_config_arguments(parser, locale=False)
    parser.add_argument(
        "--all",
        action="store_true",
        help="check every environment of the project folder (but those sending to this machine: a local sink)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--only",
        metavar="PARTS",
        help="a comma-separated list of the parts to run: smtp, dns, templates (default: all)",
    )
    parser.add_argument(
        "--dns-server",
        metavar="HOST[:PORT]",
        help="ask this DNS server instead of the system's resolver",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="the longest wait for any network answer (default: the config's timeouts)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    add_color(parser)


def parts_of(value: str | None) -> tuple[str, ...]:
    # start-up: imported when this runs, so other commands start fast
    from connector.diagnostics.suggest import did_you_mean
    from connector.doctor import PARTS
    from connector.errors import UsageError

    if value is None:
        return PARTS
    parts = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    for part in parts:
        if part not in PARTS:
            guess = did_you_mean(part, PARTS)
            raise UsageError(
                f"--only {part}: no such part"
                + (f"; did you mean `{guess}`?" if guess else f"; the parts are {', '.join(PARTS)}")
            )
    if not parts:
        raise UsageError(f"--only needs at least one of {', '.join(PARTS)}")
    return parts


def run(args: argparse.Namespace) -> int:
    # start-up: imported when this runs, so other commands start fast
    import os

    from connector.cli.options import color_for
    from connector.doctor import Options, failed
    from connector.doctor.domains import server_address
    from connector.doctor.examine import examine, examine_all
    from connector.doctor.report import as_github, as_json, as_text
    from connector.errors import UsageError
    from connector.logto import MAX_TIMER_MS

    # Every wait goes to nodemailer's timeout keys, which Node clamps to 1 ms past MAX_TIMER_MS (SC311).
    if args.timeout is not None and not (0 < args.timeout <= MAX_TIMER_MS / 1000):
        raise UsageError(
            f"--timeout must be a number of seconds greater than 0 and at most {MAX_TIMER_MS / 1000:,}"
        )
    if args.all and args.env:
        raise UsageError("--all checks every environment: give it or --env ENV, not both")
    if args.dns_server is not None:
        server_address(args.dns_server)  # a wrong one is a wrong command line, whatever the config holds
    options = Options(
        parts=parts_of(args.only),
        timeout=args.timeout,
        dns_server=args.dns_server,
        environ=dict(os.environ),
    )
    if args.all:
        checks = examine_all(args.config, overrides=args.overrides, options=options)
    else:
        checks = examine(args.config, env=args.env, overrides=args.overrides, options=options)
    if args.format == "json":
        sys.stdout.write(as_json(checks))
    elif args.format == "github":
        # start-up: imported when this runs, so other commands start fast
        from pathlib import Path

        from connector.safe_paths import repository_root

        sys.stdout.write(as_github(checks, root=repository_root(Path.cwd())))
    else:
        sys.stdout.write(as_text(checks, color=color_for(sys.stdout, args)))
    return 1 if failed(checks, strict=args.strict) else 0
