"""No private API of the standard library or a dependency: connector/ never reads, writes or calls a
``._name`` that belongs to an object it does not define (issue 20; docs/architecture.md).

A private name is one with a leading underscore that is not a ``__dunder__``. The check is on the syntax
tree plus the live classes, so it needs no type inference:

- ``module._name`` and ``imported_name._name``: a finding when the module or name comes from outside
  connector (``argparse._SubParsersAction``);
- ``super()._name``: a finding unless a connector class in the method's class hierarchy defines it;
- ``self._name`` in a class whose hierarchy holds a foreign class (``smtplib.SMTP``): a finding unless a
  connector class in it defines the name (in its body, or assigned in its ``__init__``) and no foreign
  class defines it (an override of ``_get_socket`` is a finding, ``self._buffer`` of our own is not);
- any other ``x._name`` (and ``getattr(x, "_name")``): a finding unless some connector class or module
  defines ``_name``; what ``x`` is cannot be known without types, so a foreign object with the same
  private name as one of ours goes unseen (the rule above catches the common case, subclassing).
"""

from __future__ import annotations

import ast
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "connector"

# (module, class or "", attribute): uses proven to have no public way. Each entry says why, with the
# library version it was checked on, and has a test that fails when that library changes. Empty: keep it so.
ALLOWED: frozenset[tuple[str, str, str]] = frozenset()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True)
class Use:
    module: str
    line: int
    owner: str  # the enclosing class, or ""
    attribute: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.owner + ': ' if self.owner else ''}.{self.attribute}"


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def _is_own(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "connector"


def _own_names(cls: type, trees: dict[str, ast.Module]) -> set[str]:
    """The names a connector class defines: in its body (dataclass fields included), or assigned to
    ``self`` in its ``__init__``."""
    names = set(vars(cls))
    tree = trees.get(cls.__module__)
    if tree is None:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    for sub in ast.walk(item):
                        if (
                            isinstance(sub, ast.Attribute)
                            and isinstance(sub.ctx, ast.Store)
                            and isinstance(sub.value, ast.Name)
                            and sub.value.id == "self"
                        ):
                            names.add(sub.attr)
    return names


def _foreign_defines(cls: type, name: str) -> bool:
    return any(not _is_own(base) and name in vars(base) for base in cls.__mro__)


def _own_defines(cls: type, name: str, trees: dict[str, ast.Module]) -> bool:
    return any(_is_own(base) and name in _own_names(base, trees) for base in cls.__mro__)


def private_uses(root: Path) -> list[Use]:
    """Every use of a private attribute of a foreign object in the package under ``root``."""
    trees = {
        _module_name(p, root): ast.parse(p.read_text(encoding="utf-8"))
        for p in (root / "connector").rglob("*.py")
    }
    defined: set[str] = set()  # every private name any connector module, class or __init__ defines
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id == "self":
                    defined.add(node.attr)
            elif isinstance(node, ast.alias) and (node.asname or node.name).startswith("_"):
                defined.add(node.asname or node.name)
    found: list[Use] = []
    for module, tree in trees.items():
        foreign_names: set[str] = set()  # names bound to a module or object from outside connector
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                foreign_names |= {
                    (a.asname or a.name).split(".")[0]
                    for a in node.names
                    if not a.name.startswith("connector")
                }
            elif (
                isinstance(node, ast.ImportFrom)
                and not node.level
                and not (node.module or "").startswith("connector")
            ):
                foreign_names |= {a.asname or a.name for a in node.names}
        # A __main__ module runs on import; it defines no class, so there is nothing live to look at.
        live = None if module.endswith("__main__") else importlib.import_module(module)
        _visit(tree, module, live, trees, defined, foreign_names, found)
    return found


def _visit(
    tree: ast.Module,
    module: str,
    live: object,
    trees: dict[str, ast.Module],
    defined: set[str],
    foreign_names: set[str],
    found: list[Use],
) -> None:
    def walk(node: ast.AST, cls: type | None, owner: str) -> None:
        if isinstance(node, ast.ClassDef):
            inner = getattr(live, node.name, None) if cls is None else getattr(cls, node.name, None)
            cls, owner = (inner if isinstance(inner, type) else None), node.name
        attribute, target = None, None
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and cls is not None
            and _private(node.name)
            and _foreign_defines(cls, node.name)
        ):
            found.append(Use(module, node.lineno, owner, node.name))  # overrides a foreign private method
        if isinstance(node, ast.Attribute) and _private(node.attr):
            attribute, target = node.attr, node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            attribute, target = node.args[1].value, node.args[0]
        if (
            attribute is not None
            and target is not None
            and _bad(attribute, target, cls, trees, defined, foreign_names)
        ):
            use = Use(module, getattr(node, "lineno", 0), owner, attribute)
            if (use.module, use.owner, use.attribute) not in ALLOWED:
                found.append(use)
        for child in ast.iter_child_nodes(node):
            walk(child, cls, owner)

    walk(tree, None, "")


def _bad(
    attribute: str,
    target: ast.expr,
    cls: type | None,
    trees: dict[str, ast.Module],
    defined: set[str],
    foreign_names: set[str],
) -> bool:
    is_super = (
        isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super"
    )
    if (isinstance(target, ast.Name) and target.id in ("self", "cls")) or is_super:
        if cls is None:
            return attribute not in defined
        if _foreign_defines(cls, attribute):
            return True
        return not _own_defines(cls, attribute, trees)
    if isinstance(target, ast.Name) and target.id in foreign_names:
        return True
    root = target
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name) and root.id in foreign_names and isinstance(target, ast.Attribute):
        return True  # socket.socket._x, os.path._x
    return attribute not in defined


def test_connector_uses_no_private_api_of_the_standard_library_or_a_dependency() -> None:
    uses = private_uses(ROOT)
    assert not uses, "private attributes of foreign objects:\n" + "\n".join(map(str, uses))


SCRATCH_CASES = {
    "module": "import argparse\nX = argparse._SubParsersAction\n",
    "imported name": "from smtplib import SMTP\nX = SMTP._get_socket\n",
    "override": "import smtplib\nclass C(smtplib.SMTP):\n    def _get_socket(self, h, p, t):\n        return None\n",
    "base state": "import argparse\nclass P(argparse.ArgumentParser):\n    def f(self):\n        return self._actions\n",
    "state set outside __init__": (
        "import smtplib\nclass C(smtplib.SMTP):\n    def f(self):\n        self._auth_challenge_count = 1\n"
    ),
    "super": "import jinja2\nclass E(jinja2.Environment):\n    def f(self):\n        return super()._load_template('a', None)\n",
    "getattr": "import argparse\ndef f(p: argparse.ArgumentParser):\n    return getattr(p, '_actions')\n",
    "unknown object": "def f(p):\n    return p._actions\n",
}
SCRATCH_CLEAN = {
    "own state": "import smtplib\nclass C(smtplib.SMTP):\n    def __init__(self):\n        super().__init__()\n"
    "        self._lines = []\n    def f(self):\n        return self._lines\n",
    "own helper": "def _helper():\n    return 1\nclass K:\n    def _m(self):\n        return _helper()\ndef g(k: K):\n    return k._m()\n",
    "dunder": "import smtplib\nX = smtplib.SMTP.__init__\n",
}


def _scratch(tmp_path: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> list[Use]:
    package = tmp_path / "connector"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / f"scratch_{name.replace(' ', '_')}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for loaded in [m for m in list(sys.modules) if m == "connector" or m.startswith("connector.")]:
        monkeypatch.delitem(sys.modules, loaded)
    importlib.invalidate_caches()
    return private_uses(tmp_path)


@pytest.mark.parametrize("name", sorted(SCRATCH_CASES))
def test_a_private_use_in_a_scratch_package_is_found(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(_scratch(tmp_path, name, SCRATCH_CASES[name], monkeypatch)) == 1


@pytest.mark.parametrize("name", sorted(SCRATCH_CLEAN))
def test_own_private_names_in_a_scratch_package_pass(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _scratch(tmp_path, name, SCRATCH_CLEAN[name], monkeypatch) == []
