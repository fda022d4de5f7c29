from __future__ import annotations

import argparse
import sys

HELP = "run a development SMTP server that stores every message it receives as an .eml file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=2525, help="the port to listen on (default 2525; 0 picks one)"
    )
    parser.add_argument("--dir", default="mail-sink", help="where to store messages (default ./mail-sink)")
    parser.add_argument(
        "--max-size", type=int, default=10 * 1024 * 1024, metavar="BYTES", help="refuse larger messages (552)"
    )


def run(args: argparse.Namespace) -> int:
    import asyncio
    import os

    from connector.errors import InputError
    from connector.sink import Received, Sink

    def show(received: Received) -> None:
        print(received.summary(), flush=True)

    def ready(sink: Sink) -> None:
        print(
            f"smtp-connector sink: listening on {sink.host}:{sink.port}, storing messages in {sink.directory} "
            "(Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )

    sink = Sink(args.host, args.port, args.dir, max_size=args.max_size, on_message=show)
    try:
        asyncio.run(sink.serve_forever(ready))
    except KeyboardInterrupt:
        print(f"smtp-connector sink: stopped after {len(sink.messages)} message(s)", file=sys.stderr)
    except OSError as e:
        if e.filename:
            raise InputError(f"cannot use the folder {e.filename}: {os.strerror(e.errno or 0)}") from e
        reason = os.strerror(e.errno) if e.errno else str(e)
        raise InputError(
            f"cannot listen on {args.host}:{args.port}: {reason} (hint: pick another --port)"
        ) from e
    return 0
