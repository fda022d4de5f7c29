"""The options several commands share, defined once: the same spelling, short form, help and completion.

Each ``add_*`` takes a parser or an argument group (``build --env`` sits in a mutually exclusive group).
Completers are plain functions stored on the argparse action as ``completer`` (argcomplete's convention);
argcomplete itself is imported only when the shell asks for completions (docs/cli.md).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from connector.diagnostics.catalog import RULES
from connector.diagnostics.reporters import use_color
from connector.logto import USAGE_TYPES
from connector.resources import shipped_names

COLOR_CHOICES = ("auto", "always", "never")

# The attributes that name the project in each command's arguments: where --env completion looks.
_PROJECT_ATTRS = ("project", "config", "paths", "targets", "dir")

Completer = Callable[..., Iterable[str]]


def _completes(action: argparse.Action, completer: Completer) -> argparse.Action:
    setattr(action, "completer", completer)  # noqa: B010 - argcomplete reads this attribute
    return action


def add_project(parser: Any) -> argparse.Action:
    """PROJECT, optional: the current folder's project by default, as in every command that takes one."""
    action: argparse.Action = parser.add_argument(
        "project", nargs="?", default=".", metavar="PROJECT", help="the project folder (default: .)"
    )
    return action


def add_env(parser: Any, help: str, *, default: str | None = None, metavar: str = "ENV") -> argparse.Action:
    """``-e``/``--env ENV``, completed with the environments of the project named on the line."""
    action: argparse.Action = parser.add_argument("-e", "--env", metavar=metavar, default=default, help=help)
    return _completes(action, complete_environments)


def add_color(parser: Any) -> argparse.Action:
    """``--color {auto,always,never}`` for commands that print findings (auto: on a terminal only; NO_COLOR
    and FORCE_COLOR are honoured by ``auto``, see diagnostics.reporters.use_color)."""
    action: argparse.Action = parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour findings (default: auto: on a terminal, unless NO_COLOR is set or FORCE_COLOR forces it)",
    )
    return action


def add_set(parser: Any, help: str) -> argparse.Action:
    """``--set KEY=VALUE`` (repeatable): an override applied last."""
    action: argparse.Action = parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help
    )
    return action


def add_usage_type(parser: Any, *, required: bool = False) -> argparse.Action:
    """``--type TYPE``: a usage type Logto sends (checked by the command, completed from connector.logto)."""
    action: argparse.Action = parser.add_argument(
        "--type", required=required, metavar="TYPE", help="the usage type, e.g. SignIn"
    )
    return _completes(action, complete_usage_types)


def add_locale(parser: Any, help: str) -> argparse.Action:
    """``--locale TAG``: the recipient's language; the template is picked as Logto picks it (mail.locales)."""
    action: argparse.Action = parser.add_argument("--locale", metavar="TAG", help=help)
    return action


def add_provider(parser: Any, *args: str, **kwargs: Any) -> argparse.Action:
    """A shipped provider name (``init --provider``, ``providers NAME``), completed from providers/."""
    action: argparse.Action = parser.add_argument(*args, **kwargs)
    return _completes(action, complete_providers)


def add_rule_ids(parser: Any) -> argparse.Action:
    """``rules ID ...``, completed from the catalog."""
    action: argparse.Action = parser.add_argument(
        "ids", nargs="*", metavar="ID", help="only these rules, e.g. SC303"
    )
    return _completes(action, complete_rule_ids)


def color_for(stream: Any, args: argparse.Namespace) -> bool:
    """Whether to colour what goes to ``stream``, from the command's ``--color``."""

    return use_color(stream, getattr(args, "color", "auto"))


# Completers: called by argcomplete with keyword arguments (prefix, action, parser, parsed_args).


def complete_usage_types(**_: object) -> Iterable[str]:
    return USAGE_TYPES


def complete_providers(**_: object) -> Iterable[str]:
    return shipped_names()


def complete_rule_ids(**_: object) -> dict[str, str]:
    """Each rule id with its severity and name (zsh and fish show them beside the id)."""

    return {rule_id: f"{rule.severity} {rule.title}" for rule_id, rule in RULES.items()}


def complete_environments(parsed_args: argparse.Namespace | None = None, **_: object) -> Iterable[str]:
    """The environments of the project named earlier on the line (the current folder without one)."""
    # start-up: a command's stage modules load only when it runs
    from connector.project.layout import environments_in

    folder = "."
    for attr in _PROJECT_ATTRS:
        value = getattr(parsed_args, attr, None)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value:
            folder = value
            break
    path = Path(folder)
    if not path.is_dir():  # a config file or smtp-connector.yaml: its folder
        path = path.parent
    return environments_in(path) if os.path.isdir(path) else ()
