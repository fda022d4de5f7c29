from __future__ import annotations

import argparse
import os
import sys

from connector.errors import InputError

# connector.sink.DEFAULT_HOST and DEFAULT_PORT (a test holds them equal; importing the sink here would load
# asyncio for every command).
HELP = "run a development SMTP server that stores every message it receives as an .eml file"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535; 0 picks a free one)")
    return port


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=2525, help="the port to listen on (default 2525; 0 picks one)"
    )
    parser.add_argument("--dir", default="mail-sink", help="where to store messages (default ./mail-sink)")
    parser.add_argument(
        "--max-size",
        type=_at_least_one,
        metavar="BYTES",
        help="refuse larger messages with 552 (default 10485760, 10 MiB)",
    )
    parser.add_argument(
        "--max-connections",
        type=_at_least_one,
        metavar="N",
        help="answer 421 to more clients at once (default 20)",
    )


def run(args: argparse.Namespace) -> int:
    # start-up: asyncio loads only when it is needed
    import asyncio

    from connector.sink import Received, Sink, shown

    def show(received: Received) -> None:
        print(received.summary(), flush=True)

    def ready(sink: Sink) -> None:
        print(
            f"smtp-connector sink: listening on {sink.host}:{sink.port}, storing messages in "
            f"{shown(str(sink.directory))} (Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )

    # The defaults live in connector.sink (not imported here: every command builds this parser).
    limits = {"max_size": args.max_size, "max_connections": args.max_connections}
    # keep=0: the command prints each summary and forgets the message (it is in its file).
    sink = Sink(
        args.host,
        args.port,
        args.dir,
        keep=0,
        on_message=show,
        **{name: value for name, value in limits.items() if value is not None},
    )
    try:
        asyncio.run(sink.serve_forever(ready))
    except KeyboardInterrupt:
        print(f"smtp-connector sink: stopped after {sink.count} message(s)", file=sys.stderr)
    except OSError as e:
        if e.filename:
            raise InputError(f"cannot use the folder {e.filename}: {os.strerror(e.errno or 0)}") from e
        reason = os.strerror(e.errno) if e.errno else str(e)
        raise InputError(
            f"cannot listen on {args.host}:{args.port}: {reason}", hint="pick another --port"
        ) from e
    return 0
