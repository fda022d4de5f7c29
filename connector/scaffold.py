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
import copy
import json
import os
import re
import shlex
import stat
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from connector import __version__, atomic
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.printable import printable
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError, UsageError
from connector.project.discover import projects_under, secrets_of
from connector.project.providers import FillIn, ProviderInfo, provider_info
from connector.resources import PROJECT_URL, SCHEMA_LINE, shipped_names
from connector.safe_paths import name_problem, outside_problem, repository_root
from connector.source.files import (
    ENVIRONMENT_NAME,
    ENVIRONMENT_NAME_HINT,
    ENVIRONMENTS_DIR,
    PROJECT_FILES,
    YAML_SUFFIXES,
    project_files_in,
)
from connector.source.loader import MAX_BYTES, loads, read_capped

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
    rewritten: tuple[Change, ...] = ()  # files of ours rewritten to cover this project too (workflow, hook)

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


def init_project(
    folder: str | os.PathLike[str],
    provider: str,
    environments: Sequence[str] = DEFAULT_ENVIRONMENTS,
    *,
    hook: str | None = None,
    html: bool = False,
) -> InitResult:
    """Write a new project into ``folder`` (created if needed), skipping every file that is there.

    ``hook``: the pre-commit hook's form, ``local`` or ``remote`` (default: :func:`hook_form`).
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
    if project_files_in(absolute):
        secrets = secrets_of(absolute)  # init run again: what the project names now
    plan.new([project / README], _readme(info, envs, relative, secrets))
    # Every project of the repository, this one included: one workflow and one hook cover them all.
    others = [
        (folder, secrets_of(folder))
        for folder in projects_under(repo if repo is not None else absolute)
        if folder.resolve() != absolute
    ]
    projects = sorted([*((_from(folder, repo), names) for folder, names in others), (relative, secrets)])
    plan.workflow(
        [root / WORKFLOW, root / WORKFLOW.replace(".yml", ".yaml")],
        projects,
        relative,
    )
    plan.hook(root / PRE_COMMIT, hook or hook_form(), [name for name, _ in projects], relative)
    plan.write()
    return InitResult(
        project=project,
        root=root,
        in_repository=repo is not None,
        environments=envs,
        created=tuple(plan.files),
        updated=tuple(Change(edit.path, edit.note) for edit in plan.edits if not edit.rewrite),
        skipped=tuple(plan.skipped),
        to_add=tuple(plan.to_add),
        outside=tuple(plan.outside),
        to_fill=tuple(plan.to_fill),
        secrets=secrets,
        rewritten=tuple(Change(edit.path, edit.note) for edit in plan.edits if edit.rewrite),
    )


def _from(folder: Path, repo: Path | None) -> str:
    """``folder`` (found under the repository's root) as the workflow and the hook name it: from the root."""
    if repo is None:
        return "."
    return folder.relative_to(repo).as_posix() or "."


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
    rewrite: bool = False  # ``added`` is the whole new text (a line of ours changed), not an addition


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

    def hook(self, path: Path, form: str, projects: Sequence[str], project: str) -> None:
        """The pre-commit config: create it, or append our hook to its ``repos:`` when that is safe; when
        our hook is there, scoped to other projects' folders, widen its ``files:`` to ``project`` too."""
        pattern = files_pattern(projects)
        lines = _repo_lines(form, pattern)
        if not os.path.lexists(path):
            self.new([path], _pre_commit(form, pattern))
            return
        by_hand = _ByHand(f"the {HOOK_ID} hook is", f"the {HOOK_ID} hook to the repos: list of")
        old = self._read(path, lines, by_hand)
        if old is None:
            return
        config = _yaml_mapping(old)
        hook = _our_hook(config) if config is not None else None
        if config is not None and hook is not None:
            scoped = _scoped_projects(hook.get("files"))
            if "files" not in hook or scoped is None or project in scoped:
                covers = "" if "files" not in hook or scoped is not None else ", with a files: scope of yours"
                self.skipped.append(Change(path, f"already has the {HOOK_ID} hook{covers}"))
                if "files" in hook and scoped is None and project != ".":
                    self.to_add.append(
                        ToAdd(
                            path,
                            f"^{re.escape(project)}/\n",
                            f"the folder {project} to the files: of",
                            "so the hook lints it",
                        )
                    )
                return
            widened = files_pattern([*scoped, project])
            if widened is None:  # the new project is the repository's root: every file is a project's
                self._by_hand(
                    path,
                    ["(remove its files: line)"],
                    _ByHand("the change is", f"to the {HOOK_ID} hook in"),
                    "the project is the repository's root",
                    say_why=False,
                )
                return
            new = _rescoped(old, config, widened)
            line = [f"files: {_scalar(widened)}"]
            why = _ByHand("the line is", f"in the {HOOK_ID} hook, this files: line to")
            if new is None:
                self._by_hand(path, line, why, "init could not do it safely", say_why=False)
            else:
                self._append(
                    path, old, new, f"the {HOOK_ID} hook now covers {project}", line, why, rewrite=True
                )
            return
        new = _with_hook(old, config, lines) if config is not None else None
        if new is None:
            self._by_hand(path, lines, by_hand, "init could not do it safely", say_why=False)
        else:
            self._append(path, old, new[len(old) :], f"added the {HOOK_ID} hook", lines, by_hand)

    def workflow(
        self, spellings: Sequence[Path], projects: Sequence[tuple[str, Sequence[str]]], project: str
    ) -> None:
        """The CI workflow for every project: create it, or rewrite it when it is exactly what init wrote
        for the other projects (so each init adds its project); one edited by hand is left as it is."""
        text = _workflow(projects)
        there = next((path for path in spellings if os.path.lexists(path)), None)
        if there is None:
            self.new(spellings, text)
            return
        by_hand = _ByHand("the steps are", f"the steps for {project} to")
        lines = _project_steps(project, dict(projects)[project], keep_refs=True)
        old = self._read(there, lines, by_hand)
        if old is None:
            return
        if old == text:
            self.skipped.append(Change(there, ALREADY_THERE))
            return
        if _skeleton(old) == _skeleton(text):  # init run again after the projects' secrets changed
            self._append(
                there, old, text, "lists the secrets the projects name now", lines, by_hand, rewrite=True
            )
            return
        before = [(name, secrets) for name, secrets in projects if name != project]
        if before and _skeleton(old) == _skeleton(_workflow(before)):
            self._append(there, old, text, f"now covers {project} too", lines, by_hand, rewrite=True)
            return
        self._by_hand(
            there,
            lines,
            by_hand,
            f"it is not as init wrote it, so init leaves it alone, and it may not check {project}",
        )

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
        self,
        path: Path,
        old: str,
        text: str,
        note: str,
        lines: Sequence[str],
        kind: _ByHand,
        *,
        rewrite: bool = False,
    ) -> None:
        """Append ``text`` to ``path`` (read as ``old``) when it is writable; else list it by hand.
        ``rewrite``: ``text`` is the file's whole new text."""
        real = Path(os.path.realpath(path))
        mode = os.stat(real).st_mode
        # Root may write any file: the mode bits say whether its owner meant it to be changed.
        if not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(real, os.W_OK):
            self._by_hand(path, lines, kind, "it is read-only")
            return
        if path.is_symlink():
            note += f" (in {_shown(real, path)}, the link's target)"
        self.edits.append(_Edit(path, real, old.encode("utf-8"), text.encode("utf-8"), note, rewrite))

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
        flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        flags |= 0 if edit.rewrite else os.O_APPEND
        fd = os.open(edit.real, flags | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise InputError(f"cannot write {edit.path}: {e.strerror or e}") from e
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size != len(edit.old):
            raise InputError(f"{edit.path}: changed while init ran", hint="run init again")
        if edit.rewrite:
            _write_over(fd, edit.added)
        else:
            view = memoryview(edit.added)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as e:
        with contextlib.suppress(OSError):
            if edit.rewrite:
                _write_over(fd, edit.old)
            else:
                os.ftruncate(fd, len(edit.old))
        raise InputError(f"cannot write {edit.path}: {e.strerror or e}") from e
    finally:
        os.close(fd)


def _write_over(fd: int, data: bytes) -> None:
    """The file's whole content becomes ``data``, in the same inode (mode, owner and links stay)."""
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.ftruncate(fd, len(data))


def _cut_back(edit: _Edit) -> None:
    """Undo :func:`_append_in_place`: the file back to the length it had, if it still starts as read
    (a rewritten one back to the text it had, if it still holds ours)."""
    if edit.rewrite:
        with open(edit.real, "r+b") as fh:
            if fh.read() == edit.added:
                _write_over(fh.fileno(), edit.old)
        return
    with open(edit.real, "r+b") as fh:
        if os.fstat(fh.fileno()).st_size > len(edit.old) and fh.read(len(edit.old)) == edit.old:
            fh.truncate(len(edit.old))


def _header(text: str) -> str:
    return f"{SCHEMA_LINE}{text}"


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
            f"CI (`{WORKFLOW}`) lints and checks every environment on each push and pull request, with no "
            "secret, and builds them with the secrets on each push; the "
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


@dataclass(frozen=True)
class InstallSource:
    """Where this smtp-connector was installed from, as its distribution's metadata says (PEP 610)."""

    version: str
    installed: bool  # False: run from a source tree, with no distribution metadata at all
    direct: dict[str, Any] | None  # direct_url.json ({} when unreadable); None: from a package index


def install_source() -> InstallSource:
    """The one reader of this install's metadata, for :func:`hook_form` and :func:`install_requirement`."""
    try:
        distribution = metadata.distribution("smtp-connector")
    except metadata.PackageNotFoundError:
        return InstallSource(__version__, installed=False, direct={})
    raw = distribution.read_text("direct_url.json")
    if raw is None:
        return InstallSource(distribution.version, installed=True, direct=None)
    try:
        direct = json.loads(raw)
    except ValueError:
        direct = {}
    return InstallSource(
        distribution.version, installed=True, direct=direct if isinstance(direct, dict) else {}
    )


def hook_form(source: InstallSource | None = None) -> str:
    """The hook form that works where init runs: ``remote`` (pre-commit installs the tagged release from
    the project's repository) when this smtp-connector was installed from a package index as a release,
    else ``local`` (the smtp-connector installed in this environment, as a checkout or a wheel from
    elsewhere is: its version need not be a tag pre-commit can fetch, and there may be no network)."""
    source = source or install_source()
    released = re.fullmatch(r"\d+(\.\d+)*", source.version) is not None
    # PEP 610: a direct_url.json means installed from a folder, a VCS or a URL, not from an index.
    return "remote" if source.installed and released and source.direct is None else "local"


def install_requirement(source: InstallSource | None = None) -> tuple[str, str | None]:
    """What the CI workflow's ``pip install`` takes, so that it installs the smtp-connector init runs from:
    a release from a package index by its version, a git install by its URL and commit, an archive by its
    URL (PEP 610's direct_url.json says which). A folder on this machine cannot be reached from CI: then the
    version, and a note saying to point the line at where CI can install it from."""
    source = source or install_source()
    pinned = f"smtp-connector=={source.version}"
    if source.direct is None:
        return pinned, None
    url = source.direct.get("url")
    vcs = source.direct.get("vcs_info")
    remote = isinstance(url, str) and url.startswith(("https://", "http://", "ssh://", "git@"))
    # Quoted into YAML and a shell command: only a URL with no quote, space or control character is used.
    if remote and isinstance(url, str) and all(c.isprintable() and c not in "\"'$` " for c in url):
        if isinstance(vcs, dict) and vcs.get("vcs") == "git":
            commit = vcs.get("commit_id")
            at = f"@{commit}" if isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{7,64}", commit) else ""
            return f"smtp-connector @ git+{url}{at}", None
        if isinstance(source.direct.get("archive_info"), dict):
            return f"smtp-connector @ {url}", None
    return pinned, (
        f"smtp-connector {source.version} is installed here from a folder, which CI cannot reach: point the "
        "workflow's `pip install` at where CI can install it from (a package index, or git+URL)"
    )


def files_pattern(projects: Sequence[str]) -> str | None:
    """The hook's ``files:`` regex for the project folders (from the repository root); None when one of
    them is the root itself (every file is the project's)."""
    if not projects or "." in projects:
        return None
    return f"^(?:{'|'.join(re.escape(p) for p in sorted(set(projects)))})/"


_SCOPE = re.compile(r"\^\(\?:(?P<names>.*)\)/")


def _scoped_projects(pattern: object) -> list[str] | None:
    """The project folders a ``files:`` regex written by :func:`files_pattern` names; None for another."""
    if not isinstance(pattern, str) or (match := _SCOPE.fullmatch(pattern)) is None:
        return None
    names = [re.sub(r"\\(.)", r"\1", name) for name in match["names"].split("|")]
    return names if files_pattern(names) == pattern else None


def _repo_lines(form: str = "remote", files: str | None = None) -> list[str]:
    """Our hook as one entry of a pre-commit config's ``repos:`` list; ``files``: its scope."""
    scope = [f"      files: {_scalar(files)}"] if files else []
    if form == "local":
        return [
            "- repo: local",
            "  hooks:",
            f"    - id: {HOOK_ID}",
            "      name: smtp-connector lint",
            "      # The smtp-connector installed where git runs (`pip install smtp-connector`, or `pip install .`",
            "      # in a checkout). Once a release is on your package index, the remote form works too:",
            f"      # `repo: {PROJECT_URL}`, `rev: v{__version__}`, `hooks: [{{id: {HOOK_ID}}}]`.",
            "      entry: smtp-connector lint --hook",
            "      language: system",
            *scope,
            "      # Also when only deletions are staged: removing a template an environment uses must fail.",
            "      always_run: true",
            "      pass_filenames: true",
            "      require_serial: true",
        ]
    return [
        f"- repo: {PROJECT_URL}",
        "  # Pin rev to a released tag of smtp-connector; `pre-commit autoupdate` moves it forward.",
        f"  rev: v{__version__}",
        "  hooks:",
        f"    - id: {HOOK_ID}",
        *scope,
    ]


def _pre_commit(form: str = "remote", files: str | None = None) -> str:
    return "# Lint the email config before every commit: run `pre-commit install` once.\nrepos:\n" + "".join(
        f"  {line}\n" for line in _repo_lines(form, files)
    )


def _our_hook(config: dict[str, Any]) -> dict[str, Any] | None:
    for repo in config["repos"]:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else ():
            if isinstance(hook, dict) and hook.get("id") == HOOK_ID:
                return hook
    return None


def _rescoped(text: str, config: dict[str, Any], pattern: str) -> str | None:
    """``text`` with our hook's ``files:`` line set to ``pattern``, or None when that cannot be done safely
    (the result must read back as exactly ``config`` with that one value changed)."""

    expected = copy.deepcopy(config)
    hook = _our_hook(expected)
    assert hook is not None
    old = hook["files"]
    hook["files"] = pattern
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("files:", "- files:")) and old in line:
            candidate = "".join(
                [*lines[:index], line.replace(_scalar(old), _scalar(pattern), 1), *lines[index + 1 :]]
            )
            if _yaml_mapping(candidate) == expected:
                return candidate
    return None


def _yaml_mapping(text: str) -> dict[str, Any] | None:
    """A pre-commit config read as YAML, when it is a mapping with a ``repos:`` list.

    Read by the tool's one YAML reader, whose caps (nodes counted through aliases, depth) keep an alias
    bomb from reaching the comparison in :func:`_with_hook`, which would expand it."""
    document = loads(text, PRE_COMMIT).document
    if document is not None and isinstance(document.data.get("repos"), list):
        return document.data
    return None


def _with_hook(text: str, config: dict[str, Any], lines: Sequence[str]) -> str | None:
    """``text`` with our hook appended to its ``repos:`` list, or None when that cannot be done safely.

    Safe means the result reads back as exactly ``config`` with one more repository at the end; the
    lines are tried at the indentations a ``repos:`` list is written with. A flow list, a key after
    ``repos:`` or anything else unusual fails that check, and the user gets the lines to add instead."""
    newline = "\r\n" if "\r\n" in text else "\n"
    ours = _yaml_mapping("repos:\n" + "".join(f"  {line}\n" for line in lines))
    assert ours is not None
    expected = {**config, "repos": [*config["repos"], *ours["repos"]]}
    base = text if text.endswith(("\n", "\r")) else text + newline
    for indent in ("  ", "", "    "):
        candidate = base + "".join(f"{indent}{line}{newline}" for line in lines)
        if _yaml_mapping(candidate) == expected:
            return candidate
    return None


_SECRET_LINE = re.compile(
    r"^(?:\s*[A-Za-z_][A-Za-z0-9_]*: \$\{\{ secrets\.[A-Za-z0-9_]+ \}\}|\s*env:|# Store .*)$"
)


def _skeleton(text: str) -> list[str]:
    """A workflow's lines without those naming secrets: two workflows init wrote for the same projects
    differ only there (a project's secrets are read from its files, and change with them)."""
    return [line for line in text.splitlines() if not _SECRET_LINE.match(line)]


def _project_steps(project: str, secrets: Sequence[str], *, keep_refs: bool) -> list[str]:
    """One project's ``run:`` steps: the no-secret check (``keep_refs``: build with the references as
    written, the preview, and doctor's DNS and template parts), or the real build and doctor's SMTP part,
    which logs in with the secrets (docs/doctor.md, "In CI")."""
    where = "" if project == "." else f" {shlex.quote(project)}"
    out = OUT_DIR if project == "." else f"{project}/{OUT_DIR}"
    doctor = f"smtp-connector doctor {shlex.quote(project)} --all"
    if keep_refs:
        return [
            _run_step(f"smtp-connector build{where} --all --keep-refs --out-dir {shlex.quote(f'{out}/')}"),
            _run_step(f"smtp-connector preview{where} --out {shlex.quote(f'{out}/preview')}"),
            _run_step(f"{doctor} --only dns,templates --format github"),
        ]
    env = ["  env:", *(f"    {name}: ${{{{ secrets.{name} }}}}" for name in secrets)] if secrets else []
    return [
        _run_step(f"smtp-connector build{where} --all --out-dir {shlex.quote(f'{out}/')}"),
        *env,
        _run_step(f"{doctor} --only smtp --format github"),
        *env,
    ]


def _run_step(command: str) -> str:
    """A workflow's ``- run:`` step for a shell command: quoted for YAML when a project's folder name makes
    it need that (` #` would start a comment, `: ` a mapping)."""
    return f"- run: {_scalar(command)}"


def _workflow(projects: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The CI workflow at the repository's root, for every project (folder from the root, its secrets)."""
    names = [name for name, _ in projects]
    secrets = sorted({name for _, listed in projects for name in listed})
    requirement, note = install_requirement()
    lines = [
        "# Written by `smtp-connector init` for every config project of this repository; each init",
        "# rewrites it while it is as written, to add its project (once you edit it, init leaves it alone).",
        "# check: on every push and pull request, with no secret (pull requests from forks get none): lint,",
        "# and build every environment with ${VAR} references left as written, which checks everything but",
        "# the secrets' values. The HTML preview of every template is kept as an artifact for reviewers.",
        "# `doctor` checks each sender domain's DNS (MX, SPF, DKIM, DMARC) and the templates (docs/doctor.md).",
        "# build: on pushes only, the real build with the secrets resolved; the built files hold them, so",
        "# they are not uploaded. `doctor --only smtp` then logs in to each environment's SMTP server (TLS",
        "# mode, certificate, AUTH; it sends nothing). Both leave out an environment that sends to",
        "# this machine (127.0.0.1, localhost), such as dev and its local sink.",
    ]
    if secrets:
        what = "a repository secret" if len(secrets) == 1 else "repository secrets"
        lines.append(f"# Store {', '.join(secrets)} as {what} (Settings > Secrets and variables > Actions).")
    lines += ["name: email-config", "on:"]
    if "." in names:
        lines += ["  push:", "  pull_request:"]
    else:
        # Only when a project (or this workflow) changes.
        paths = json.dumps([*(f"{name}/**" for name in names), WORKFLOW])
        lines += ["  push:", f"    paths: {paths}", "  pull_request:", f"    paths: {paths}"]
    setup = [
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.12"',
        "      # The smtp-connector init ran from (the same as the pre-commit hook's).",
        *([f"      # To do: {note}"] if note else []),
        f'      - run: pip install "{requirement}"',
    ]
    previews = [f"{name}/{PREVIEW_DIR}/" if name != "." else f"{PREVIEW_DIR}/" for name in names]
    lines += [
        "permissions:",
        "  contents: read",
        "jobs:",
        "  check:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        *setup,
        # From the repository's root, so that annotations name the files GitHub shows.
        "      "
        + _run_step(
            f"smtp-connector lint{''.join(f' {shlex.quote(n)}' for n in names if names != ['.'])} --format github"
        ),
        *(f"      {line}" for name, _ in projects for line in _project_steps(name, (), keep_refs=True)),
        "      - uses: actions/upload-artifact@v4",
        "        with:",
        "          name: email-preview",
        "          path: |",
        *(f"            {path}" for path in previews),
        "  build:",
        "    if: github.event_name == 'push'",
        "    needs: check",
        "    runs-on: ubuntu-latest",
        "    steps:",
        *setup,
        *(
            f"      {line}"
            for name, listed in projects
            for line in _project_steps(name, listed, keep_refs=False)
        ),
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
