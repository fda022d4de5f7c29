from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from connector.cli.options import add_color, add_env, add_project, add_set, color_for
from connector.diagnostics.findings import Location
from connector.diagnostics.reporters import write_text
from connector.errors import InputError, UsageError
from connector.safe_paths import name_problem, unsafe_name

if TYPE_CHECKING:
    from pathlib import Path

    from connector.build.outputs import Built
    from connector.project.layout import Project

HELP = "build the final Logto JSON of an environment (or of every one) from a config project"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project(parser)
    which = parser.add_mutually_exclusive_group()
    add_env(which, "the environment to build (environments/ENV.yaml)")
    which.add_argument("--all", action="store_true", help="build every environment (with --out-dir)")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (- or nothing: standard output)"
    )
    parser.add_argument(
        "--out-dir",
        metavar="DIR",
        help="write DIR/ENV.json for each environment built (and DIR/ENV.email-templates.json with locales)",
    )
    parser.add_argument(
        "--locales-out",
        metavar="FILE",
        help="where the other languages go (default: next to -o FILE, as NAME.email-templates.json; "
        "with the config on standard output: PROJECT/out/ENV.email-templates.json)",
    )
    add_set(parser, "override one value last, e.g. --set port=2525 (a YAML scalar; null removes the key)")
    parser.add_argument(
        "--keep-refs",
        action="store_true",
        help="leave ${VAR} references as written: files to commit, built without any secret",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the output files are missing or differ from a --keep-refs build",
    )
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.build.outputs import write_outputs
    from connector.build.pipeline import build_gated
    from connector.lint import lint_build
    from connector.project.layout import load_project, unknown_environment

    if args.all and not args.out_dir:
        raise UsageError("--all writes one file per environment: add --out-dir DIR")
    if args.output and args.out_dir:
        raise UsageError("use either -o FILE or --out-dir DIR, not both")
    if args.locales_out and (args.all or args.out_dir):
        raise UsageError("--locales-out names one file: use it with --env ENV, not with --out-dir")
    if args.check and not (args.out_dir or (args.output and args.output != "-")):
        raise UsageError("--check compares files: add -o FILE or --out-dir DIR")
    project = load_project(args.project)
    color = color_for(sys.stderr, args)
    write_text(project.findings, sys.stderr, color=color)
    if args.all:
        envs = list(project.environments)
        if not envs:
            raise UsageError(f"{project.root} has no environments/*.yaml to build")
    elif args.env:
        envs = [args.env]
    else:
        names = ", ".join(project.environments) or "none yet"
        raise UsageError(
            f"choose an environment with --env ENV (environments: {names}), or --all --out-dir DIR"
        )
    if args.env and args.env not in project.environments:
        raise UsageError(unknown_environment(project, args.env))
    # --check compares with files built without secrets: the only kind a team commits.
    built = build_gated(
        project,
        envs,
        lint_build,
        lambda found: write_text(found, sys.stderr, color=color),
        every=args.all,
        overrides=args.overrides,
        resolve=not (args.keep_refs or args.check),
    )
    outputs = _outputs(args, built, project.root)
    if args.out_dir:
        _check_names(project, envs)
    if args.check:
        return _check(args, outputs)
    files = {path: text for path, text in outputs.items() if path is not None and text is not None}
    write_outputs(files)
    for path in files:
        print(f"wrote {path}", file=sys.stderr)
    to_stdout = outputs.get(None)
    if to_stdout is not None:
        sys.stdout.write(to_stdout)
    return 0


def _check_names(project: Project, envs: list[str]) -> None:
    """SC014 for an environment whose name cannot name its ``--out-dir`` file on every platform."""

    findings = []
    for env in envs:
        problem = name_problem(f"{env}.json")
        if problem is not None:
            where = Location(project.environment_files[env].file)
            findings.append(unsafe_name(where, "environment", env, f"`{env}.json`: {problem}"))
    if findings:
        raise InputError(findings=findings)


def _outputs(
    args: argparse.Namespace, built: dict[str | None, Built], root: str | Path
) -> dict[Path | None, str | None]:
    """Each output file and its text (None: no variants, so no email-templates file); None: stdout."""

    # start-up: atomic (tempfile, shutil) loads only for a command that writes files
    from connector.atomic import is_stream
    from connector.build.outputs import templates_path
    from connector.scaffold import OUT_DIR

    outputs: dict[Path | None, str | None] = {}
    for env, item in built.items():
        if args.out_dir:
            config_path: Path | None = Path(args.out_dir) / f"{env}.json"
        else:
            config_path = Path(args.output) if args.output and args.output != "-" else None
        outputs[config_path] = item.text
        # Nothing is written next to a device or FIFO (-o /dev/null discards, and must not create
        # /dev/null.email-templates.json): its other languages need --locales-out, as with -o -.
        beside = config_path is not None and not is_stream(config_path)
        if args.locales_out:
            locales_path: Path | None = Path(args.locales_out)
        else:
            locales_path = templates_path(config_path) if config_path is not None and beside else None
        if locales_path is None and item.variants:
            # The config goes to standard output (or a device): the other languages go where
            # `build --all --out-dir PROJECT/out/` puts them, a folder init git-ignores (docs/templates.md).
            locales_path = templates_path(Path(root) / OUT_DIR / f"{env}.json")
        if locales_path is not None:
            outputs[locales_path] = item.templates_text
    return outputs


def _check(args: argparse.Namespace, outputs: dict[Path | None, str | None]) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.build.check import stale_outputs

    expected = {path: text for path, text in outputs.items() if path is not None}
    problems = stale_outputs(expected)
    if not problems:
        print(f"up to date: {sum(t is not None for t in expected.values())} files", file=sys.stderr)
        return 0
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    which = "--all" if args.all else f"--env {args.env}"
    target = f"--out-dir {args.out_dir}" if args.out_dir else f"-o {args.output}"
    if args.locales_out:
        target += f" --locales-out {args.locales_out}"
    print(
        f"to update them, run: smtp-connector build {args.project} {which} {target} --keep-refs",
        file=sys.stderr,
    )
    return 1
