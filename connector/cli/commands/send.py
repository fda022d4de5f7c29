from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from connector.cli.commands._runtime import (
    add_config_arguments,
    add_payload_arguments,
    check_locale,
    payload_from,
    usage_type,
)
from connector.cli.main import print_error
from connector.cli.options import add_color, add_usage_type
from connector.diagnostics.redact import redact
from connector.diagnostics.reporters import use_color, write_text
from connector.errors import UsageError

HELP = "send messages over real SMTP exactly as Logto would (or write them as .eml with --dry-run)"
DRY_RUN_DEFAULT = ""  # `--dry-run` alone: the folder is chosen from CONFIG (dry_run_folder)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from connector.diagnostics.findings import Finding
    from connector.mail.progress import Progress
    from connector.mail.send import Job, Outcome, Result
    from connector.schema.models import ConnectorConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_arguments(parser)
    add_usage_type(parser)
    # Repeatable, never nargs="+": a list option would swallow the CONFIG that follows it. Never split at
    # commas either: a recipient holding two addresses is refused (docs/security.md), not fanned out.
    parser.add_argument(
        "--to",
        action="append",
        metavar="ADDR",
        help="a recipient (one address); repeat --to for more; one message per recipient",
    )
    add_payload_arguments(parser)
    parser.add_argument(
        "--batch", metavar="FILE", help='a JSON Lines file of {"to", "type", "payload"}, one message per line'
    )
    parser.add_argument(
        "--dry-run",
        nargs="?",
        const=DRY_RUN_DEFAULT,
        metavar="DIR",
        help="write one .eml per message instead of sending, into DIR (default: out/dry-run/ in the project "
        "folder, or next to the config file); put it after CONFIG",
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
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.mail import batch as batchfile
    from connector.mail.config import load_runtime
    from connector.mail.locales import localized
    from connector.mail.send import Job

    if args.batch:
        if args.to or args.type or args.code is not None or args.payload is not None:
            raise UsageError(
                "--batch takes recipients, types and payloads from the file: drop --to, --type, --code and --payload"
            )
    elif not args.to or not args.type:
        raise UsageError("give --type and --to (or --batch FILE)")
    if args.attempts < 1 or not 0 <= args.backoff < float("inf"):  # nan fails every comparison
        raise UsageError("--attempts must be at least 1 and --backoff a number of seconds, at least 0")
    check_locale(args)
    if args.dry_run == DRY_RUN_DEFAULT:
        args.dry_run = dry_run_folder(args.config)
    jobs: list[Job] = []
    if not args.batch:
        kind = usage_type(args.type)
        payload = payload_from(args)
        assert payload is not None
        jobs = [Job(to, kind, payload) for to in args.to]
    # Writing .eml files connects nowhere: it needs no secret.
    config, languages = load_runtime(
        args.config, env=args.env, overrides=args.overrides, secrets=args.dry_run is None
    )
    # One language for the whole run (--locale, else the payload's): each type's template is the one Logto
    # picks for it; a batch line's own payload.locale fills {{locale}} but picks no other template.
    locale = args.locale or (jobs[0].payload.get("locale") if jobs else None)
    config, chosen = localized(config, languages, locale if isinstance(locale, str) else None)
    if jobs and (locale or languages.store):
        print(f"template: {languages.describe(chosen[jobs[0].usage_type])}", file=sys.stderr)
    color = use_color(sys.stderr, args.color)
    if args.batch:
        # Read and checked whole, a line at a time, each line's findings printed as found: nothing leaves
        # while any line would fail, and memory does not grow with the file (docs/runtime.md).
        pending: list[Finding] = []

        def report(found: Sequence[Finding]) -> None:
            pending.extend(found)
            if len(pending) >= 1000:  # a write per thousand, not per line: stderr is line-buffered
                write_text(pending, sys.stderr, color=color)
                pending.clear()

        try:
            batch = batchfile.read_batch(args.batch, config, on_finding=report)
        finally:
            write_text(pending, sys.stderr, color=color)
        if batch.bad:
            batch.close()
            print(f"smtp-connector: {batchfile.refusal(batch, batch.bad)}", file=sys.stderr)
            return 1
        with batch:
            return _send(args, config, batch.jobs(), batch.messages, color)
    return _send(args, config, iter(jobs), len(jobs), color)


def _send(
    args: argparse.Namespace, config: ConnectorConfig, jobs: Iterator[Job], total: int, color: bool
) -> int:
    """Send (or write) ``total`` jobs, one result line each, then the summary; the exit code."""
    # start-up: a command's stage modules load only when it runs
    from connector.mail.progress import ProgressTracker
    from connector.mail.send import Outcome, json_line

    progress = ProgressLine.for_terminal(sys.stderr, "written" if args.dry_run else "sent", color)
    tracker = ProgressTracker(total, progress.draw) if progress and total > 1 else None

    def emit(result: Result) -> None:
        line = redact(json_line(result.as_json())) + "\n"
        if progress is not None and progress.shares_screen:
            progress.hide()  # the result line goes where the progress line was, then it comes back below
            sys.stdout.write(line)
            sys.stdout.flush()
            progress.show()
        else:
            sys.stdout.write(line)
            sys.stdout.flush()
        if tracker is not None:
            tracker.add(result)

    failed_file = args.failed or (_beside(args.batch) if args.batch else None)
    _check_outputs(args, failed_file)
    outcome = Outcome(keep=False)  # counts and the failed jobs (spooled), not a result per message
    try:
        return _run(args, config, jobs, total, outcome, emit, progress, failed_file)
    finally:
        outcome.close()


def _run(
    args: argparse.Namespace,
    config: ConnectorConfig,
    jobs: Iterator[Job],
    total: int,
    outcome: Outcome,
    emit: Callable[[Result], None],
    progress: ProgressLine | None,
    failed_file: str | None,
) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.mail import batch as batchfile
    from connector.mail.send import RetryPolicy, send_all, write_messages
    from connector.mail.tls import tls_warnings

    try:
        if args.dry_run:
            write_messages(config, jobs, args.dry_run, on_result=emit, outcome=outcome)
        else:
            for warning in tls_warnings(config):
                print(f"smtp-connector: warning: {warning}", file=sys.stderr)
            retry = RetryPolicy(attempts=args.attempts, backoff=args.backoff)
            try:
                send_all(config, jobs, retry=retry, on_result=emit, outcome=outcome)
            except KeyboardInterrupt:
                if progress is not None:
                    progress.clear()
                _keep_unsent(outcome, jobs, total, failed_file)
                raise  # exit 130, decided in main
    finally:
        if progress is not None:
            progress.clear()  # the summary (or an error) starts on a clean line
    if outcome.fatal is not None:
        print_error(outcome.fatal, sys.stderr)
    counts = outcome.counts
    done = "written" if args.dry_run else "sent"
    summary = f"smtp-connector: {counts[done]} of {total} {done}"
    if counts["failed"]:
        summary += f", {counts['failed']} failed"
        if failed_file:
            batchfile.write_jobs(failed_file, outcome.failed_jobs())
            summary += f"; to send them again: --batch {failed_file}"
    print(summary, file=sys.stderr)
    return 0 if outcome.ok else 1


class ProgressLine:
    """Batch progress drawn on one terminal line of stderr, redrawn in place (``\\r``) and cleared at the
    end, so the result lines and the summary stay clean. Only ever made for a terminal."""

    def __init__(self, stream: TextIO, done: str, color: bool, shares_screen: bool) -> None:
        self.stream, self.done, self.color = stream, done, color
        self.shares_screen = shares_screen  # stdout is the same terminal: result lines interleave
        self.text = ""  # what is drawn now ("" when nothing is)
        self.last = ""
        try:  # a terminal that does not know its size says 0
            self.width = os.get_terminal_size(stream.fileno()).columns or 80
        except (OSError, ValueError):
            self.width = 80
        self.erase = "" if os.environ.get("TERM") == "dumb" else "\033[K"

    @classmethod
    def for_terminal(cls, stream: TextIO, done: str, color: bool) -> ProgressLine | None:
        """A progress line when ``stream`` is a terminal; None otherwise (a CI log gets no progress)."""
        if not (hasattr(stream, "isatty") and stream.isatty()):
            return None
        return cls(stream, done, color, shares_screen=sys.stdout.isatty())

    def draw(self, progress: Progress) -> None:
        self.last = self.line(progress)
        self.show()

    def line(self, progress: Progress) -> str:
        """``240/1000 sent (24%), 81.5/s, 2 failed, about 0:09 left``, cut to the terminal's width."""
        percent = progress.done * 100 // progress.total if progress.total else 100
        parts = [f"{progress.done}/{progress.total} {self.done} ({percent}%)", f"{progress.rate:.1f}/s"]
        failed = f"{progress.failed} failed"
        parts.append(f"\033[31m{failed}\033[0m" if self.color and progress.failed else failed)
        left = round(progress.eta) if progress.eta is not None else 0
        if left:  # "0:00 left" says nothing
            minutes, seconds = divmod(left, 60)
            parts.append(f"about {minutes}:{seconds:02d} left")
        text = ", ".join(parts)
        visible = len(text) - (9 if self.color and progress.failed else 0)
        # A line longer than the terminal wraps, and \r then redraws only its last row.
        return text if visible < self.width else ", ".join(parts[:2])[: max(self.width - 1, 0)]

    def show(self) -> None:
        if not self.last:
            return
        padding = " " * max(len(self.text) - len(self.last), 0) if not self.erase else ""
        self.stream.write(f"\r{self.last}{padding}{self.erase}")
        self.stream.flush()
        self.text = self.last

    def hide(self) -> None:
        if self.text:
            self.stream.write("\r" + (self.erase or " " * len(self.text) + "\r"))
            self.stream.flush()
            self.text = ""

    def clear(self) -> None:
        self.hide()
        self.last = ""


def _keep_unsent(outcome: Outcome, jobs: Iterator[Job], total: int, failed_file: str | None) -> None:
    """On Ctrl-C: every message that failed or was not sent yet goes to the resend file (the one being
    sent when interrupted included: it may have arrived, and at least once is the promise)."""
    # The job being sent when interrupted was taken from the iterator but has no result: it is kept too.
    in_flight = [outcome.in_flight] if outcome.in_flight else []
    rest = itertools.chain(outcome.failed_jobs(), in_flight, jobs)
    unsent = outcome.counts["failed"] + total - outcome.done  # the failed, the one in flight, the rest
    sent = outcome.counts["sent"]
    summary = f"smtp-connector: interrupted: {sent} of {total} sent"
    if unsent and failed_file:
        # start-up: a command's stage modules load only when it runs
        from connector.mail import batch as batchfile

        batchfile.write_jobs(failed_file, rest)
        summary += f", {unsent} not sent; to send them: --batch {failed_file}"
    print(summary, file=sys.stderr)


def _check_outputs(args: argparse.Namespace, failed_file: str | None) -> None:
    """Every path this send writes, checked before the first message leaves: a resend file that could not
    be written at the end would lose the failed messages' payloads (docs/runtime.md)."""
    # start-up: atomic (tempfile, shutil) loads only for a command that writes files
    from connector import atomic

    if args.dry_run:
        atomic.check_folder(args.dry_run, "--dry-run")
    if args.failed:
        atomic.check_file(args.failed, "--failed")
    elif failed_file:
        atomic.check_file(
            failed_file, "--failed", "the resend file goes next to the batch file: give --failed FILE"
        )


def dry_run_folder(config: str) -> str:
    """Where ``--dry-run`` alone writes: ``out/dry-run`` in the project folder (init git-ignores ``out/``),
    or next to a config file."""
    path = Path(config)
    base = path if path.is_dir() else path.parent
    return str(base / "out" / "dry-run")


def _beside(batch: str) -> str:
    path = Path(batch)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return str(path.with_name(f"{stem}.failed.jsonl"))
