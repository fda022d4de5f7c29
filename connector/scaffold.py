"""``init``: a complete config project from a provider, ready to build (dev) and to fill in (prod).

It never overwrites: if any file it would write exists, it writes nothing and names them all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import textwrap
from pathlib import Path

from connector import __version__
from connector.atomic import write_atomic
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError, UsageError
from connector.project.providers import FillIn, ProviderInfo, provider_info, shipped_names
from connector.source.loader import KeyPath

PROJECT_URL = "https://github.com/smtp-connector/smtp-connector"
SCHEMA_URL = f"{PROJECT_URL.replace('github.com', 'raw.githubusercontent.com')}/v{__version__}/schema/smtp-connector.source.schema.json"
DEV_PROVIDER = "dev-sink"
OUT_DIR = "out"
_GENERIC_FROM = FillIn(
    ("fromEmail",),
    "<no-reply@your-domain.com>",
    "The From address: `address@domain` or `Name <address@domain>`.",
)

# (usage type, subject, content): every type Logto sends, each with the placeholder it must carry.
TEMPLATES = (
    ("SignIn", "Your sign-in code", "Your sign-in code is {{code}}.\n\nIf you did not try to sign in, you can ignore this email."),
    ("Register", "Confirm your email address", "Welcome! Your verification code is {{code}}.\n\nEnter it to finish creating your account."),
    ("ForgotPassword", "Reset your password", "Your password reset code is {{code}}.\n\nIf you did not ask to reset your password, ignore this email; your password stays as it is."),
    ("OrganizationInvitation", "You are invited to join an organization", "You have been invited to join an organization.\n\nAccept the invitation: {{link}}"),
    ("Generic", "Your verification code", "Your verification code is {{code}}."),
    ("UserPermissionValidation", "Confirm it is you", "Your code to confirm this action is {{code}}.\n\nIf you did not ask for it, someone may be trying to change your account."),
    ("BindNewIdentifier", "Confirm your new email address", "Your code to link this email address to your account is {{code}}."),
    ("MfaVerification", "Your two-step verification code", "Your two-step verification code is {{code}}."),
    ("BindMfa", "Set up two-step verification", "Your code to set up two-step verification by email is {{code}}."),
)  # fmt: skip


def init_project(folder: str | os.PathLike[str], provider: str) -> list[Path]:
    """Write a new project into ``folder`` (created if needed); the paths written, in order."""
    if provider not in shipped_names():
        suggestion = did_you_mean(provider, shipped_names())
        raise UsageError(
            f"unknown provider `{provider}`"
            + (f"; did you mean `{suggestion}`?" if suggestion else "")
            + f" (providers: {', '.join(shipped_names())})"
        )
    root = Path(folder)
    files = project_files(provider_info(provider), root.resolve().name)
    existing = [name for name in files if (root / name).exists()]
    if existing:
        raise InputError(
            f"{root} already has {', '.join(existing)}; init never overwrites a file "
            "(move them away, or choose another folder)"
        )
    written: list[Path] = []
    try:
        for name, text in files.items():
            write_atomic(root / name, text)
            written.append(root / name)
    except BaseException:
        # All or nothing: a half-made project would make the next `init` refuse to overwrite it.
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return written


def project_files(info: ProviderInfo, project: str) -> dict[str, str]:
    """The files of a new project (relative path: text)."""
    shared = [f for f in info.fill_ins if f.path in (("fromEmail",), ("replyTo",))] or [_GENERIC_FROM]
    account = [f for f in info.fill_ins if f not in shared]
    return {
        "smtp-connector.yaml": _project_file(info, project, shared),
        "environments/dev.yaml": _dev_file(info),
        "environments/prod.yaml": _prod_file(info, account),
        ".pre-commit-config.yaml": _pre_commit(),
        ".github/workflows/email-config.yml": _workflow(info),
        ".gitignore": f"# Built configs hold resolved secrets: never commit them.\n/{OUT_DIR}/\n",
    }


def _header(text: str) -> str:
    return f"# yaml-language-server: $schema={SCHEMA_URL}\n{text}"


def _project_file(info: ProviderInfo, project: str, fill_ins: list[FillIn]) -> str:
    lines = [
        f"# The email settings of Logto's SMTP connector for {project}, as code.",
        "# `smtp-connector build --env prod` merges, lowest first: the provider overlay < this file <",
        "# environments/<env>.yaml < --set. Mappings merge key by key, other values are replaced, templates",
        "# merge by usageType, and null removes a key. `smtp-connector explain --env prod` shows where every",
        "# final value comes from. Replace each <...> value; `smtp-connector lint` flags those left.",
        "",
        f"# {info.title}",
        *(f"# {url}" for url in info.docs[:1]),
        f"provider: {info.name}",
        "",
        *_yaml(fill_ins),
        "",
        "# Logto picks the template whose usageType matches the message, else Generic; Register, SignIn,",
        "# ForgotPassword and Generic are required. Logto replaces {{code}} (the verification code) and",
        "# {{link}} (the invitation link) when it sends; nothing else in the text is changed.",
        "templates:",
    ]
    for kind, subject, content in TEMPLATES:
        lines += [
            f"  - usageType: {kind}",
            "    contentType: text/plain",
            f"    subject: {_scalar(subject)}",
            "    content: |-",
            *(f"      {line}" if line else "" for line in content.split("\n")),
        ]
    return _header("\n".join(lines) + "\n")


def _dev_file(info: ProviderInfo) -> str:
    return _header(
        "# Development: every message goes to the local sink, so this works with no account at all.\n"
        "# Start the sink with `smtp-connector sink --port 2525 --dir mail/`, then send a test message:\n"
        "# `smtp-connector send . --env dev --type SignIn --to you@example.com --code 123456`.\n"
        f"provider: {DEV_PROVIDER}\n"
    )


def _prod_file(info: ProviderInfo, fill_ins: list[FillIn]) -> str:
    secrets = ", ".join(v.name for v in info.variables)
    text = f"Production: the {info.name} provider named in smtp-connector.yaml ({info.title.rstrip('.')})."
    if secrets:
        text += (
            f" Secrets are never written here: the build reads {secrets} from the environment"
            " (a CI secret, or `export` in your shell)."
        )
    lines = _comment(text)
    if fill_ins:
        lines += ["# Replace each <...> with your account's value.", *_yaml(fill_ins)]
    else:
        lines += ["# Nothing differs from smtp-connector.yaml yet; add what production changes here.", "{}"]
    return _header("\n".join(lines) + "\n")


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 100 - len(indent))]


def _pre_commit() -> str:
    return (
        "# Lint the email config before every commit: run `pre-commit install` once.\n"
        "# If this project is a folder inside a larger repository, merge this into the repository's own\n"
        "# .pre-commit-config.yaml at its root.\n"
        "repos:\n"
        f"  - repo: {PROJECT_URL}\n"
        "    # Pin rev to a released tag of smtp-connector; `pre-commit autoupdate` moves it forward.\n"
        f"    rev: v{__version__}\n"
        "    hooks:\n"
        "      - id: smtp-connector-lint\n"
    )


def _workflow(info: ProviderInfo) -> str:
    env = "".join(f"          {v.name}: ${{{{ secrets.{v.name} }}}}\n" for v in info.variables)
    return (
        "# Lint the email config and build every environment's Logto JSON on each push and pull request;\n"
        "# the built files are kept as a workflow artifact. Store the secrets as repository secrets\n"
        "# (Settings > Secrets and variables > Actions). If this project is a folder inside a larger\n"
        "# repository, move this file to the repository's .github/workflows/ and set working-directory.\n"
        "name: email-config\n"
        "on:\n"
        "  push:\n"
        "  pull_request:\n"
        "permissions:\n"
        "  contents: read\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        '          python-version: "3.12"\n'
        "      # The same version as rev in .pre-commit-config.yaml.\n"
        f'      - run: pip install "smtp-connector=={__version__}"\n'
        "      - run: smtp-connector lint --format github\n"
        f"      - run: smtp-connector build --all --out-dir {OUT_DIR}/\n"
        + ("        env:\n" + env if env else "")
        + "      - uses: actions/upload-artifact@v4\n"
        "        with:\n"
        "          name: email-config\n"
        f"          path: {OUT_DIR}/\n"
    )


def _yaml(fill_ins: list[FillIn]) -> list[str]:
    """Nested YAML for the fill-in values, each with its comment from the provider file above it."""
    lines: list[str] = []
    open_path: KeyPath = ()
    for fill in fill_ins:
        keys = [str(step) for step in fill.path]
        common = 0
        while common < min(len(open_path), len(keys) - 1) and open_path[common] == keys[common]:
            common += 1
        for depth in range(common, len(keys) - 1):
            lines.append(f"{'  ' * depth}{keys[depth]}:")
        indent = "  " * (len(keys) - 1)
        if fill.comment:
            lines += _comment(fill.comment, indent)
        lines.append(f"{indent}{keys[-1]}: {_scalar(fill.value)}")
        open_path = tuple(keys[:-1])
    return lines


_PLAIN = re.compile(r"^[A-Za-z0-9<][^#:\n]*$")


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same text, else double-quoted."""
    if (
        _PLAIN.match(text)
        and text.strip() == text
        and text not in ("true", "false", "null")
        and not text[0].isdigit()
    ):
        return text
    return json.dumps(text, ensure_ascii=False)
