"""Arguments shared by render and send: CONFIG and the payload; --env, --set and --type come from
connector/cli/options.py, the home of the options several commands share."""

from __future__ import annotations

import argparse
from typing import Any

from connector.cli.options import add_env, add_locale, add_set
from connector.errors import InputError, UsageError
from connector.logto.usage_types import usage_type_problem


def add_config_arguments(parser: argparse.ArgumentParser, *, locale: bool = True) -> None:
    """CONFIG, --env and --set; --locale too when the command sends or renders one language."""
    parser.add_argument(
        "config", metavar="CONFIG", help="a built config file (JSON or YAML) or a project folder"
    )
    add_env(parser, "the environment to build, when CONFIG is a project folder")
    add_set(parser, "change one config value before validation, e.g. --set port=2525 (repeatable)")
    if not locale:
        return
    add_locale(
        parser,
        "the recipient's language (Logto's payload.locale): the template is the one Logto picks for it, "
        "from the project's locales (its email-template store) first, as docs/runtime.md says",
    )


def add_payload_arguments(parser: argparse.ArgumentParser, *, default: str | None = None) -> None:
    """--code or --payload; ``default``: what the command uses when neither is given (else one is needed)."""
    group = parser.add_mutually_exclusive_group()
    also = f" (default: {default})" if default else ""
    group.add_argument(
        "--code", metavar="CODE", help=f'the verification code: the payload {{"code": CODE}}{also}'
    )
    group.add_argument(
        "--payload",
        metavar="JSON",
        help='the whole payload as a JSON object, or @FILE to read it, e.g. \'{"code": "123456", "locale": "en"}\'',
    )


def usage_type(value: str) -> str:
    """``--type``: one of the usage types Logto sends; anything else would silently render Generic."""

    problem = usage_type_problem(value)
    if problem is None:
        return value
    message, hint = problem  # lint's SC101, word for word: a usage error here (exit 2)
    raise UsageError(f"--type: {message}", hint=hint)


def payload_from(args: argparse.Namespace, *, required: bool = True) -> dict[str, Any] | None:
    """The payload of --code or --payload, with --locale as its ``locale`` (Logto picks the template by it)."""
    payload = _payload(args, required=required)
    locale = getattr(args, "locale", None)
    if payload is not None and locale:
        payload = {**payload, "locale": locale}
    return payload


def check_locale(args: argparse.Namespace) -> None:
    """--locale TAG must be a language tag, as Logto's sign-in experience lists them."""
    # start-up: the tag check loads only for a command given --locale's argument
    from connector.authoring.locales import check_language_tag
    from connector.diagnostics.findings import Location

    if args.locale is not None:
        problems = check_language_tag(args.locale, Location("--locale"))
        if problems:
            raise UsageError(f"--locale {args.locale}: {problems[0].message} ({problems[0].hint})")


def _payload(args: argparse.Namespace, *, required: bool) -> dict[str, Any] | None:
    if args.code is not None:
        return {"code": args.code}
    if args.payload is None:
        if required:
            raise UsageError("give the payload: --code CODE or --payload JSON")
        return None
    # start-up: a command's stage modules load only when it runs
    from connector.mail.json_lines import parse_json, read_text_input
    from connector.source.loader import MAX_BYTES

    text: str = args.payload
    source = "--payload"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = read_text_input(source, MAX_BYTES)
        except UnicodeDecodeError as e:
            raise InputError(
                f"{source}: the payload file is not UTF-8 (byte 0x{e.object[e.start]:02x})"
            ) from e
        except (OSError, ValueError) as e:
            raise InputError(
                f"{source}: cannot read the payload file: {getattr(e, 'strerror', None) or e}"
            ) from e
    payload = parse_json(text, source, '--payload \'{"code": "123456"}\'')
    if not isinstance(payload, dict):
        raise InputError(f'{source}: the payload must be a JSON object, like {{"code": "123456"}}')
    return payload
