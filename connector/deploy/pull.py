"""A project made from what Logto holds: the connector config, its templates as plain files (``{text:}``,
never read as Jinja2), and the email-template store as ``locales``; every secret becomes a ``${VAR}``
reference.

Building the pulled project with those variables set gives back exactly the live config:
:func:`write_pulled` checks that by building it in a staging folder next to the target folder, and moves
the files into place only when it does (docs/deploy.md, "pull DIR"). Every file name made from Logto's
data (a usage type, a language tag) is checked by :mod:`connector.safe_paths` first.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connector.build.outputs import build_environments
from connector.deploy.plan import Desired, Live, make_plan
from connector.deploy.target import Target
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.printable import printable
from connector.errors import InputError
from connector.logto import CREDENTIAL_URL_KEYS, SECRET_KEYS, secret_keys_in, sent_content_type
from connector.logto.credentials import secret_variable, url_secrets
from connector.project.layout import load_project
from connector.resources import SCHEMA_LINE
from connector.safe_paths import name_problem, outside_problem, unsafe_name
from connector.source.files import LOGTO_SECTION

ENV_SECRET = "${LOGTO_M2M_APP_SECRET}"
ENV_APP_ID = "${LOGTO_M2M_APP_ID}"
_KEBAB = re.compile(r"(?<!^)(?=[A-Z])")
# Text a UTF-8 file cannot give back: lone surrogates (not text), and a leading BOM (the reader drops
# one, as editors write it). Such text stays inline, taken literally.
_NOT_IN_A_FILE = re.compile("^\ufeff|[\ud800-\udfff]")
# Linking a staged file into place needs hard links; where the file system has none, it is copied.
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


@dataclass
class Pulled:
    """The files of a pulled project (relative path -> text), the variables it needs (name -> the key
    whose value it holds), and what could not be carried over."""

    files: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict, repr=False)  # name -> live value (never printed)
    skipped: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    env: str = "prod"
    live: Live = field(default_factory=lambda: Live(None, (), ()), repr=False)
    # (languageTag, templateType) of the store entries not pulled: the round trip leaves them out.
    skipped_keys: set[tuple[Any, Any]] = field(default_factory=set)


def pull_project(live: Live, target: Target, *, env: str, language: str) -> Pulled:
    """The project for ``live``; InputError when Logto holds no SMTP connector, or when a file name made
    from its data is not safe (SC014: nothing is written)."""

    config = live.config
    if config is None:
        raise InputError(
            f"Logto at {target.base_url} has no SMTP connector to pull "
            f"(GET /api/connectors lists none with connectorId simple-mail-transfer-protocol)"
        )
    pulled = Pulled(env=env, live=live)
    names = _Names(target.base_url)
    named: dict[tuple[str, str], str] = {}  # (base name, value): its variable
    suffixes: dict[str, int] = {}  # base name: the next suffix to try

    def secret_ref(path: str, value: Any) -> str:
        base = secret_variable(tuple(path.split(".")))
        text = str(value)
        name = named.get((base, text))
        if name is None:
            # Go on from the last suffix given: probing from _2 for each value was quadratic (8,000: 14 s).
            name, n = base, suffixes.get(base, 2)
            while name in pulled.variables:
                name, n = f"{base}_{n}", n + 1
            named[base, text], suffixes[base] = name, n
        pulled.variables[name] = path
        pulled.values[name] = text
        return "${" + name + "}"

    def convert(value: Any, path: str, secret: bool) -> Any:
        if isinstance(value, dict):
            keys = secret_keys_in(path)  # the top level's keys only: `auth` is one, `tls.auth` is not
            return {
                k: convert(v, f"{path}.{k}" if path else k, secret or k in keys) for k, v in value.items()
            }
        if isinstance(value, list):
            return [convert(v, path, secret) for v in value]
        if secret and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return secret_ref(path, value)
        if (
            path in CREDENTIAL_URL_KEYS
            and isinstance(value, str)
            and ("@" in value or url_secrets(path, value))
        ):
            return _url_ref(pulled, path, value)
        return _literal(value)

    body: dict[str, Any] = {"language": language}
    templates = config.get("templates")
    for key, value in config.items():
        if key != "templates":
            body[key] = convert(value, key, key in SECRET_KEYS)
    if isinstance(templates, list):
        body["templates"] = _templates(templates, live, language, pulled, names)
    if names.findings:
        raise InputError(findings=names.findings)
    pulled.files["smtp-connector.yaml"] = (
        SCHEMA_LINE + f"# Pulled from Logto at {target.base_url} by `smtp-connector pull`.\n"
        "# Secrets are ${VAR} references: set them in the environment that builds or deploys.\n" + _dump(body)
    )
    section = {
        "endpoint": _literal(target.endpoint.value),
        "resource": _literal(target.resource.value),
        "appId": ENV_APP_ID,
        "appSecret": ENV_SECRET,
    }
    pulled.files[f"environments/{env}.yaml"] = (
        SCHEMA_LINE
        + f"# The Logto tenant `smtp-connector deploy --env {env}` sends this project to.\n"
        + _dump({LOGTO_SECTION: section})
    )
    return pulled


def write_pulled(pulled: Pulled, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the pulled project into ``folder``, all or nothing; the paths written.

    The files are written to a staging folder next to ``folder`` (so on the same file system) and the
    project is built there. When that does not give back Logto's config exactly, ``pulled.differences``
    says how and nothing is written (``[]``). Otherwise the files move into place: the staging folder is
    renamed to ``folder`` when that does not exist yet, else each file is linked in, never over an existing
    file. A failure on the way takes back what was put in place, so ``folder`` is left as it was.
    """
    target = Path(os.path.abspath(folder))
    if os.path.lexists(target) and not target.is_dir():
        raise InputError(f"{target} exists and is not a folder")
    targets = {name: target / name for name in pulled.files}
    _refuse_existing(target, targets)
    top = _topmost_missing(target)
    # Next to the folder; inside it only when its parent takes no new folder (`pull .` in a folder of /).
    stage = _new_stage([top.parent] if top is not None else [target.parent, target])
    try:
        root = stage.joinpath(*target.relative_to(top).parts) if top is not None else stage
        for name, text in pulled.files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        pulled.differences = _round_trip(pulled, root)
        if pulled.differences:
            return []
        if top is None:
            _link_into(root, target, list(pulled.files))
        else:
            try:
                os.rename(stage, top)
            except OSError as e:
                raise InputError(f"cannot create {top}: {e.strerror or e}") from e
    except OSError as e:
        raise InputError(f"cannot write the pulled project next to {target}: {e.strerror or e}") from e
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # gone already when it was renamed into place
    return [Path(folder) / name for name in pulled.files]


class _Names:
    """The template file names made from Logto's data: each checked (SC014), none twice, even on a file
    system that ignores case (macOS, Windows)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.findings: list[Finding] = []
        self._reported: set[tuple[str, str]] = set()
        self._taken: dict[str, str] = {}

    def template_path(
        self, tag: str, kind: str, content_type: Any, route: str, tag_at: KeyPath, kind_at: KeyPath
    ) -> str | None:
        """``templates/TAG/KIND.EXT`` (``.html`` or ``.txt``), or None (with a finding) when it is not a safe, free name."""
        where = Location(f"{self.base_url}/api/{route}")
        suffix = "html" if content_type == "text/html" else "txt"
        file = f"{_KEBAB.sub('-', kind).lower()}.{suffix}"
        refused = False
        for what, value, name, at in (
            ("language tag", tag, tag, tag_at),
            ("usage type", kind, file, kind_at),
        ):
            problem = name_problem(name)
            if problem is None:
                continue
            refused = True
            if (what, value) not in self._reported:
                self._reported.add((what, value))
                self.findings.append(unsafe_name(where, what, value, problem, key_path=at))
        if refused:
            return None
        path = f"templates/{tag}/{file}"
        key = unicodedata.normalize("NFC", path).casefold()
        other = self._taken.get(key)
        if other is not None:
            problem = (
                f"two templates would be the one file `{path}`"
                if other == path
                else f"`{path}` and `{other}` would be one file where case is ignored (macOS, Windows)"
            )
            self.findings.append(unsafe_name(where, "usage type", kind, problem, key_path=kind_at))
            return None
        self._taken[key] = path
        return path


def _templates(
    items: list[Any], live: Live, language: str, pulled: Pulled, names: _Names
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_type: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        template: dict[str, Any] = {}
        kind = str(item.get("usageType"))
        for key, value in item.items():
            if key == "content" and isinstance(value, str):
                at: KeyPath = ("templates", i, "usageType")
                path = names.template_path(
                    language, kind, sent_content_type(item.get("contentType")), "connectors", (), at
                )
                template[key] = _content(value, path, pulled)
            else:
                template[key] = _literal(value)
        out.append(template)
        by_type.setdefault(kind, template)
    store = sorted(
        enumerate(live.templates), key=lambda e: (str(e[1].get("languageTag")), str(e[1].get("templateType")))
    )
    for j, entry in store:
        tag, kind = str(entry.get("languageTag")), str(entry.get("templateType"))
        details = entry.get("details")
        base = by_type.get(kind)
        name = f"{_shown(tag)} {_shown(kind)}"
        if tag == language:
            pulled.skipped.append(
                f"{name}: a store template in the project's language `{_shown(language)}` (pull with "
                "--language set to your sign-in experience's fallback language)"
            )
            pulled.skipped_keys.add((entry.get("languageTag"), entry.get("templateType")))
            continue
        if base is None or not isinstance(details, dict):
            pulled.skipped.append(
                f"{name}: the connector config has no {_shown(kind)} template to attach it to"
            )
            pulled.skipped_keys.add((entry.get("languageTag"), entry.get("templateType")))
            continue
        variant: dict[str, Any] = {}
        omit: list[str] = []
        empty: list[str] = []
        for key in ("contentType", "subject", "content", "replyTo", "sendFrom"):
            value = details.get(key)
            inherited = base.get(key)
            if key == "content" and isinstance(value, str):
                path = names.template_path(
                    tag,
                    kind,
                    sent_content_type(details.get("contentType")),
                    "email-templates",
                    (j, "languageTag"),
                    (j, "templateType"),
                )
                variant[key] = _content(value, path, pulled)
            elif value == "" and key in ("replyTo", "sendFrom"):
                empty.append(key)  # the store keeps "" (no clean step): say so, or it builds as none
            elif value is not None and (key in ("subject",) or value != inherited):
                variant[key] = _literal(value)
            elif value is None and key in ("replyTo", "sendFrom") and inherited:
                variant[key] = ""  # the store entry has none: do not inherit the template's
            elif value is None and key == "contentType" and inherited is not None:
                omit.append(key)  # stored without one (sent as HTML): do not inherit the template's
        if omit:
            variant["omit"] = omit
        if empty:
            variant["empty"] = empty
        base.setdefault("locales", {})[tag] = variant
    return out


def _content(text: str, path: str | None, pulled: Pulled) -> Any:
    """Template text in the plain file ``path``, written byte for byte and read back by ``{text: PATH}``,
    which never gives it to Jinja2 (docs/templates.md). Inline (taken literally) when a UTF-8 file cannot
    carry it, or when ``path`` is None (its name was refused)."""
    if path is None or _NOT_IN_A_FILE.search(text):
        return _literal(text)
    pulled.files[path] = text
    return {"text": path}


def _literal(value: Any) -> Any:
    """A string as a source file takes it literally: ``${`` is written ``$${``."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


def _shown(value: str) -> str:
    return printable(value)


def _url_ref(pulled: Pulled, key: str, value: str) -> str:
    """A ``proxy`` or ``url`` URL with a user part, as a reference to the whole URL (SC403's advice)."""
    name = f"SMTP_{key.upper()}"
    pulled.variables[name] = key
    pulled.values[name] = value
    return "${" + name + "}"


def _dump(data: Mapping[str, Any]) -> str:
    text: str = yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=2**31 - 1
    )
    return text


def _round_trip(pulled: Pulled, root: Path) -> list[str]:
    """Build the pulled project at ``root`` with its variables; what differs from Logto (nothing, normally)."""

    try:
        built = build_environments(load_project(root), [pulled.env], environ=pulled.values)[pulled.env]
    except InputError as e:
        return [f.message for f in e.findings] or [e.describe()]
    live = pulled.live
    store = tuple(
        t for t in live.templates if (t.get("languageTag"), t.get("templateType")) not in pulled.skipped_keys
    )
    plan = make_plan(Desired.from_built(built), Live(live.connector, (), store), prune=True)
    return plan.lines() if plan.changes else []


def _refuse_existing(folder: Path, targets: Mapping[str, Path]) -> None:
    """InputError when a file to write exists (pull never overwrites) or would be written through a link
    that leads out of ``folder``."""
    existing = [str(p) for p in targets.values() if os.path.lexists(p)]
    if existing:
        raise InputError(
            f"pull never overwrites a file, and {len(existing)} already exist: {', '.join(existing[:5])}"
            + (" ..." if len(existing) > 5 else ""),
            hint="pull into a new folder",
        )
    for path in targets.values():
        problem = outside_problem(folder, path)
        if problem is not None:
            raise InputError(
                f"cannot write {path}: {problem}", hint="pull writes nothing through a link out of its folder"
            )


def _topmost_missing(folder: Path) -> Path | None:
    """The highest folder of ``folder``'s path that does not exist (``folder`` itself, or a parent); None
    when ``folder`` exists."""
    if os.path.lexists(folder):
        return None
    top = folder
    while not os.path.lexists(top.parent) and top.parent != top:
        top = top.parent
    return top


def _new_stage(parents: list[Path]) -> Path:
    """A new, empty, hidden folder in the first of ``parents`` that takes one."""
    problem = ""
    for parent in parents:
        for _ in range(100):
            stage = parent / f".smtp-connector-pull-{secrets.token_hex(6)}"
            try:
                stage.mkdir()  # the usual mode: it becomes the project folder when renamed into place
                return stage
            except FileExistsError:
                continue
            except OSError as e:
                problem = f"cannot write into {parent}: {e.strerror or e}"
                break
    raise InputError(problem or f"cannot make a staging folder in {parents[0]}")


def _link_into(root: Path, folder: Path, names: list[str]) -> None:
    """Put each staged file ``root/NAME`` at ``folder/NAME``, never over a file; all or none of them."""
    made_folders: list[Path] = []
    made_files: list[Path] = []
    try:
        for name in names:
            dst = folder / name
            parts = Path(name).parts
            for depth in range(1, len(parts)):
                sub = folder.joinpath(*parts[:depth])
                if not os.path.lexists(sub):
                    sub.mkdir()
                    made_folders.append(sub)
            problem = outside_problem(folder, dst)  # checked again: a link may have appeared since
            if problem is not None:
                raise InputError(f"cannot write {dst}: {problem}")
            try:
                os.link(root / name, dst, follow_symlinks=False)
                made_files.append(dst)
            except FileExistsError as e:
                raise InputError(f"pull never overwrites a file, and {dst} appeared meanwhile") from e
            except OSError as e:
                if e.errno not in _NO_LINKS:
                    raise
                with open(dst, "xb") as fh:
                    made_files.append(dst)
                    fh.write((root / name).read_bytes())
    except BaseException:
        for path in reversed(made_files):
            with contextlib.suppress(OSError):
                path.unlink()
        for path in reversed(made_folders):
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
