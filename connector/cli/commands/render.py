from __future__ import annotations

import argparse
import sys

from connector.cli.commands._runtime import (
    add_config_arguments,
    add_payload_arguments,
    check_locale,
    payload_from,
    usage_type,
)
from connector.cli.options import add_color, add_usage_type
from connector.diagnostics.redact import redact
from connector.logto.addresses import header

HELP = "render a template exactly as Logto would: print the subject and body, or write the whole .eml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_arguments(parser)
    add_usage_type(parser, required=True)
    add_payload_arguments(parser, default="sample values for the usage type, as `preview` fills them")
    parser.add_argument("--to", metavar="ADDR", help="the recipient written in the .eml's To header")
    parser.add_argument("--eml", metavar="FILE", help="write the whole message to FILE instead of printing")
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: atomic (tempfile, shutil) loads only for a command that writes files
    from connector import atomic
    from connector.mail.config import load_runtime
    from connector.mail.locales import localized
    from connector.mail.message import build_message, fill_message, to_bytes

    kind = usage_type(args.type)
    check_locale(args)
    payload = payload_from(args, required=False)
    config, languages = load_runtime(args.config, env=args.env, overrides=args.overrides, secrets=False)
    if payload is None:  # nothing given: what the gallery shows, in the recipient's language
        from connector.preview import sample_payload  # start-up: only without --code or --payload

        payload = sample_payload(kind, args.locale or languages.language)
    locale = payload.get("locale")
    locale = locale if isinstance(locale, str) else None
    config, chosen = localized(config, languages, locale)
    rendered = fill_message(config, kind, payload)
    if locale is not None or languages.store:
        print(f"template: {languages.describe(chosen[kind])}", file=sys.stderr)
    message = build_message(config, rendered, args.to)
    if args.eml:
        atomic.write_bytes(args.eml, to_bytes(message))
        print(f"wrote {args.eml}", file=sys.stderr)
        return 0
    # The mailboxes as nodemailer writes them in Logto's message (logto/addresses.py), names unencoded.
    lines = [f"From: {header(rendered.sender)}"]
    reply_to = header(rendered.reply_to) if rendered.reply_to else ""
    if reply_to:
        lines.append(f"Reply-To: {reply_to}")
    lines += [f"Subject: {rendered.subject}", f"Content-Type: {rendered.content_type}", "", rendered.body]
    text = "\n".join(lines)
    sys.stdout.write(redact(text if text.endswith("\n") else text + "\n"))
    return 0
