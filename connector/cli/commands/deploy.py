from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from connector.cli.main import print_error
from connector.cli.options import add_color, add_env, add_project, add_set, color_for
from connector.diagnostics.redact import redact
from connector.diagnostics.reporters import write_text
from connector.errors import InputError, UsageError

if TYPE_CHECKING:
    from connector.build.outputs import Built
    from connector.deploy.target import Target
    from connector.project.layout import Project

HELP = "build an environment and make Logto hold it, through Logto's Management API (plan, apply, confirm)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project(parser)
    which = parser.add_mutually_exclusive_group()
    add_env(which, "the environment to deploy (environments/ENV.yaml)")
    which.add_argument(
        "--all",
        action="store_true",
        help="deploy every environment whose file names its Logto target (a `logto:` section with an endpoint)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    mode.add_argument(
        "--check",
        action="store_true",
        help="print the plan and change nothing; exit 1 if Logto differs from the project (drift)",
    )
    parser.add_argument(
        "--test-to",
        metavar="ADDR",
        help="first have Logto send a test message with the new config to ADDR; apply only if it was sent",
    )
    parser.add_argument(
        "--prune-templates",
        action="store_true",
        help="delete email templates Logto holds that the project does not have",
    )
    add_set(parser, "override one value last, as build does (repeatable)")
    add_color(parser)
    add_target_arguments(parser)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that choose the Logto tenant and app (shared with pull)."""
    group = parser.add_argument_group(
        "Logto target",
        "Default: the environment file's `logto:` section, else LOGTO_ENDPOINT, LOGTO_API_RESOURCE, "
        "LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET (the secret is never a flag).",
    )
    group.add_argument("--endpoint", metavar="URL", help="Logto's address, e.g. https://auth.example.com")
    group.add_argument(
        "--resource",
        metavar="URI",
        help="the Management API indicator (default: https://default.logto.app/api; "
        "Logto Cloud: https://TENANT.logto.app/api)",
    )
    group.add_argument("--app-id", metavar="ID", help="the machine-to-machine app's id")
    group.add_argument(
        "--ca-file", metavar="FILE", help="trust this PEM CA bundle for Logto's TLS (or LOGTO_CA_FILE)"
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=30.0,
        help="how long to wait for each answer (default: 30; reads are retried, writes are not)",
    )


def flags_of(args: argparse.Namespace) -> dict[str, str | None]:
    return {"endpoint": args.endpoint, "resource": args.resource, "appId": args.app_id}


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.build.outputs import build_environments
    from connector.build.pipeline import build_gated
    from connector.lint import lint_build
    from connector.project.layout import load_project

    if args.test_to is not None and "@" not in args.test_to:
        raise UsageError(f"--test-to takes an email address, not `{args.test_to}`")
    if args.check and args.test_to:
        raise UsageError("--check only compares; use --test-to with a deploy or --dry-run")
    if args.timeout <= 0:
        raise UsageError("--timeout takes a positive number of seconds")
    project = load_project(args.project)
    color = color_for(sys.stderr, args)
    write_text(project.findings, sys.stderr, color=color)
    envs = _environments(args, project)
    # The same gate as build: lint's rules pass and every environment builds before anything is sent.
    targets: dict[str, Target] = {}

    def resolve_targets() -> None:
        # Everything the build can refuse but a missing credential, then which tenant and app: a missing
        # Logto setting is said before the SMTP secret the build needs (a laptop's dry run has neither yet).
        build_environments(project, envs, overrides=args.overrides, secrets=False)
        targets.update({env: _target(args, project, env, os.environ) for env in envs})

    built = build_gated(
        project,
        envs,
        lint_build,
        lambda found: write_text(found, sys.stderr, color=color),
        every=len(envs) > 1,
        overrides=args.overrides,
        before_secrets=resolve_targets,
    )
    _one_environment_per_tenant(envs, targets, built)
    failed: list[str] = []
    for env in envs:
        item = built[env]
        if len(envs) > 1:
            print(f"== environment {env}: {targets[env].base_url}", flush=True)
        try:
            code = _deploy_one(args, item, targets[env])
        except InputError as e:
            if len(envs) == 1:
                raise

            print_error(e, sys.stderr, color=color)
            code = 1
        if code:
            failed.append(str(env))
    if len(envs) > 1 and failed:
        what = "differ from the project" if args.check else "failed"
        print(f"{len(failed)} of {len(envs)} environments {what}: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _one_environment_per_tenant(
    envs: list[str], targets: dict[str, Target], built: dict[str | None, Built]
) -> None:
    """Refuse two environments that deploy to one Logto tenant and build different things: the last would
    silently win, and ``--check`` would report drift for ever. Nothing has been sent yet."""
    # start-up: a command's stage modules load only when it runs
    from connector.deploy.plan import Desired

    by_tenant: dict[str, list[str]] = {}
    for env in envs:
        by_tenant.setdefault(targets[env].base_url.lower(), []).append(env)
    clashes = []
    for url, names in by_tenant.items():
        wanted = [Desired.from_built(built[env]) for env in names]
        if any(w != wanted[0] for w in wanted[1:]):
            clashes.append(f"{', '.join(names)} all deploy to the Logto tenant at {url}")
    if clashes:
        raise InputError(
            "two environments deploy different configs to the same Logto tenant (the last one would win, and "
            f"--check would report drift for ever), so nothing was sent: {'; '.join(clashes)}",
            hint="give each environment its own tenant in its `logto:` section, or deploy one with --env",
        )


def _environments(args: argparse.Namespace, project: Project) -> list[str]:
    if args.env:
        return [args.env]
    if not args.all:
        names = ", ".join(project.environments) or "none yet"
        raise UsageError(f"choose an environment with --env ENV (environments: {names}), or --all")
    envs = [env for env in project.environments if _section(project, env)[0].get("endpoint")]
    if not envs:
        raise UsageError(
            f"--all deploys the environments whose file names a Logto endpoint (`logto: {{endpoint: ...}}`); "
            f"none of {', '.join(project.environments) or 'the environments'} does"
        )
    skipped = [env for env in project.environments if env not in envs]
    if skipped:
        print(f"skipped (no `logto:` endpoint): {', '.join(skipped)}", file=sys.stderr)
    return envs


def _section(project: Project, env: str) -> tuple[dict[str, Any], Any]:
    # start-up: a command's stage modules load only when it runs
    from connector.project.layout import compose
    from connector.source.files import LOGTO_SECTION

    composed = compose(project, env, resolve=False)
    section = composed.state.data.get(LOGTO_SECTION)
    return (section if isinstance(section, dict) else {}), composed


def _target(args: argparse.Namespace, project: Project, env: str, environ: Any) -> Target:
    # start-up: a command's stage modules load only when it runs
    from connector.deploy.target import resolve_target
    from connector.diagnostics.findings import Location
    from connector.source.files import LOGTO_SECTION

    section, composed = _section(project, env)
    return resolve_target(
        flags=flags_of(args),
        environ=environ,
        section=section,
        locate=lambda key: composed.locate((LOGTO_SECTION, key)),
        ca_file=args.ca_file,
        missing_at=Location(project.environment_files[env].file),
    )


def _deploy_one(args: argparse.Namespace, built: Built, target: Target) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.deploy.apply import apply_plan, confirm, oversized, send_test
    from connector.deploy.client import ManagementClient
    from connector.deploy.plan import Desired, make_plan, read_live

    desired = Desired.from_built(built)
    with ManagementClient(target, timeout=args.timeout) as client:
        live = read_live(client)
        plan = make_plan(desired, live, prune=args.prune_templates)
        for line in plan.lines():
            print(redact(line), flush=True)
        if not args.check:
            found = oversized(plan, desired, target.base_url)
            if found:
                raise InputError(findings=found)
        if args.check:
            for kept, why in zip(plan.kept, plan.shadows, strict=True):
                if why:  # not drift (the project does not manage it), but the project's text is not sent
                    print(
                        redact(f"warning: {kept.name} in Logto's email-template store: {why}"),
                        file=sys.stderr,
                    )
            if plan.changes:
                print(f"drift: Logto at {target.base_url} differs from the project", file=sys.stderr)
                return 1
            return 0
        if args.test_to:
            send_test(client, desired, args.test_to)
            print(f"Logto sent a test message to {args.test_to} with the new config", file=sys.stderr)
        if args.dry_run:
            if plan.changes:
                print(f"dry run: nothing applied ({plan.summary()} to do)", file=sys.stderr)
            return 0
        if not plan.changes:
            return 0
        steps = apply_plan(client, plan, desired, lambda step: print(f"{step}", file=sys.stderr))
        confirm(client, desired, steps, prune=args.prune_templates)
        print(f"deployed: Logto at {target.base_url} holds what the project builds", file=sys.stderr)
    return 0
