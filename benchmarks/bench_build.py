"""Benchmark: `build --all` of a project with many environments (not a test; run it by hand).

    python benchmarks/bench_build.py

Builds projects of 50, 100, 200 and 400 environments in one call each (load every file once, compose,
resolve, render the template files, validate, write), and prints the cost per environment. The budget:
at most 2 ms per environment at 200, growing linearly (the per-environment cost stays flat as the count
grows).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.build.outputs import build_environments, write_outputs  # noqa: E402
from connector.project.layout import load_project  # noqa: E402

# 2 ms before template files; the acme example now renders, per environment, 6 HTML templates through a
# shared layout with macros and includes, 12 inline Jinja2 strings, and validates 9 language variants.
BUDGET_MS = 2.0
SIZES = (50, 100, 200, 400)
REPEAT = 5


def make_project(folder: Path, count: int) -> None:
    """The acme example's project file, and ``count`` environments that each change a few things."""
    (folder / "environments").mkdir(parents=True)
    source = (ROOT / "examples" / "acme" / "smtp-connector.yaml").read_text(encoding="utf-8")
    (folder / "smtp-connector.yaml").write_text(source, encoding="utf-8")
    shutil.copytree(ROOT / "examples" / "acme" / "templates", folder / "templates")
    for i in range(count):
        provider = "provider: dev-sink\n" if i % 4 == 0 else ""
        (folder / "environments" / f"env{i:03d}.yaml").write_text(
            f"{provider}fromEmail: Acme {i} <no-reply@env{i}.acme.example>\n"
            f"connectionTimeout: {10000 + i}\n"
            "customHeaders:\n"
            f"  X-Acme-Environment: env{i}\n"
            "templates:\n"
            "  - usageType: SignIn\n"
            f'    subject: "[env{i}] Your Acme sign-in code"\n',
            encoding="utf-8",
        )


def build_all(folder: Path, out: Path) -> int:
    project = load_project(folder)
    built = build_environments(project, project.environments, environ={"SMTP_PASS": "benchmark-key"})
    texts = {env: item.text for env, item in built.items()}
    write_outputs({out / f"{env}.json": text for env, text in texts.items()})
    return len(texts)


def per_environment(folder: Path, count: int, repeat: int = REPEAT) -> float:
    """Median seconds per environment of one `build --all` over ``count`` environments (files written)."""
    make_project(folder / "project", count)
    build_all(folder / "project", folder / "warm")  # imports and caches
    times = []
    for r in range(repeat):
        start = time.perf_counter()
        built = build_all(folder / "project", folder / f"out{r}")
        times.append(time.perf_counter() - start)
        assert built == count
    return statistics.median(times) / count


def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in SIZES:
            results[count] = per_environment(Path(tmp) / f"p{count}", count) * 1000
    print(f"{'environments':>12}  {'ms/environment':>15}  {'total ms':>9}")
    for count, per in results.items():
        print(f"{count:>12}  {per:>15.3f}  {per * count:>9.1f}")
    growth = results[SIZES[-1]] / results[SIZES[0]]
    ok = results[200] <= BUDGET_MS and growth < 1.5
    print(
        f"budget {BUDGET_MS} ms/environment at 200: {'ok' if results[200] <= BUDGET_MS else 'OVER'}; "
        f"per-environment cost at {SIZES[-1]} vs {SIZES[0]}: x{growth:.2f} ({'linear' if growth < 1.5 else 'NOT linear'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
