"""Run doctor's parts on one config: load it as ``send`` does, then SMTP, DNS and templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from connector.diagnostics.findings import Finding
from connector.doctor import CHECKS, Check, Options
from connector.doctor.smtp import Credentials
from connector.mail.locales import Languages
from connector.schema.models import ConnectorConfig, Template
from connector.source.variables import holds_reference, references, refused

if TYPE_CHECKING:
    from connector.build.outputs import Built


def examine(
    target: str, *, env: str | None = None, overrides: Sequence[str] = (), options: Options
) -> list[Check]:
    """Every check of the parts asked for. A config that does not load is an :class:`InputError`, as
    for ``send``; a part that cannot run is a ``skip`` with the reason."""
    # start-up: imported when this runs, so other commands start fast
    from connector.mail.config import load_runtime, load_runtime_config

    # Loaded first without secrets: the DNS and template parts need none, and the SMTP part says which
    # variable is missing instead of stopping at it. With every variable set, loaded again with them.
    # The other languages are those send would pick from: a project's locales, or the
    # ENV.email-templates.json that build wrote next to a built file.
    # A variable outside the credentials that is not set (CI's pull-request job has no secret): the
    # project's environment as written (--keep-refs), so that its DNS and templates can still be checked.
    written = _as_written(target, env, overrides)
    unset = unset_variables(written.config, options.environ) if written is not None else []
    if written is not None and unset:
        config, languages = written.config, Languages.from_variants(written.language, written.variants)
    else:
        config, languages = load_runtime(target, env=env, overrides=overrides, secrets=False)
    credentials = credentials_of(config, options.environ)
    checks: list[Check] = examples_left(config)
    if unset:
        names = list(dict.fromkeys(name for name, _ in unset))
        checks.append(
            Check(
                "config.variables",
                "skip",
                f"{', '.join(names)} not set: {', '.join(dict.fromkeys(key for _, key in unset))} "
                "checked as written, not by value",
                "set them where doctor runs (CI secrets, as the build job has them) to check those too",
                unset[0][1],
            )
        )
    elif not credentials.missing and credentials.variables:
        config = load_runtime_config(target, env=env, overrides=overrides, secrets=True)
    if "smtp" in options.parts and holds_reference(config.host):
        checks += [
            Check(id, "skip", f"host is {config.host}, not set here: there is no server to connect to")
            for id, info in CHECKS.items()
            if info.part == "smtp"
        ]
    elif "smtp" in options.parts:
        if credentials.missing:
            checks.append(
                Check(
                    "config.secrets",
                    "skip",
                    f"{', '.join(credentials.missing)} not set: the SMTP login is not tried",
                    f"set {credentials.missing[0]} where doctor runs (a CI secret), or run with --only dns,templates",
                    _key_of(credentials, credentials.missing[0]),
                )
            )
        else:
            used = sorted({n for names in credentials.variables.values() for n in names})
            checks.append(
                Check(
                    "config.secrets",
                    "pass",
                    f"set: {', '.join(used)}" if used else "no environment variable needed",
                )
            )
        # start-up: imported when this runs, so other commands start fast
        from connector.doctor.smtp import smtp_checks, with_timeout

        checks += smtp_checks(
            with_timeout(config, options.timeout),
            credentials,
            largest_message=largest_message(config, languages),
        )
    if "dns" in options.parts:
        # start-up: imported when this runs, so other commands start fast
        from connector.doctor.domains import dns_checks

        checks += dns_checks(config, options)
    if "templates" in options.parts:
        # start-up: imported when this runs, so other commands start fast
        from connector.doctor.templates import template_checks

        checks += template_checks(config, _variants(languages), _template_findings(target, env))
    if env:
        checks = _located([replace(check, environment=env) for check in checks], target, env, overrides)
    return checks


def _located(checks: list[Check], target: str, env: str, overrides: Sequence[str]) -> list[Check]:
    """Each check whose ``key`` the project's own files set, with the place they set it (so an annotation
    lands on that line); a key left to a default or a provider overlay, or given by --set, has none."""
    # start-up: imported when this runs, so other commands start fast
    from connector.project.layout import compose, load_project

    composed = compose(load_project(target), env, overrides=overrides, resolve=False)
    located = []
    for check in checks:
        # A check's key is its path as data, or a plain dotted name (`tls.servername`).
        path = check.key_path or (tuple(check.key.split(".")) if check.key else ())
        if check.where is None and path:
            try:
                origin = composed.origin(path)
            except KeyError:
                origin = None
            if origin is not None and (
                origin.layer_name == "project" or origin.layer_name.startswith("environment:")
            ):
                check = replace(check, where=origin.location)
        located.append(check)
    return located


def examine_all(target: str, *, overrides: Sequence[str] = (), options: Options) -> list[Check]:
    """:func:`examine` for every environment of a project folder, but those whose files send to this
    machine (a local sink, such as the ``dev`` that init writes): nothing there is reachable from CI, and
    no receiver reads its DNS. ``--set`` applies to each environment checked, not to that choice."""
    # start-up: imported when this runs, so other commands start fast
    from pathlib import Path

    from connector.build.outputs import build
    from connector.errors import InputError, UsageError
    from connector.logto.loopback import is_loopback
    from connector.project.layout import environments_in
    from connector.source.files import project_files_in
    from connector.source.loader import load

    folder = Path(target)
    if not folder.is_dir():
        raise UsageError(f"--all is for a project folder; {target} is a built config file")
    if not project_files_in(folder):
        raise InputError(findings=load(folder).findings)  # a folder that is not a project
    names = environments_in(folder)
    if not names:
        raise UsageError(
            f"--all checks a project's environments, and {target} has none (environments/ENV.yaml)"
        )
    checks: list[Check] = []
    for env in names:
        own = build(folder, env, resolve=False).config  # the files' own host (a ${VAR} as written)
        if is_loopback(own.host):
            checks.append(
                Check(
                    "config.environment",
                    "skip",
                    f"sends to {own.host}:{own.port}, the machine it runs on (a local sink or relay), which is not "
                    "there in CI: --all leaves it out",
                    f"check it with `smtp-connector doctor {target} -e {env}` where that server runs",
                    "host",
                    env,
                )
            )
            continue
        checks += examine(target, env=env, overrides=overrides, options=options)
    return checks


def _as_written(target: str, env: str | None, overrides: Sequence[str]) -> Built | None:
    """A project's environment built with its ``${VAR}`` references as written (``--keep-refs``); None
    for a built file."""
    # start-up: imported when this runs, so other commands start fast
    from pathlib import Path

    from connector.build.outputs import build

    if not (env and Path(target).is_dir()):
        return None
    return build(target, env, overrides=overrides, resolve=False)


def unset_variables(config: ConnectorConfig, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each ``${VAR}`` outside the credentials that ``environ`` leaves unset (the build would refuse it,
    SC502), with the key that reads it; credentials are :func:`credentials_of`'s."""
    # start-up: imported when this runs, so other commands start fast
    from connector.diagnostics.paths import dotted
    from connector.logto import is_secret_path
    from connector.source.walk import strings

    found = []
    for path, value in strings(config.to_logto()):
        if "${" not in value or is_secret_path(path):
            continue
        found += [(ref.name, dotted(path)) for ref in references(value) if refused(ref, environ)]
    return found


def examples_left(config: ConnectorConfig) -> list[Check]:
    """``config.examples``: a fail for each example value left in place (SC401's test), whatever parts
    run: the server, the DNS and the templates checked would not be the ones meant."""
    # start-up: imported when this runs, so other commands start fast
    from connector.diagnostics.paths import dotted
    from connector.logto.examples import left_in
    from connector.source.walk import strings

    data = config.to_logto()
    checks = [
        Check(
            "config.examples",
            "fail",
            f"`{dotted(path)}` still holds the example value `{example.text}`: the config is not filled in",
            f"replace `{example.text}` with the real value",
            dotted(path),
            key_path=path,
        )
        for path, value in strings(data)
        for example in left_in(data, path, value)
    ]
    return checks or [Check("config.examples", "pass", "no example value is left")]


def credentials_of(config: ConnectorConfig, environ: Mapping[str, str]) -> Credentials:
    """The ``${VAR}`` each credential key reads (in a config loaded without secrets), and which are unset."""
    # start-up: imported when this runs, so other commands start fast
    from connector.diagnostics.paths import dotted
    from connector.logto.credentials import SECRETS

    data = config.to_logto()
    variables: dict[str, tuple[str, ...]] = {}
    missing: list[str] = []
    for path in SECRETS:
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, str):
            continue
        found = references(value)
        if not found:
            continue
        variables[dotted(path)] = tuple(ref.name for ref in found)
        for ref in found:
            if refused(ref, environ) and ref.name not in missing:
                missing.append(ref.name)
    return Credentials(variables, tuple(missing))


def _key_of(credentials: Credentials, name: str) -> str:
    return next((key for key, names in credentials.variables.items() if name in names), "")


def largest_message(config: ConnectorConfig, languages: Languages | None = None) -> int | None:
    """The size in bytes of the largest message send would make (each usage type Logto sends, in each
    language of the store, with a six-digit code, DKIM-signed when the config signs), or None when one
    cannot be made (send would say why)."""
    # start-up: imported when this runs, so other commands start fast
    from connector.errors import InputError
    from connector.logto import USAGE_TYPES
    from connector.mail.locales import localized
    from connector.mail.send import Job, prepare

    payload = {"code": "123456", "link": "https://example.com/invitation"}
    languages = languages or Languages()
    largest = 0
    try:
        for locale in (None, *languages.tags):
            sent, chosen = localized(config, languages, locale)
            for usage_type in USAGE_TYPES:
                if usage_type not in chosen:
                    continue
                job = Job(
                    "someone@example.com", usage_type, {**payload, **({"locale": locale} if locale else {})}
                )
                largest = max(largest, len(prepare(sent, job)[2]))
    except InputError:
        return None
    return largest


def _template_findings(target: str, env: str | None) -> list[Finding]:
    """Lint's findings on what is sent: a project's environment as ``build`` checks it, or a built file
    with the email-template store ``build`` wrote beside it."""
    # start-up: imported when this runs, so other commands start fast
    from pathlib import Path

    from connector.build.outputs import templates_path
    from connector.lint import lint_build, lint_paths

    path = Path(target)
    if path.is_dir():
        return lint_build(path, env).findings
    files = [target, *([str(templates_path(path))] if templates_path(path).is_file() else [])]
    return lint_paths(files, built=True).findings


def _variants(languages: Languages) -> dict[str, list[Template]]:
    """The store's templates by language (a project's locales, or those build wrote next to a file)."""
    variants: dict[str, list[Template]] = {}
    for (tag, _), template in sorted(languages.store.items()):
        variants.setdefault(tag, []).append(template)
    return variants
