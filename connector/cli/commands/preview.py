from __future__ import annotations

import argparse
import sys
from pathlib import Path

from connector.cli.options import add_color, add_env, add_locale, add_project, color_for
from connector.diagnostics.reporters import write_text
from connector.errors import UsageError

HELP = "write an HTML gallery of every template, per environment and language, filled with sample values"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project(parser)
    add_env(parser, "only this environment (default: every environment)")
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="the folder to write index.html into (default: out/preview in the project)",
    )
    add_locale(
        parser,
        "show what a recipient in this language gets: for each usage type, the template Logto picks "
        "(a locale variant, else the connector's own, else Generic), named in the gallery",
    )
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector import preview
    from connector.build.outputs import build_environments
    from connector.cli.commands._runtime import check_locale
    from connector.mail.locales import Languages, localized
    from connector.project.layout import load_project
    from connector.scaffold import PREVIEW_DIR

    check_locale(args)

    project = load_project(args.project)
    write_text(project.findings, sys.stderr, color=color_for(sys.stderr, args))
    envs = [args.env] if args.env is not None else list(project.environments)
    if not envs:
        raise UsageError(f"{project.root} has no environments/*.yaml to preview")
    # ${VAR} references stay as written: a gallery needs no secret, and none ends up in a CI artifact.
    built = build_environments(project, envs, resolve=False)
    sets: list[preview.PreviewSet] = []
    for env, item in built.items():
        write_text(item.warnings, sys.stderr, color=color_for(sys.stderr, args))
        if args.locale is None:
            sets += preview.preview_sets(
                env or "", item.config, language=item.language, variants=item.variants
            )
            continue
        languages = Languages.from_variants(item.language, item.variants)
        chosen = localized(item.config, languages, args.locale)[1]
        sets.append(
            preview.PreviewSet(
                env or "",
                args.locale,
                # Each usage type as it is sent: the template picked, with that type's payload.
                [c.template.model_copy(update={"usageType": kind}) for kind, c in chosen.items()],
                item.config.fromEmail,
                item.config.replyTo,
                picked={kind: languages.describe(choice) for kind, choice in chosen.items()},
            )
        )
    out = Path(args.out) if args.out else Path(project.root) / PREVIEW_DIR
    print(preview.write_gallery(sets, out))
    return 0
