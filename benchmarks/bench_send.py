"""Batch sending speed: ``send_all`` against the loop a user would write, both to the same local sink, same run.

    python benchmarks/bench_send.py [--messages 1000] [--repeat 5]

The sink runs in its own process (``smtp-connector sink``), so the client and the server do not share a
GIL. Rows (medians of ``--repeat`` runs, messages per second):

- ours: ``connector.mail.send.send_all`` over one reused connection, rendering every message from the config
  (template, placeholders, headers) as it goes; target >= 0.9x the peer;
- the peer, "EmailMessage loop": what a user would write without this tool: smtplib over one connection,
  each message built with ``email.message.EmailMessage`` inside the timed loop (the template filled with
  ``str.replace``; the same headers ours sends, Date and Message-ID included);
- prebuilt messages: smtplib ``sendmail`` over one connection with ours' bytes built before the clock
  starts (the transport alone: a ceiling, not a peer);
- connection per message: a new smtplib connection for every prebuilt message, as Logto does.

Not part of the test suite: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import email.utils
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.mail.send import Job, RetryPolicy, prepare, send_all  # noqa: E402
from connector.schema.models import ConnectorConfig  # noqa: E402

TEMPLATES = [
    {
        "usageType": kind,
        "contentType": "text/html",
        "subject": "{{application.name}}: your code is {{code}}",
        "content": "<html><body><h1>{{application.name}}</h1><p>Your code is <b>{{code}}</b>.</p>"
        + "<p>It expires in 10 minutes. If you did not ask for it, ignore this message.</p>" * 5
        + "</body></html>",
    }
    for kind in ("SignIn", "Register", "ForgotPassword", "Generic")
]


PEER = "EmailMessage loop"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sink(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "connector", "sink", "--port", str(port), "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the sink did not start")


def timed(fn: Callable[[], int]) -> float:
    start = time.perf_counter()
    count = fn()
    return count / (time.perf_counter() - start)


def measure(messages: int = 1000, repeat: int = 5) -> dict[str, float]:
    """Median messages per second of each way of sending ``messages`` messages to a local sink."""
    with tempfile.TemporaryDirectory() as tmp:
        mail = Path(tmp) / "mail"
        proc, port = start_sink(mail)
        try:
            config = ConnectorConfig.model_validate(
                {
                    "host": "127.0.0.1",
                    "port": port,
                    "auth": {"type": "login"},
                    "fromEmail": "Acme <no-reply@acme.test>",
                    "templates": TEMPLATES,
                    "name": "bench.local",
                }
            )
            jobs = [
                Job(f"user{i}@example.com", "SignIn", {"code": f"{i:06d}", "application": {"name": "Acme"}})
                for i in range(messages)
            ]
            prepared = [prepare(config, job) for job in jobs]

            def ours() -> int:
                outcome = send_all(config, jobs, retry=RetryPolicy(attempts=1))
                assert outcome.ok, outcome.results[:3]
                return len(jobs)

            def bare() -> int:
                with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local") as client:
                    for sender, recipient, data in prepared:
                        client.sendmail(sender, [recipient], data)
                return len(prepared)

            subject, content = TEMPLATES[0]["subject"], TEMPLATES[0]["content"]

            def email_message_loop() -> int:
                with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local") as client:
                    for job in jobs:
                        code, name = job.payload["code"], job.payload["application"]["name"]
                        message = EmailMessage()
                        message["From"] = "Acme <no-reply@acme.test>"
                        message["To"] = job.to
                        message["Subject"] = subject.replace("{{application.name}}", name).replace(
                            "{{code}}", code
                        )
                        message["Date"] = email.utils.formatdate(localtime=True)
                        message["Message-ID"] = email.utils.make_msgid(domain="acme.test")
                        message.set_content(
                            content.replace("{{application.name}}", name).replace("{{code}}", code),
                            subtype="html",
                        )
                        client.send_message(message)
                return len(jobs)

            def per_message() -> int:
                for sender, recipient, data in prepared:
                    with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local") as client:
                        client.sendmail(sender, [recipient], data)
                return len(prepared)

            rows = {
                "ours (send_all)": ours,
                "EmailMessage loop": email_message_loop,
                "prebuilt messages": bare,
            }
            rows["connection per message"] = per_message
            rates: dict[str, list[float]] = {name: [] for name in rows}
            names = list(rows)
            for round_ in range(repeat):
                # Interleaved and rotated, so drift and warm-up hit every row alike; the sink's folder is
                # emptied between runs (untimed) so no run writes into a bigger folder than another.
                for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                    rates[name].append(timed(rows[name]))
                    for stored in mail.glob("*.eml"):
                        stored.unlink()
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    medians = measure(args.messages, args.repeat)
    base = medians[PEER]
    print(
        f"{args.messages} messages to the local sink, median of {args.repeat} runs, Python {sys.version.split()[0]}"
    )
    print(f"{'':24} {'msg/s':>9} {'vs peer':>8}")
    for name, rate in medians.items():
        print(f"{name:24} {rate:9.0f} {rate / base:7.2f}x")
    ratio = medians["ours (send_all)"] / base
    print(f"target: ours >= 0.90x the {PEER}: {'met' if ratio >= 0.9 else 'NOT met'} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
