"""The shipped provider overlays (providers/*.yaml): where they are and what each needs filled in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from connector.diagnostics.paths import KeyPath, dotted
from connector.logto.examples import example_values, html_field
from connector.resources import shipped_dir, shipped_names
from connector.source.loader import Document, load
from connector.source.variables import references
from connector.source.walk import strings


def provider_path(ref: str, root: Path) -> Path | None:
    """The overlay file ``provider: ref`` means: a shipped name, or a path relative to the project."""
    if "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")):
        return root / ref
    return shipped_dir() / f"{ref}.yaml" if ref in shipped_names() else None


@cache
def _shipped_resolved() -> Path:
    return shipped_dir().resolve()


@cache
def shipped_name(file: str) -> str | None:
    """The provider name when ``file`` (a path as displayed) is a shipped overlay; None otherwise."""
    path = Path(file)
    if path.suffix != ".yaml":
        return None
    try:
        folder = path.resolve().parent
    except OSError:
        return None
    return path.stem if folder == _shipped_resolved() and path.stem in shipped_names() else None


def shipped_place(file: str, line: int) -> str | None:
    """``provider gmail (providers/gmail.yaml:10)``: a place in a shipped overlay, never by install path."""
    name = shipped_name(file)
    return None if name is None else f"provider {name} (providers/{name}.yaml:{line})"


def alternative(name: str, port: object) -> str | None:
    """Another shipped overlay for the same server on ``port`` (gmail on 587: gmail-starttls)."""
    host = provider_info(name).document.data.get("host")
    for other in shipped_names():
        data = provider_info(other).document.data
        if other != name and data.get("host") == host and data.get("port") == port:
            return other
    return None


@dataclass(frozen=True)
class FillIn:
    """A ``<...>`` value to replace: where it is, what it says, and the comment that explains it."""

    path: KeyPath
    value: str
    comment: str


@dataclass(frozen=True)
class Variable:
    """A ``${NAME}`` the overlay reads from the environment at build time."""

    name: str
    path: KeyPath
    message: str


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    title: str
    docs: tuple[str, ...]
    document: Document
    text: str
    fill_ins: tuple[FillIn, ...]
    variables: tuple[Variable, ...]
    # What the provider's documentation asks of the sender domain's DNS, from the overlay's comment lines
    # `# SPF: include:sendgrid.net` and `# DKIM selectors: s1, s2` (read by doctor).
    spf: tuple[str, ...] = ()
    dkim_selectors: tuple[str, ...] = ()

    @property
    def server(self) -> str:
        data = self.document.data
        return f"{data.get('host', '?')}:{data.get('port', '?')}"

    @property
    def tls(self) -> str:
        data = self.document.data
        if data.get("secure"):
            return "implicit TLS"
        if data.get("ignoreTLS"):
            return "none"
        return "STARTTLS" if data.get("requireTLS") else "STARTTLS if offered"


@cache
def provider_info(name: str) -> ProviderInfo:
    """Read one shipped overlay for listings and ``init``."""

    path = shipped_dir() / f"{name}.yaml"
    result = load(path)
    if result.document is None:  # pragma: no cover - the shipped files are tested
        raise ValueError(f"the shipped provider {name} does not load: {result.findings}")
    doc = result.document
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    fill_ins: list[FillIn] = []
    variables: list[Variable] = []
    for key_path, value in strings(doc.data):
        if example_values(value, html_field(doc.data, key_path)):  # what a user must replace (SC401)
            fill_ins.append(FillIn(key_path, value, _comment(lines, doc, key_path)))
        for ref in references(value):
            if ref.name not in {v.name for v in variables}:
                variables.append(Variable(ref.name, key_path, ref.argument if ref.op == ":?" else ""))
    comments = [line.lstrip("# ").rstrip() for line in lines if line.startswith("#")]
    comments = [c for c in comments if not c.startswith("yaml-language-server")]
    title = comments[0] if comments else name
    docs = tuple(url for c in comments for url in re.findall(r"https://\S+", c))
    spf = tuple(w for c in comments if c.startswith("SPF:") for w in c[4:].split())
    selectors = tuple(
        w for c in comments if c.startswith("DKIM selectors:") for w in c[15:].replace(",", " ").split()
    )
    return ProviderInfo(name, title, docs, doc, text, tuple(fill_ins), tuple(variables), spf, selectors)


def _comment(lines: list[str], doc: Document, path: KeyPath) -> str:
    """The comment on the value's line, else the comment lines right above its key."""
    line = doc.locate(path).line
    own = lines[line - 1] if 0 < line <= len(lines) else ""
    if " # " in own:
        return own.split(" # ", 1)[1].strip()
    above: list[str] = []
    i = doc.locate(path, key=True).line - 2
    while i >= 0 and lines[i].lstrip().startswith("#"):
        above.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    return " ".join(above)


def table(infos: list[ProviderInfo]) -> str:
    """Each provider: its server, the <...> values to fill in, and the ${VAR}s the build reads."""
    blocks = []
    for info in infos:
        lines = [f"{info.name}: {info.title}", f"  server   {info.server} ({info.tls})"]
        for i, fill in enumerate(info.fill_ins):
            lines.append(f"  {'fill in' if i == 0 else '':7}  {dotted(fill.path)} = {fill.value}")
        if info.variables:
            lines.append("  secrets  " + ", ".join(f"${{{v.name}}}" for v in info.variables))
        if not info.fill_ins and not info.variables:
            lines.append("  nothing to fill in")
        blocks.append("\n".join(lines))
    footer = (
        "Details: smtp-connector providers NAME. Start a project: smtp-connector init DIR --provider NAME"
    )
    return "\n\n".join([*blocks, footer]) + "\n"


def detail(info: ProviderInfo) -> str:
    """One provider: what it is, where its docs are, and each value to fill in with its explanation."""
    lines = [f"{info.name}: {info.title}", f"  server:  {info.server} ({info.tls})"]
    lines += [f"  docs:    {url}" for url in info.docs]
    for fill in info.fill_ins:
        lines.append(
            f"  fill in: {dotted(fill.path)} = {fill.value}" + (f"  ({fill.comment})" if fill.comment else "")
        )
    for var in info.variables:
        lines.append(
            f"  secret:  ${{{var.name}}} for {dotted(var.path)}"
            + (f"  ({var.message})" if var.message else "")
        )
    return "\n".join(lines) + "\n"


def to_json(infos: list[ProviderInfo]) -> str:
    items = [
        {
            "name": i.name,
            "title": i.title,
            "server": i.server,
            "tls": i.tls,
            "docs": list(i.docs),
            "fillIn": [{"key": dotted(f.path), "value": f.value, "comment": f.comment} for f in i.fill_ins],
            "secrets": [{"name": v.name, "key": dotted(v.path), "message": v.message} for v in i.variables],
        }
        for i in infos
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
