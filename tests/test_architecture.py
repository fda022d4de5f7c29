"""The package's shape: no import cycles (function-level imports included), and no printing below the CLI."""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "connector"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in (root / "connector").rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _import_lines(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """Every connector module ``name`` imports, with the line: at the top, inside a function, under
    ``TYPE_CHECKING`` alike. A package the module sits in is not counted (Python runs it first anyway)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                out.append((target, node.lineno))  # type: ignore[attr-defined]
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every connector module ``name`` imports, at the top or inside a function (TYPE_CHECKING ones too)."""
    return {target for target, _ in _import_lines(name, path, modules)}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                other = stack.pop()
                component.add(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(component)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_finder_sees_a_cycle_through_a_function_level_import() -> None:
    graph = {"connector.a": {"connector.b"}, "connector.b": {"connector.a"}, "connector.c": {"connector.a"}}
    assert _cycles(graph) == [{"connector.a", "connector.b"}]
    modules = _modules()
    loader = "connector.source.loader"
    # The loader imports its readers inside a function: the graph must see that edge.
    assert "connector.source.json_reader" in _imports(loader, modules[loader], modules)


def test_no_import_cycles() -> None:  # inside a folder too, where the layer table allows both ways
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_library_code_does_not_print() -> None:
    # Output is the command line's business (connector/cli): the library returns data, warnings included.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            printing = (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
            )
            stream = (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdout", "stderr")
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            )
            if printing or stream:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")  # type: ignore[attr-defined]
    assert offenders == []


def test_no_module_is_named_like_a_standard_library_module() -> None:
    names = {p.stem for p in PACKAGE.rglob("*.py")} | {p.name for p in PACKAGE.rglob("*") if p.is_dir()}
    assert sorted(names & set(sys.stdlib_module_names)) == []


def test_the_public_api_resolves_every_name() -> None:
    import connector

    for name in connector.__all__:
        assert getattr(connector, name) is not None, name


def test_one_thing_per_name() -> None:
    # `render` and `Rendered` named three different things; each now has a name that says what it is.
    # Helpers that were copied have one home: at most one definition each.
    # `write_all`, `environment_names`, `Change` and `Outcome` each named two different things (issue 20).
    banned = {"render", "Rendered"}
    single = {
        "register_written_secrets",
        "register_resolved_secrets",
        "implicit_tls",
        "describe",
        "fill_template",
    }
    single |= {
        "secret_parts",
        "example_values",
        "first_html_tag",
        "url_password",
        "url_secrets",
        "credential_urls",
        "secret_keys_in",
    }
    single |= {"write_all", "environment_names", "Change", "Outcome"}
    seen: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in banned | single:
                seen.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    assert {name: places for name, places in seen.items() if name in banned or len(places) > 1} == {}


# Every command module defines the same three names: that is the command protocol (docs/architecture.md).
_COMMAND_PROTOCOL = {"HELP", "add_arguments", "run"}


def test_no_public_name_names_two_things() -> None:
    """A public function or class is defined at the top of one module only (``write_all``,
    ``environment_names``, ``Change``, ``Outcome``, ``show``, ``parse``, ``references`` and ``summary`` each
    named two different things; issue 20)."""
    places: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            named = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if named and not node.name.startswith("_") and node.name not in _COMMAND_PROTOCOL:
                places.setdefault(node.name, set()).add(path.relative_to(ROOT).as_posix())
    assert {name: where for name, where in places.items() if len(where) > 1} == {}


def test_key_path_has_one_home() -> None:
    """``KeyPath`` is defined in diagnostics.paths and imported from there only: no module passes it on."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            takes = isinstance(node, ast.ImportFrom) and any(a.name == "KeyPath" for a in node.names)
            if takes and node.module != "connector.diagnostics.paths":  # type: ignore[attr-defined]
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")  # type: ignore[attr-defined]
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            defines = isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
                isinstance(target, ast.Name) and target.id == "KeyPath" for target in targets
            )
            if defines and path != PACKAGE / "diagnostics" / "paths.py":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")  # type: ignore[attr-defined]
    assert offenders == []


# PyYAML's ways to turn YAML text into data. Only the reader uses them: its caps (size, depth, nodes
# counted through aliases) are what keep an alias bomb or a deep document from reaching code that would
# expand it. connector/source/yaml_syntax.py scans the tokens of a file the reader refused (linear: no
# node is built, no alias followed), which none of these names does.
_YAML_LOADING = {
    *(f"{kind}load{each}" for kind in ("", "safe_", "full_", "unsafe_") for each in ("", "_all")),
    "compose", "compose_all", "parse", "scan",
    *(f"{c}{kind}Loader" for c in ("", "C") for kind in ("", "Safe", "Full", "Unsafe", "Base")),
    "composer", "constructor", "loader", "Composer", "Constructor", "SafeConstructor", "BaseConstructor",
    "FullConstructor", "UnsafeConstructor",
}  # fmt: skip
_YAML_BUILDING_METHODS = {"get_single_node", "get_node", "compose_node", "get_single_data", "get_data"}
YAML_READER = PACKAGE / "source" / "yaml_reader.py"


def _yaml_loading(source: str) -> list[int]:
    """The lines of ``source`` that load YAML with PyYAML (a function, a Loader, the composer)."""
    tree = ast.parse(source)
    names = {"yaml"}  # what the yaml package is called in this module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or "yaml" for a in node.names if a.name.split(".")[0] == "yaml"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "yaml":
            parts = {*(node.module or "").split(".")[1:], *(a.name for a in node.names)}
            if parts & _YAML_LOADING:
                found.append(node.lineno)
        elif isinstance(node, ast.Import):
            modules = [a.name.split(".") for a in node.names]
            if any(parts[0] == "yaml" and set(parts[1:]) & _YAML_LOADING for parts in modules):
                found.append(node.lineno)
        elif isinstance(node, ast.Attribute):
            root: ast.expr = node
            while isinstance(root, ast.Attribute):
                root = root.value
            from_yaml = isinstance(root, ast.Name) and root.id in names and node.attr in _YAML_LOADING
            if from_yaml or node.attr in _YAML_BUILDING_METHODS:
                found.append(node.lineno)
    return sorted(set(found))


def test_the_yaml_loading_finder_sees_every_spelling() -> None:
    assert _yaml_loading("import yaml\nx = yaml.safe_load(t)\n") == [2]
    assert _yaml_loading("import yaml as y\ny.load(t, Loader=y.CSafeLoader)\n") == [2]
    assert _yaml_loading("from yaml import full_load_all\n") == [1]
    assert _yaml_loading("from yaml.constructor import SafeConstructor\n") == [1]
    assert _yaml_loading("import yaml.composer\n") == [1]
    assert _yaml_loading("import urllib.parse\n") == []
    assert _yaml_loading("import yaml\nyaml.composer.Composer.__init__(self)\n") == [2]
    assert _yaml_loading("p = Parser(t)\nnode = p.get_single_node()\n") == [2]
    # Writing YAML, and reading JSON, are not loading YAML.
    assert _yaml_loading("import yaml, json\nyaml.safe_dump(d)\njson.load(f)\nyaml.YAMLError\n") == []


def test_only_the_capped_reader_loads_yaml() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != YAML_READER
        for line in _yaml_loading(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert _yaml_loading(YAML_READER.read_text(encoding="utf-8"))  # the finder does see the reader's own


# The layer order lives in docs/architecture.md ("Layers"): the test reads it there, so the page and the
# check cannot drift. __init__ (the version and the lazy public API) and __main__ stand outside the order.
_LAYER_HEADER = "| folder / module | may import |"
_OUTSIDE = {"connector", "__main__"}


def _layer_rows(text: str) -> list[tuple[set[str], set[str]]]:
    """The layer table's rows, lowest first: (the units of the row, the units it may import)."""
    lines = text.splitlines()
    start = lines.index(_LAYER_HEADER)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        units, may = line.strip().strip("|").split("|")
        rows.append(({*re.findall(r"`(\w+)/?`", units)}, {*re.findall(r"`(\w+)/?`", may)}))
    return rows


def _unit(module: str) -> str:
    """The top-level folder or module a module belongs to (``connector`` for the package's __init__)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _layer_problems(root: Path, rows: list[tuple[set[str], set[str]]]) -> list[str]:
    """Every import in ``root``/connector that goes up or sideways in the layer table, every pair of units
    importing each other, and every unit the table does not place."""
    modules = _modules(root)
    allowed = {unit: may for units, may in rows for unit in units}
    problems = [
        f"connector/{unit} is in no row of the layer table"
        for unit in sorted({_unit(name) for name in modules} - allowed.keys() - _OUTSIDE)
    ]
    edges: dict[tuple[str, str], list[str]] = {}
    for name, path in sorted(modules.items()):
        where = path.relative_to(root).as_posix()
        seen = set()  # one problem per import statement and unit (``from a import b`` names a and a.b)
        for target, line in _import_lines(name, path, modules):
            source, imported = _unit(name), _unit(target)
            if (line, imported) in seen:
                continue
            seen.add((line, imported))
            if imported == "__main__":
                problems.append(f"{where}:{line}: imports connector.__main__")
            if source == imported or source in _OUTSIDE or imported in _OUTSIDE:
                continue
            edges.setdefault((source, imported), []).append(f"{where}:{line}")
            if imported not in allowed.get(source, set()):
                problems.append(f"{where}:{line}: {source} imports {target}, which is not below it")
    problems += [
        f"{a} and {b} import each other: {edges[a, b][0]} and {edges[b, a][0]}"
        for a, b in sorted(edges)
        if a < b and (b, a) in edges
    ]
    return problems


def test_the_layer_table_is_an_order() -> None:
    """Each row may import exactly the rows above it: no unit twice, siblings never import each other."""
    rows = _layer_rows(ARCHITECTURE.read_text(encoding="utf-8"))
    assert len(rows) >= 10
    below: set[str] = set()
    for units, may in rows:
        assert units and not units & below, units
        assert may == below, units
        below |= units


def test_imports_go_only_down_the_layers() -> None:
    rows = _layer_rows(ARCHITECTURE.read_text(encoding="utf-8"))
    assert _layer_problems(ROOT, rows) == []


def _scratch_copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "connector", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.parametrize(
    ("module", "added", "line", "expected"),
    [
        # An upward import at the top of a module, by absolute name (cli imports diagnostics: a pair).
        (
            "diagnostics/paths.py",
            "from connector.cli import main\n",
            1,
            ["diagnostics imports connector.cli", "cli and diagnostics import each other"],
        ),
        # Inside a function: errors stands on diagnostics, so this is a pair importing each other too.
        (
            "diagnostics/printable.py",
            "def _late() -> object:\n    from connector.errors import InputError\n\n    return InputError\n",
            2,
            ["diagnostics imports connector.errors", "diagnostics and errors import each other"],
        ),
        # Under TYPE_CHECKING, relative: siblings never import each other.
        (
            "lint/base.py",
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ..mail import send\n",
            4,
            ["lint imports connector.mail"],
        ),
        # Sideways, in one row.
        ("atomic.py", "from . import resources\n", 1, ["atomic imports connector.resources"]),
        # Down is fine, at any depth.
        (
            "cli/options.py",
            "def _late() -> object:\n    from connector import preview\n\n    return preview\n",
            0,
            [],
        ),
        # A new top-level module nobody placed.
        ("stray.py", "x = 1\n", 0, ["connector/stray is in no row of the layer table"]),
    ],
)
def test_an_upward_import_in_a_scratch_copy_fails_the_check(
    tmp_path: Path, module: str, added: str, line: int, expected: list[str]
) -> None:
    rows = _layer_rows(ARCHITECTURE.read_text(encoding="utf-8"))
    root = _scratch_copy(tmp_path)
    assert _layer_problems(root, rows) == []  # the copy as it is passes
    target = root / "connector" / module
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    target.write_text(before + added, encoding="utf-8")
    problems = _layer_problems(root, rows)
    assert len(problems) == len(expected), problems
    for wanted, problem in zip(expected, problems, strict=True):
        assert wanted in problem, problems
    if line:  # the first problem names the file and line of the import
        assert problems[0].startswith(f"connector/{module}:{before.count(chr(10)) + line}: "), problems


def _unexplained_function_imports(source: str) -> list[int]:
    """The lines of imports inside a function that no ``start-up`` comment explains: on the import's own
    line, or on the line just above it or above the run of imports it belongs to."""
    lines = source.splitlines()
    found = []

    def comment(index: int) -> bool:
        return 0 <= index < len(lines) and "start-up" in lines[index] and "#" in lines[index]

    def visit(node: ast.AST, in_function: bool) -> None:
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            run_start = 0  # the first line of the run of imports (isort's groups in it) the statement is in
            for statement in block:
                if isinstance(statement, (ast.Import, ast.ImportFrom)):
                    run_start = run_start or statement.lineno
                    explained = comment(statement.lineno - 1) or comment(run_start - 2)
                    if in_function and not explained:
                        found.append(statement.lineno)
                else:
                    run_start = 0
                visit(
                    statement, in_function or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                )

    visit(ast.parse(source), False)
    return found


def test_the_function_import_finder_wants_a_start_up_comment() -> None:
    bare = "def f():\n    import json\n    return json\n"
    assert _unexplained_function_imports(bare) == [2]
    above = "def f():\n    # start-up: pydantic loads only when a config is validated\n    import pydantic\n"
    assert _unexplained_function_imports(above) == []
    run = "def f():\n    # start-up: heavy\n    import a\n\n    from b import c\n    x = 1\n    import d\n"
    assert _unexplained_function_imports(run) == [7]  # a statement ends the run; isort's blank lines do not
    assert _unexplained_function_imports("def f():\n    import a  # start-up: heavy\n") == []
    # Another reason is not this one: an import that dodges a cycle moves down a layer instead.
    assert _unexplained_function_imports("def f():\n    # avoids a cycle\n    import a\n") == [3]
    nested = "class C:\n    def m(self):\n        if x:\n            from a import b\n"
    assert _unexplained_function_imports(nested) == [4]
    assert _unexplained_function_imports("import a\nif T:\n    from b import c\n") == []  # module level


def test_a_function_level_import_is_for_start_up_speed_and_says_so() -> None:
    """Imports sit at the top of their module, unless deferring one keeps a command's start fast (pydantic,
    jinja2, httpx, argcomplete, asyncio, a command's stage modules); then a comment says so."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in _unexplained_function_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# The "One home per concept" table names each concept's module (and, in parentheses, its functions): a home
# that moves or is renamed without the table following fails here.
_HOME_CELL = re.compile(r"`([a-z_/]+\.py)`(?: \(([^)]*)\))?")


def _homes() -> list[tuple[str, str, list[str]]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## One home per concept", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("concept", "---"):
            continue
        for module, names in _HOME_CELL.findall(cells[1]):
            listed = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", names.split(":")[0]) if names else []
            rows.append((cells[0], module, listed))
    return rows


def test_every_home_in_the_one_home_table_exists() -> None:
    rows = _homes()
    numbered = {int(m.group(1)) for concept, _, _ in rows if (m := re.match(r"(\d+)\. ", concept))}
    assert numbered == set(range(1, 15))  # the fourteen concepts issue #20 found with several homes
    for concept, module, names in rows:
        path = PACKAGE / module
        assert path.is_file(), f"{concept}: {module} does not exist"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))} | {
            target.id
            for node in tree.body
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        assert not set(names) - defined, f"{concept}: {module} defines no {sorted(set(names) - defined)}"
