"""Benchmarks against the tools a user would otherwise use, side by side in one run.

    python benchmarks/run.py [--quick] [--only NAME ...] [--json benchmarks/out/results.json]

Prints a table of ratios (ours / peer, medians of several repetitions, same machine, same run) and writes
the same as JSON. Needs the README's test set-up plus `pip install -e '.[bench]'` (check-jsonschema).
Not part of the test suite: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "schema" / "smtp-connector.schema.json"


@dataclass
class Row:
    name: str
    ours: float
    peer: float | None
    unit: str
    peer_name: str = ""
    target: str = ""
    met: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.ours / self.peer if self.peer else None


# As on a user's machine: bytecode caches written and used (an editable install has none until a run writes them).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_timed(
    argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall time in seconds and the child's peak RSS in KiB (Linux ru_maxrss)."""
    env = env or CHILD_ENV
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss


def cpu_timed(argv: list[str]) -> tuple[float, float, int]:
    """Wall time and CPU time (user + system) in seconds, and the peak RSS in KiB, of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def interleaved(commands: dict[str, list[str]], rounds: int) -> dict[str, list[tuple[float, float, int]]]:
    """Each command once per round, in turn, after one warm-up round: on a machine others load too, both
    sides meet the same load (running all of one side, then all of the other, does not)."""
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
    for round_ in range(rounds + 1):
        for name, argv in commands.items():
            measured = cpu_timed(argv)
            if round_:
                runs[name].append(measured)
    return runs


def median_of(argv: list[str], repeat: int, **kw: Any) -> tuple[float, int]:
    run_timed(argv, **kw)  # warm the file cache and .pyc files
    runs = [run_timed(argv, **kw) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def tool(name: str) -> list[str]:
    exe = BIN / name
    if not exe.exists():
        raise SystemExit(f"{name} is not installed in this environment: pip install -e '.[bench]'")
    return [str(exe)]


def _example_final_config(tmp: Path) -> Path:
    src = ROOT / "tests" / "data" / "final" / "good" / "logto-console-example.json"
    dst = tmp / "config.json"
    shutil.copy(src, dst)
    return dst


def bench_lint_cold(tmp: Path, repeat: int) -> list[Row]:
    config = _example_final_config(tmp)
    ours, _ = median_of([*tool("smtp-connector"), "lint", str(config)], repeat)
    peer, _ = median_of([*tool("check-jsonschema"), "--schemafile", str(SCHEMA), str(config)], repeat)
    bare, _ = median_of([sys.executable, "-c", "pass"], repeat)
    return [
        Row("lint cold, one file", ours, peer, "s", "check-jsonschema", "<= 0.5x", ours <= 0.5 * peer),
        Row("lint cold, one file", ours, bare, "s", "python -c pass", "report"),
    ]


def bench_lint_many(tmp: Path, repeat: int, count: int = 500) -> list[Row]:
    src = json.loads(_example_final_config(tmp).read_text())
    folder = tmp / "many"
    folder.mkdir()
    files = []
    for i in range(count):
        src["host"] = f"smtp{i}.example.com"
        path = folder / f"config-{i:03}.json"
        path.write_text(json.dumps(src, indent=2))
        files.append(str(path))
    runs = interleaved(
        {
            "ours": [*tool("smtp-connector"), "lint", *files],
            "peer": [*tool("check-jsonschema"), "--schemafile", str(SCHEMA), *files],
        },
        repeat,
    )
    ours, peer = (statistics.median(wall for wall, _, _ in runs[side]) for side in ("ours", "peer"))
    ours_cpu, peer_cpu = (statistics.median(cpu for _, cpu, _ in runs[side]) for side in ("ours", "peer"))
    ours_kib, peer_kib = (max(rss for _, _, rss in runs[side]) for side in ("ours", "peer"))
    mib = ours_kib / 1024
    return [
        Row(
            f"lint {count} final configs", ours, peer, "s", "check-jsonschema", "<= 0.5x", ours <= 0.5 * peer
        ),
        Row(
            f"lint {count} final configs, CPU",
            ours_cpu,
            peer_cpu,
            "s",
            "check-jsonschema",
            "<= 0.5x",
            ours_cpu <= 0.5 * peer_cpu,
        ),
        Row(
            f"lint {count} peak memory",
            mib,
            peer_kib / 1024,
            "MiB",
            "check-jsonschema",
            "<= 60 MiB",
            mib <= 60,
        ),
    ]


def bench_build(tmp: Path, repeat: int) -> list[Row]:
    from benchmarks.bench_build import per_environment

    rows = []
    costs = {}
    for count in (50, 100, 200, 400):
        costs[count] = per_environment(tmp / f"build{count}", count, repeat)
    for count, cost in costs.items():  # seconds per environment
        rows.append(
            Row(f"build {count} environments, per env", cost * 1000, None, "ms", "", "<= 2 ms", cost <= 0.002)
        )
    growth = costs[400] / costs[50]
    rows.append(Row("build per-env cost 400 vs 50", growth, None, "x", "", "~1 (linear)", growth <= 1.5))
    return rows


def bench_render(tmp: Path, repeat: int) -> list[Row]:
    from connector.logto.placeholders import fill_placeholders

    html = (ROOT / "benchmarks" / "sample-template.html").read_text()
    payload = {
        "code": "123456",
        "application": {"name": "Acme"},
        "organization": {"name": "Org"},
        "locale": "en",
    }
    rates = []
    for _ in range(repeat):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < 0.3:
            fill_placeholders(html, payload)
            n += 1
        rates.append(n / (time.perf_counter() - start))
    rate = statistics.median(rates)
    return [Row("fill_placeholders, 4 KiB HTML template", rate, None, "calls/s", "", "report")]


def bench_send(tmp: Path, repeat: int) -> list[Row]:
    from benchmarks.bench_send import PEER, measure

    rates = measure(1000, max(3, repeat // 2))
    ours = rates["ours (send_all)"]
    peer, prebuilt, per_message = rates[PEER], rates["prebuilt messages"], rates["connection per message"]
    return [
        Row("send 1,000 messages to a local sink", ours, peer, "msg/s",
            "smtplib loop building each EmailMessage", ">= 0.9x", ours >= 0.9 * peer),
        Row("send 1,000 messages to a local sink", ours, prebuilt, "msg/s", "prebuilt messages (ceiling)",
            "report"),
        Row("send 1,000 messages to a local sink", ours, per_message, "msg/s", "connection per message",
            "report"),
    ]  # fmt: skip


def _our_command() -> tuple[list[str], dict[str, str]]:
    """The installed console script, else ``python -m connector`` from this checkout."""
    if (BIN / "smtp-connector").exists():
        return tool("smtp-connector"), CHILD_ENV
    return [sys.executable, "-m", "connector"], CHILD_ENV | {"PYTHONPATH": str(ROOT)}


def bench_bad_inputs(tmp: Path, repeat: int) -> list[Row]:
    """`lint FILE` over every file of the bad-input corpus (tests/data/bad-inputs): the slowest one."""
    command, env = _our_command()
    corpus = sorted(p for p in (ROOT / "tests" / "data" / "bad-inputs").iterdir() if p.is_file())
    times = {path.name: median_of([*command, "lint", str(path)], repeat, env=env)[0] for path in corpus}
    slowest = max(times, key=times.__getitem__)
    bare, _ = median_of([sys.executable, "-c", "pass"], repeat)
    return [
        Row(f"lint each of {len(corpus)} bad inputs, slowest", times[slowest], bare, "s", "python -c pass",
            "<= 1 s", times[slowest] <= 1.0, {"file": slowest, "median": statistics.median(times.values())}),
    ]  # fmt: skip


def bench_worst(tmp: Path, repeat: int) -> list[Row]:
    """Inputs built to be slow, at the largest size the caps allow (benchmarks/bench_worst.py)."""
    from benchmarks.bench_worst import BUDGET_S, measure

    return [
        Row(f"worst case, {case.name}", case.seconds, None, "s", "", f"< {BUDGET_S:g} s", case.met,
            {"bytes": case.size, "detail": case.detail, "peak_mb": case.peak_mb})
        for case in measure(tmp, min(repeat, 3))
    ]  # fmt: skip


def bench_deploy(tmp: Path, repeat: int) -> list[Row]:
    """deploy --check with no changes vs Logto's official client doing the same reads; the plan's scaling."""
    from benchmarks.bench_deploy import measure_check, plan_cost

    command, env = _our_command()
    check = measure_check(repeat, command, env)
    cost = plan_cost()
    small, large = cost[min(cost)], cost[max(cost)]
    return [
        Row("deploy --check, no changes (whole process)", check["ours"], check["peer"], "s",
            "@logto/api reads (node)", "report", None, {"store templates": check["templates"]}),
        Row(f"plan, per store template, {max(cost)} vs {min(cost)}", large / small, None, "x", "",
            "linear (flat)", large / small <= 1.5, {"us per template": cost}),
    ]  # fmt: skip


BENCHES: dict[str, Callable[[Path, int], list[Row]]] = {
    "bad-inputs": bench_bad_inputs,
    "worst": bench_worst,
    "lint-cold": bench_lint_cold,
    "lint-many": bench_lint_many,
    "build": bench_build,
    "render": bench_render,
    "send": bench_send,
    "deploy": bench_deploy,
}


def print_table(rows: list[Row]) -> None:
    print(f"{'benchmark':44} {'ours':>12} {'peer':>12} {'ratio':>7}  {'peer name':18} {'target':12} met")
    for r in rows:
        peer = f"{r.peer:.4g}" if r.peer is not None else "-"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        met = {True: "yes", False: "NO", None: ""}[r.met]
        print(
            f"{r.name:44} {r.ours:>10.4g} {r.unit:<1} {peer:>12} {ratio:>7}  {r.peer_name:18} {r.target:12} {met}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "results.json")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or BENCHES:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            folder = Path(tmp) / name
            folder.mkdir()
            rows.extend(BENCHES[name](folder, repeat))
    print_table(rows)
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "platform": platform.platform()}  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine, "repeat": repeat,
               "rows": [asdict(r) | {"ratio": r.ratio} for r in rows]}  # fmt: skip
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwritten to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
