from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from connector.cli.commands._runtime import (
    add_config_arguments,
    add_payload_arguments,
    payload_from,
    usage_type,
)

HELP = "send messages over real SMTP exactly as Logto would (or write them as .eml with --dry-run)"

if TYPE_CHECKING:
    from connector.mail.send import Job, Outcome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_arguments(parser)
    parser.add_argument("--type", metavar="TYPE", help="the usage type, e.g. SignIn")
    parser.add_argument("--to", nargs="+", metavar="ADDR", help="one message per recipient")
    add_payload_arguments(parser)
    parser.add_argument(
        "--batch", metavar="FILE", help='a JSON Lines file of {"to", "type", "payload"}, one message per line'
    )
    parser.add_argument(
        "--dry-run", metavar="DIR", help="write one .eml per message into DIR instead of sending"
    )
    parser.add_argument(
        "--failed",
        metavar="FILE",
        help="where to write the messages that failed, ready for --batch (default: next to the batch file)",
    )
    parser.add_argument("--attempts", type=int, default=3, metavar="N", help="tries per message (default 3)")
    parser.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="wait before retrying a 4xx reply or a dropped connection; doubles each time (default 1)",
    )


def run(args: argparse.Namespace) -> int:
    from connector.diagnostics.redact import redact
    from connector.errors import UsageError
    from connector.mail import batch as batchfile
    from connector.mail.config import load_runtime_config
    from connector.mail.send import Job, Outcome, Result, RetryPolicy, send_all, write_all
    from connector.mail.tls import tls_warnings

    if args.batch:
        if args.to or args.type or args.code is not None or args.payload is not None:
            raise UsageError(
                "--batch takes recipients, types and payloads from the file: drop --to, --type, --code and --payload"
            )
        jobs = batchfile.read_jobs(args.batch)
    else:
        if not args.to or not args.type:
            raise UsageError("give --type and --to (or --batch FILE)")
        kind = usage_type(args.type)
        payload = payload_from(args)
        assert payload is not None
        jobs = [Job(to, kind, payload) for to in args.to]
    if args.attempts < 1 or not 0 <= args.backoff < float("inf"):  # nan fails every comparison
        raise UsageError("--attempts must be at least 1 and --backoff a number of seconds, at least 0")
    # Writing .eml files connects nowhere: it needs no secret.
    config = load_runtime_config(
        args.config, env=args.env, overrides=args.overrides, secrets=not args.dry_run
    )

    def emit(result: Result) -> None:
        sys.stdout.write(redact(batchfile.json_line(result.as_json())) + "\n")
        sys.stdout.flush()

    failed_file = args.failed or (_beside(args.batch) if args.batch else None)
    if args.dry_run:
        outcome = write_all(config, jobs, args.dry_run, on_result=emit)
    else:
        for warning in tls_warnings(config):
            print(f"smtp-connector: warning: {warning}", file=sys.stderr)
        retry = RetryPolicy(attempts=args.attempts, backoff=args.backoff)
        outcome = Outcome()
        try:
            send_all(config, jobs, retry=retry, on_result=emit, outcome=outcome)
        except KeyboardInterrupt:
            _keep_unsent(outcome, jobs, failed_file)
            raise  # exit 130, decided in main
    if outcome.fatal is not None:
        from connector.cli.main import print_error

        print_error(outcome.fatal, sys.stderr)
    failed = outcome.failed
    counts = outcome.counts
    done = "written" if args.dry_run else "sent"
    summary = f"smtp-connector: {counts[done]} of {len(jobs)} {done}"
    if failed:
        summary += f", {len(failed)} failed"
        if failed_file:
            batchfile.write_jobs(failed_file, failed)
            summary += f"; to send them again: --batch {failed_file}"
    print(summary, file=sys.stderr)
    return 0 if outcome.ok else 1


def _keep_unsent(outcome: Outcome, jobs: list[Job], failed_file: str | None) -> None:
    """On Ctrl-C: every message that failed or was not sent yet goes to the resend file (the one being
    sent when interrupted included: it may have arrived, and at least once is the promise)."""
    rest = outcome.failed + jobs[len(outcome.results) :]
    sent = outcome.counts["sent"]
    summary = f"smtp-connector: interrupted: {sent} of {len(jobs)} sent"
    if rest and failed_file:
        from connector.mail import batch as batchfile

        batchfile.write_jobs(failed_file, rest)
        summary += f", {len(rest)} not sent; to send them: --batch {failed_file}"
    print(summary, file=sys.stderr)


def _beside(batch: str) -> str:
    path = Path(batch)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return str(path.with_name(f"{stem}.failed.jsonl"))
