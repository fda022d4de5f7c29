"""``init``: a config project from a provider, ready to build (dev) and to fill in (the other environments).

It fits an existing repository: a file that is already there is skipped and listed, never overwritten, and
the CI workflow and the pre-commit config go to the repository's root, where GitHub and pre-commit read them.
Two existing files get our lines appended instead, because both are safe to extend: ``.gitignore`` (the
build output holds secrets), and ``.pre-commit-config.yaml`` only when the result reads back as exactly
the old config plus our hook. They are appended to in place, so the file keeps its mode, owner and links;
a read-only one is left alone and the lines to add are listed. Nothing is written through a symlink that
leads out of the repository (out of the project folder outside one). What it writes, it writes all or
nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import stat
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector import __version__, atomic
from connector.diagnostics.printable import printable
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError, UsageError
from connector.project.providers import FillIn, ProviderInfo, provider_info
from connector.resources import shipped_names
from connector.safe_paths import name_problem, outside_problem
from connector.source.files import (
    ENVIRONMENT_NAME,
    ENVIRONMENT_NAME_HINT,
    ENVIRONMENTS_DIR,
    PROJECT_FILES,
    YAML_SUFFIXES,
)
from connector.source.loader import MAX_BYTES, KeyPath, loads, read_capped

PROJECT_URL = "https://github.com/smtp-connector/smtp-connector"
SCHEMA_URL = f"{PROJECT_URL.replace('github.com', 'raw.githubusercontent.com')}/v{__version__}/schema/smtp-connector.source.schema.json"
DEV_PROVIDER = "dev-sink"
OUT_DIR = "out"  # where the docs and the workflow build to; init's .gitignore ignores it
PREVIEW_DIR = f"{OUT_DIR}/preview"
SINK_DIR = "mail-sink"  # the sink's default --dir
DEV_FROM = "no-reply@example.com"  # bare: a `<...>` would read as a value to fill in
DEFAULT_ENVIRONMENTS = ("dev", "prod")
# An environment with one of these names sends to the local sink, so it works with no account at all.
SINK_ENVIRONMENTS = ("dev", "development", "local")
WORKFLOW = ".github/workflows/email-config.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
GITIGNORE = ".gitignore"
README = "README.md"
HOOK_ID = "smtp-connector-lint"
ALREADY_THERE = "already there"
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


@dataclass(frozen=True)
class Change:
    """A file init did not simply create, and what happened to it (for the summary)."""

    path: Path
    note: str


@dataclass(frozen=True)
class ToAdd:
    """Lines init did not add to an existing file, for the user to add by hand, and why."""

    path: Path
    lines: str
    what: str  # "the smtp-connector-lint hook to the repos: list of", "these lines to"
    why: str


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did. Paths are as the user sees them: under the folder given, or relative to the
    current folder for the repository's root."""

    project: Path
    root: Path  # where the workflow and the pre-commit config go: the repository's root, else the project
    in_repository: bool
    environments: tuple[str, ...]
    created: tuple[Path, ...]
    updated: tuple[Change, ...]  # existing files our lines were appended to
    skipped: tuple[Change, ...]  # existing files left as they were
    to_add: tuple[ToAdd, ...]  # existing files the user should add lines to by hand
    outside: tuple[Change, ...]  # files not written: a symlink on their way leads out of the repository
    to_fill: tuple[Path, ...]  # created files holding <...> values to replace
    secrets: tuple[str, ...]  # the ${VAR}s the build reads (repository secrets for the workflow)

    @property
    def sink_environments(self) -> tuple[str, ...]:
        return tuple(env for env in self.environments if env in SINK_ENVIRONMENTS)


def environment_names(text: str) -> tuple[str, ...]:
    """``--env dev,staging,prod``: the names, each usable as ``environments/NAME.yaml``, none twice."""
    names = tuple(part.strip() for part in text.split(","))
    seen: dict[str, str] = {}
    for name in names:
        if not name:
            raise UsageError(
                f"--env `{text}`: an empty environment name (give names separated by commas, "
                "e.g. --env dev,staging,prod)"
            )
        stem, suffix = os.path.splitext(name)
        if suffix in YAML_SUFFIXES and ENVIRONMENT_NAME.match(stem):
            raise UsageError(f"--env: `{name}` is a file name; give the environment's name, `{stem}`")
        if not ENVIRONMENT_NAME.match(name):
            raise UsageError(f"--env: `{name}` is not a usable environment name ({ENVIRONMENT_NAME_HINT})")
        problem = name_problem(f"{name}.yaml")
        if problem is not None:
            raise UsageError(f"--env: `{name}` cannot name environments/{name}.yaml: {problem}")
        # Prod and prod would be one file on a case-insensitive file system (macOS, Windows).
        twin = seen.get(name.casefold())
        if twin is not None:
            same = f"`{name}` is given twice" if twin == name else f"`{twin}` and `{name}` are one file"
            raise UsageError(f"--env: {same}; name each environment once")
        seen[name.casefold()] = name
    return names


def repository_root(folder: Path) -> Path | None:
    """The root of the git work tree ``folder`` (absolute) is in: the nearest folder up with a ``.git``
    (a folder, or a file in a worktree or submodule), as git finds it. None outside a repository."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def init_project(
    folder: str | os.PathLike[str],
    provider: str,
    environments: Sequence[str] = DEFAULT_ENVIRONMENTS,
    *,
    html: bool = False,
) -> InitResult:
    """Write a new project into ``folder`` (created if needed), skipping every file that is there.

    ``html``: HTML templates as template files extending one branded layout, with build variables (brand,
    colours, addresses) as examples/acme has them, instead of plain-text templates in the YAML."""
    if provider not in shipped_names():
        suggestion = did_you_mean(provider, shipped_names())
        raise UsageError(
            f"unknown provider `{provider}`"
            + (f"; did you mean `{suggestion}`?" if suggestion else "")
            + f" (providers: {', '.join(shipped_names())})"
        )
    project = Path(folder)
    if project.exists() and not project.is_dir():
        raise InputError(f"{project}: is a file, not a folder", hint="init creates the project in a folder")
    if not _resolves(project):
        raise InputError(f"{project}: a symlink loop", hint="init creates the project in a folder")
    absolute = project.resolve()
    repo = repository_root(absolute)
    named_in = repository_root(Path(os.path.abspath(project)))  # the repository the folder is named in
    if named_in is not None and absolute != named_in.resolve() and outside_problem(named_in, absolute):
        raise InputError(
            f"{project}: leads out of the repository {_shown(named_in, project)} through a symlink "
            f"(to {absolute})",
            hint="init writes nothing through a link that leaves the repository; "
            "give the folder's own path if it is the one you mean",
        )
    root = _shown(repo, project) if repo is not None else project
    relative = absolute.relative_to(repo).as_posix() if repo is not None else "."
    info = provider_info(provider)
    envs = tuple(environments)
    plan = _Plan(repo if repo is not None else absolute)

    shared = [f for f in info.fill_ins if f.path in (("fromEmail",), ("replyTo",))] or [_GENERIC_FROM]
    account = [f for f in info.fill_ins if f not in shared]
    example = next((env for env in envs if env not in SINK_ENVIRONMENTS), envs[0])
    plan.new(
        [project / name for name in PROJECT_FILES],
        _project_file(info, absolute.name, shared, example, html=html),
        fill=True,
    )
    if html:
        for name, text in _html_files():
            plan.new([project / name], text)
    for env in envs:
        spellings = [project / ENVIRONMENTS_DIR / f"{env}{suffix}" for suffix in YAML_SUFFIXES]
        if env in SINK_ENVIRONMENTS:
            plan.new(spellings, _sink_file(env, relative))
        else:
            plan.new(spellings, _environment_file(info, env, account), fill=bool(account))
    plan.lines(project / GITIGNORE, _gitignore())
    secrets = tuple(v.name for v in info.variables) if example not in SINK_ENVIRONMENTS else ()
    plan.new([project / README], _readme(info, envs, relative, secrets))
    plan.new(
        [root / WORKFLOW, root / WORKFLOW.replace(".yml", ".yaml")],
        _workflow(relative, secrets),
    )
    plan.hook(root / PRE_COMMIT)
    plan.write()
    return InitResult(
        project=project,
        root=root,
        in_repository=repo is not None,
        environments=envs,
        created=tuple(plan.files),
        updated=tuple(Change(edit.path, edit.note) for edit in plan.edits),
        skipped=tuple(plan.skipped),
        to_add=tuple(plan.to_add),
        outside=tuple(plan.outside),
        to_fill=tuple(plan.to_fill),
        secrets=secrets,
    )


def _resolves(path: Path) -> bool:
    """Whether every symlink on ``path`` leads somewhere (no loop); what is missing at the end may be."""
    try:
        path.resolve()
    except (OSError, RuntimeError):  # a loop: RuntimeError before Python 3.13, OSError (ELOOP) after
        return False
    return True


def _shown(path: Path, like: Path) -> Path:
    """``path`` as the user would type it: absolute when ``like`` (the folder they gave) is, else
    relative to the current folder (``..`` included)."""
    if like.is_absolute():
        return path
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path


@dataclass(frozen=True)
class _ByHand:
    """What init would add to a file, named for the summary: ``subject`` ("the lines are"), and ``where``
    ("these lines to"), followed by the file's name."""

    subject: str
    where: str


@dataclass(frozen=True)
class _Edit:
    """Lines to append to an existing file: ``path`` as the user sees it, ``real`` the file itself."""

    path: Path
    real: Path
    old: bytes
    added: bytes
    note: str


class _Plan:
    """The files to create and the existing ones to extend, written together, all or nothing.

    ``boundary`` (a real path) is the repository's root, or the project folder outside a repository:
    nothing is written where a symlink leads out of it."""

    def __init__(self, boundary: Path) -> None:
        self.boundary = boundary
        self.files: dict[Path, str] = {}
        self.edits: list[_Edit] = []
        self.skipped: list[Change] = []
        self.to_add: list[ToAdd] = []
        self.outside: list[Change] = []
        self.to_fill: list[Path] = []

    def new(self, spellings: Sequence[Path], text: str, *, fill: bool = False) -> None:
        """Create ``spellings[0]`` unless it, or another spelling of it, exists."""
        there = next((path for path in spellings if os.path.lexists(path)), None)
        if there is not None:
            self.skipped.append(Change(there, ALREADY_THERE))
            return
        link = self._link_out(spellings[0])
        if link is not None:
            self.outside.append(Change(spellings[0], link))
            return
        blocked = next((p for p in spellings[0].parents if os.path.lexists(p) and not p.is_dir()), None)
        if blocked is not None:
            what = f"a link to {printable(os.readlink(blocked))}" if blocked.is_symlink() else "a file"
            self.skipped.append(Change(spellings[0], f"{blocked} is {what}, not a folder"))
            return
        self.files[spellings[0]] = text
        if fill:
            self.to_fill.append(spellings[0])

    def _link_out(self, path: Path) -> str | None:
        """Why ``path`` is outside the boundary (the symlink on its way that leads out), or None."""
        problem = outside_problem(self.boundary, path)
        if problem is None:
            return None
        for step in (*reversed(path.parents), path):
            if step.is_symlink() and outside_problem(self.boundary, step) is not None:
                # The link's text comes from the repository (a clone of someone else's): shown printable.
                link = f"{step} is a link to {printable(os.readlink(step))}"
                return f"{link}, out of the {self._where()}" if _resolves(step) else f"{link}, a loop"
        return problem

    def _where(self) -> str:
        return "repository" if os.path.lexists(self.boundary / ".git") else "project folder"

    def lines(self, path: Path, text: str) -> None:
        """A line-based file (.gitignore): create it, or append the entries it does not have yet."""
        if not os.path.lexists(path):
            self.new([path], text)
            return
        entries = [line for line in text.splitlines() if line and not line.startswith("#")]
        by_hand = _ByHand("the lines are", "these lines to")
        old = self._read(path, [_ADDED_BY_INIT, *entries], by_hand)
        if old is None:
            return
        have = {line.strip().strip("/") for line in old.splitlines()}
        missing = [line for line in entries if line.strip("/") not in have]
        if not missing:
            self.skipped.append(Change(path, f"already ignores {', '.join(entries)}"))
            return
        newline = "\r\n" if "\r\n" in old else "\n"
        added = [_ADDED_BY_INIT, *missing]
        separator = "" if not old or old.endswith(("\n", "\r")) else newline
        addition = separator + newline.join(added) + newline
        self._append(path, old, addition, f"added {', '.join(missing)}", added, by_hand)

    def hook(self, path: Path) -> None:
        """The pre-commit config: create it, or append our hook to its ``repos:`` when that is safe."""
        if not os.path.lexists(path):
            self.new([path], _pre_commit())
            return
        by_hand = _ByHand(f"the {HOOK_ID} hook is", f"the {HOOK_ID} hook to the repos: list of")
        old = self._read(path, _repo_lines(), by_hand)
        if old is None:
            return
        config = _yaml_mapping(old)
        if config is not None and _has_hook(config):
            self.skipped.append(Change(path, f"already has the {HOOK_ID} hook"))
            return
        new = _with_hook(old, config) if config is not None else None
        if new is None:
            self._by_hand(path, _repo_lines(), by_hand, "init could not do it safely", say_why=False)
        else:
            self._append(path, old, new[len(old) :], f"added the {HOOK_ID} hook", _repo_lines(), by_hand)

    def _by_hand(
        self, path: Path, lines: Sequence[str], kind: _ByHand, why: str, *, say_why: bool = True
    ) -> None:
        """``path`` left as it is, and ``lines`` listed for the user to add (the next steps say ``why``)."""
        self.skipped.append(
            Change(path, f"{why + '; ' if say_why else ''}{kind.subject} to add by hand: see next")
        )
        self.to_add.append(ToAdd(path, "\n".join(lines) + "\n", kind.where, why))

    def _read(self, path: Path, lines: Sequence[str], kind: _ByHand) -> str | None:
        """The text of an existing file; None (and the file listed as skipped) when it is not a
        readable UTF-8 regular file inside the boundary, such as a folder in the way, or a link out
        (then with the lines to add by hand)."""
        link = self._link_out(path)
        if link is not None:
            self._by_hand(path, lines, kind, link)
            return None
        try:
            raw = read_capped(os.path.realpath(path), MAX_BYTES)
            if len(raw) <= MAX_BYTES:
                return raw.decode("utf-8")  # line ends as they are (CRLF too)
        except (OSError, UnicodeDecodeError):
            pass
        self.skipped.append(Change(path, ALREADY_THERE))
        return None

    def _append(
        self, path: Path, old: str, text: str, note: str, lines: Sequence[str], kind: _ByHand
    ) -> None:
        """Append ``text`` to ``path`` (read as ``old``) when it is writable; else list it by hand."""
        real = Path(os.path.realpath(path))
        mode = os.stat(real).st_mode
        # Root may write any file: the mode bits say whether its owner meant it to be changed.
        if not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(real, os.W_OK):
            self._by_hand(path, lines, kind, "it is read-only")
            return
        if path.is_symlink():
            note += f" (in {_shown(real, path)}, the link's target)"
        self.edits.append(_Edit(path, real, old.encode("utf-8"), text.encode("utf-8"), note))

    def write(self) -> None:
        """Write every file at once (atomic.write_all: all staged first, then renamed into place), then
        append to the files to extend, in place; if anything fails, undo what landed (new files and folders
        removed, extended files cut back to their old length), so nothing is half-made and init can simply
        be run again."""
        folders = sorted(
            {
                p
                for path in [*self.files, *(e.path for e in self.edits)]
                for p in path.parents
                if not p.exists()
            },
            key=lambda p: len(p.parts),
            reverse=True,
        )
        done: list[_Edit] = []
        try:
            atomic.write_all({path: text.encode("utf-8") for path, text in self.files.items()})
            for edit in self.edits:
                done.append(edit)
                _append_in_place(edit)
        except BaseException:
            for path in self.files:  # none of them existed before
                with contextlib.suppress(OSError):
                    path.unlink()
            for edit in done:
                with contextlib.suppress(OSError):
                    _cut_back(edit)
            for folder in folders:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise


def _append_in_place(edit: _Edit) -> None:
    """Append to the file itself (its inode: mode, owner, hard links and the symlink to it stay), after
    checking it is still the one read."""
    try:
        # O_NONBLOCK: if a FIFO took the file's place since it was read, fail at once, never wait on it.
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(edit.real, flags | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise InputError(f"cannot write {edit.path}: {e.strerror or e}") from e
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size != len(edit.old):
            raise InputError(f"{edit.path}: changed while init ran", hint="run init again")
        view = memoryview(edit.added)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, len(edit.old))
        raise InputError(f"cannot write {edit.path}: {e.strerror or e}") from e
    finally:
        os.close(fd)


def _cut_back(edit: _Edit) -> None:
    """Undo :func:`_append_in_place`: the file back to the length it had, if it still starts as read."""
    with open(edit.real, "r+b") as fh:
        if os.fstat(fh.fileno()).st_size > len(edit.old) and fh.read(len(edit.old)) == edit.old:
            fh.truncate(len(edit.old))


def _header(text: str) -> str:
    return f"# yaml-language-server: $schema={SCHEMA_URL}\n{text}"


def _project_file(
    info: ProviderInfo, project: str, fill_ins: list[FillIn], env: str, *, html: bool = False
) -> str:
    lines = [
        f"# The email settings of Logto's SMTP connector for {project}, as code.",
        f"# `smtp-connector build --env {env}` merges, lowest first: the provider overlay < this file <",
        "# environments/<env>.yaml < --set. Mappings merge key by key, other values are replaced, templates",
        f"# merge by usageType, and null removes a key. `smtp-connector explain --env {env}` shows where every",
        "# final value comes from. Replace each <...> value; `smtp-connector lint` flags those left.",
        "",
        f"# {info.title}",
        *(f"# {url}" for url in info.docs[:1]),
        f"provider: {info.name}",
        "",
        *_yaml(fill_ins),
        "",
        *(_HTML_VARIABLES if html else []),
        "# Logto picks the template whose usageType matches the message, else Generic; Register, SignIn,",
        "# ForgotPassword and Generic are required. When it sends, Logto fills the placeholders its payload",
        "# has for the message's usage type: {{code}} (the verification code), {{link}} (an invitation's",
        "# link), {{locale}}, {{uiLocales}}, and {{application.*}}, {{organization.*}}, {{user.*}} and",
        "# {{inviter.*}} paths (docs/templates.md); any other {{...}} is sent as written.",
        *(_HTML_NOTE if html else []),
        "templates:",
    ]
    for kind, subject, content in TEMPLATES:
        if html:
            lines += [
                f"  - usageType: {kind}",
                "    contentType: text/html",
                f"    subject: {{jinja: {_scalar('{{ brand }}: ' + subject)}}}",
                f"    content: {{file: {_html_name(kind)}}}",
            ]
            continue
        lines += [
            f"  - usageType: {kind}",
            "    contentType: text/plain",
            f"    subject: {_scalar(subject)}",
            "    content: |-",
            *(f"      {line}" if line else "" for line in content.split("\n")),
        ]
    return _header("\n".join(lines) + "\n")


TEMPLATES_DIR = "templates"
LAYOUT = f"{TEMPLATES_DIR}/layout.html.j2"
_HTML_VARIABLES = [
    "# Build variables: the templates below use them ({{ brand }} in a {jinja: ...} subject, and in the",
    "# template files); each environment file may change some (`variables: {brand: Acme (dev)}`). The",
    "# build renders them into the text, so Logto never sees them.",
    "variables:",
    "  brand: Example",
    "  product_url: https://example.com",
    "  support_email: support@example.com",
    '  colors: {primary: "#0a84ff", text: "#1d1d1f"}',
    "",
]
_HTML_NOTE = [
    f"# Each template is a file in {TEMPLATES_DIR}/ that extends {LAYOUT}: change the layout once for",
    "# every email; `smtp-connector preview` shows them all.",
]


def _html_name(kind: str) -> str:
    """``templates/sign-in.html.j2`` for SignIn."""
    return f"{TEMPLATES_DIR}/{re.sub(r'(?<!^)(?=[A-Z])', '-', kind).lower()}.html.j2"


def _html_files() -> list[tuple[str, str]]:
    """The layout and one file per usage type, each paragraph of the plain text as a <p>."""
    layout = (
        "{#- The layout every HTML email extends: each fills `body`. `language` is set by the build; the\n"
        "    rest are the project's `variables`. -#}\n"
        "<!DOCTYPE html>\n"
        '<html lang="{{ language }}">\n'
        '  <head><meta charset="utf-8"><title>{{ brand }}</title></head>\n'
        '  <body style="margin: 0; background: #f5f5f7; font-family: Helvetica, Arial, sans-serif; '
        'color: {{ colors.text }}">\n'
        '    <div style="max-width: 560px; margin: 0 auto; padding: 24px; background: #ffffff">\n'
        '      <p style="font-size: 20px; font-weight: bold; color: {{ colors.primary }}">'
        '<a href="{{ product_url }}" style="color: inherit; text-decoration: none">{{ brand }}</a></p>\n'
        "      {% block body %}{% endblock %}\n"
        '      <p style="font-size: 12px; color: #6e6e73">Questions? Write to '
        '<a href="mailto:{{ support_email }}">{{ support_email }}</a>.</p>\n'
        "    </div>\n"
        "  </body>\n"
        "</html>\n"
    )
    files = [(LAYOUT, layout)]
    for kind, _, content in TEMPLATES:
        paragraphs = [
            _html_paragraph(p) for p in content.replace("{{code}}", "<strong>{{code}}</strong>").split("\n\n")
        ]
        body = "\n".join(f"      {p}" for p in paragraphs)
        files.append(
            (
                _html_name(kind),
                f'{{% extends "{LAYOUT}" %}}\n{{% block body -%}}\n{body}\n{{% endblock %}}\n',
            )
        )
    return files


def _html_paragraph(text: str) -> str:
    link = "{{link}}"
    if link in text:
        text = text.replace(link, f'<a href="{link}">{link}</a>')
    return f"<p>{text}</p>"


def _sink_file(env: str, project: str) -> str:
    """An environment that sends to the local sink; ``project`` is the folder as seen from the
    repository's root (``.`` when it is the root)."""
    return _header(
        f"# {env}: every message goes to the local sink, so this works with no account at all.\n"
        f"# Start the sink with `smtp-connector sink` (127.0.0.1:2525, messages in {SINK_DIR}/), then send a\n"
        f"# test message: `smtp-connector send {project} --env {env} --type SignIn --code 123456 --to you@example.com`.\n"
        f"provider: {DEV_PROVIDER}\n"
        "# The sink accepts any sender; the other environments send from the address in smtp-connector.yaml.\n"
        f"fromEmail: {DEV_FROM}\n"
    )


def _environment_file(info: ProviderInfo, env: str, fill_ins: list[FillIn]) -> str:
    secrets = ", ".join(v.name for v in info.variables)
    text = f"{env}: the {info.name} provider named in smtp-connector.yaml ({info.title.rstrip('.')})."
    if secrets:
        text += (
            f" Secrets are never written here: the build reads {secrets} from the environment"
            " (a CI secret, or `export` in your shell)."
        )
    lines = _comment(text)
    if fill_ins:
        lines += ["# Replace each <...> with your account's value.", *_yaml(fill_ins)]
    else:
        lines += [f"# Nothing differs from smtp-connector.yaml yet; add what {env} changes here.", "{}"]
    return _header("\n".join(lines) + "\n")


def _readme(info: ProviderInfo, envs: Sequence[str], project: str, secrets: Sequence[str]) -> str:
    """A short README for the project folder: what it is and the commands, from the repository's root."""
    where = "" if project == "." else f" {shlex.quote(project)}"
    out = OUT_DIR if project == "." else f"{project}/{OUT_DIR}"
    names = ", ".join(
        f"`{env}` (the local sink: `smtp-connector sink`)" if env in SINK_ENVIRONMENTS else f"`{env}`"
        for env in envs
    )
    sink = next((env for env in envs if env in SINK_ENVIRONMENTS), None)
    export = "".join(f"{name}=... " for name in secrets)
    about = (
        f"The settings of Logto's SMTP connector ({info.name}), as code: [smtp-connector]({PROJECT_URL}) "
        "lints them and builds the JSON Logto accepts. `smtp-connector.yaml` holds the provider, the From "
        "address and the templates; `environments/NAME.yaml` what each environment changes."
    )
    if secrets:
        about += (
            f" Secrets are never written here: the build reads {', '.join(secrets)} from the environment."
        )
    lines = [
        "# Email settings",
        "",
        *textwrap.wrap(about, 100, break_on_hyphens=False),
        "",
        f"Environments: {names}.{' From the repository root:' if project != '.' else ''}",
        "",
        "```bash",
        f"smtp-connector lint{where}   # what Logto would reject or send broken",
        *(
            [f"smtp-connector build{where} --env {sink}   # the Logto JSON, no account needed"]
            if sink
            else []
        ),
        f"{export}smtp-connector build{where} --all --out-dir {out}/   # every environment (git-ignored)",
        f"smtp-connector explain{where} --env {envs[-1]} fromEmail   # a final value and the file:line that set it",
        f"smtp-connector preview{where} --out {out}/preview   # an HTML gallery of every template",
        "```",
        "",
        *textwrap.wrap(
            f"CI (`{WORKFLOW}`) lints and builds every environment on each push and pull request; the "
            f"pre-commit hook (`{HOOK_ID}`) lints before each commit once you run `pre-commit install`.",
            100,
            break_on_hyphens=False,
        ),
    ]
    return "\n".join(lines) + "\n"


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 100 - len(indent))]


_ADDED_BY_INIT = "# smtp-connector (added by `smtp-connector init`): built configs hold secrets; sink mail."


def _gitignore() -> str:
    return (
        f"# Built configs hold resolved secrets (`smtp-connector build --all --out-dir {OUT_DIR}/`): never\n"
        f"# commit them. Files built with --keep-refs hold no secret and may be committed elsewhere.\n"
        f"{OUT_DIR}/\n# What `smtp-connector sink` received.\n{SINK_DIR}/\n"
    )


def _repo_lines() -> list[str]:
    """Our hook as one entry of a pre-commit config's ``repos:`` list."""
    return [
        f"- repo: {PROJECT_URL}",
        "  # Pin rev to a released tag of smtp-connector; `pre-commit autoupdate` moves it forward.",
        f"  rev: v{__version__}",
        "  hooks:",
        f"    - id: {HOOK_ID}",
    ]


def _pre_commit() -> str:
    return "# Lint the email config before every commit: run `pre-commit install` once.\nrepos:\n" + "".join(
        f"  {line}\n" for line in _repo_lines()
    )


def _yaml_mapping(text: str) -> dict[str, Any] | None:
    """A pre-commit config read as YAML, when it is a mapping with a ``repos:`` list.

    Read by the tool's one YAML reader, whose caps (nodes counted through aliases, depth) keep an alias
    bomb from reaching the comparison in :func:`_with_hook`, which would expand it."""
    document = loads(text, PRE_COMMIT).document
    if document is not None and isinstance(document.data.get("repos"), list):
        return document.data
    return None


def _has_hook(config: dict[str, Any]) -> bool:
    for repo in config["repos"]:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        if isinstance(hooks, list) and any(isinstance(h, dict) and h.get("id") == HOOK_ID for h in hooks):
            return True
    return False


def _with_hook(text: str, config: dict[str, Any]) -> str | None:
    """``text`` with our hook appended to its ``repos:`` list, or None when that cannot be done safely.

    Safe means the result reads back as exactly ``config`` with one more repository at the end; the
    lines are tried at the indentations a ``repos:`` list is written with. A flow list, a key after
    ``repos:`` or anything else unusual fails that check, and the user gets the lines to add instead."""
    newline = "\r\n" if "\r\n" in text else "\n"
    ours = _yaml_mapping(_pre_commit())
    assert ours is not None
    expected = {**config, "repos": [*config["repos"], *ours["repos"]]}
    base = text if text.endswith(("\n", "\r")) else text + newline
    for indent in ("  ", "", "    "):
        candidate = base + "".join(f"{indent}{line}{newline}" for line in _repo_lines())
        if _yaml_mapping(candidate) == expected:
            return candidate
    return None


def _workflow(project: str, secrets: Sequence[str]) -> str:
    """The CI workflow at the repository's root; ``project`` is the project's folder from there."""
    lines = [
        "# Lint the email config and build every environment on each push and pull request; the HTML",
        "# preview of every template is kept as a workflow artifact for reviewers. The built files hold",
        "# the secrets, so they are not uploaded.",
    ]
    if secrets:
        lines.append(
            f"# Store {', '.join(secrets)} as repository secrets (Settings > Secrets and variables > Actions)."
        )
    lines += ["name: email-config", "on:"]
    if project == ".":
        lines += ["  push:", "  pull_request:"]
    else:
        # Only when the project (or this workflow) changes; every `run:` step runs in the project.
        paths = json.dumps([f"{project}/**", WORKFLOW])
        lines += ["  push:", f"    paths: {paths}", "  pull_request:", f"    paths: {paths}"]
    lines += ["permissions:", "  contents: read"]
    if project != ".":
        lines += ["defaults:", "  run:", f"    working-directory: {_scalar(project)}"]
    artifact = PREVIEW_DIR if project == "." else f"{project}/{PREVIEW_DIR}"
    lines += [
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.12"',
        "      # The same version as rev in .pre-commit-config.yaml.",
        f'      - run: pip install "smtp-connector=={__version__}"',
        "      - run: smtp-connector lint --format github",
        f"      - run: smtp-connector build --all --out-dir {OUT_DIR}/",
    ]
    if secrets:
        lines += ["        env:", *(f"          {name}: ${{{{ secrets.{name} }}}}" for name in secrets)]
    lines += [
        f"      - run: smtp-connector preview --out {PREVIEW_DIR}",
        "      - uses: actions/upload-artifact@v4",
        "        with:",
        "          name: email-preview",
        "          # Relative to the repository's root: working-directory does not apply to `uses:` steps.",
        f"          path: {_scalar(artifact + '/')}",
    ]
    return "\n".join(lines) + "\n"


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
