"""deploy: a no-change drift check of the example project against the Logto stand-in on loopback, as a whole
process, next to Logto's official client (@logto/api, Node) doing the same reads; and the plan's cost per
email template as the store grows (linear)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "tests" / "logto-peer"


def measure_check(repeat: int, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Median seconds of `deploy examples/acme --env prod --check` and of the official client's reads."""
    from tests.logto_server import FakeLogto, start

    fake = FakeLogto()
    server = start(fake)
    try:
        child = env | {
            "SMTP_PASS": "bench-Secret-1",
            "LOGTO_ENDPOINT": fake.url,
            "LOGTO_M2M_APP_ID": fake.app_id,
            "LOGTO_M2M_APP_SECRET": fake.app_secret,
        }
        deploy = [*command, "deploy", str(ROOT / "examples" / "acme"), "--env", "prod"]
        subprocess.run(deploy, env=child, check=True, capture_output=True)
        ours = _median([*deploy, "--check"], repeat, child)
        out: dict[str, Any] = {"ours": ours, "peer": None, "templates": len(fake.templates)}
        node = shutil.which("node")
        if node and (PEER / "node_modules" / "@logto" / "api").is_dir():
            payload = json.dumps(
                {"baseUrl": fake.url, "clientId": fake.app_id, "clientSecret": fake.app_secret,
                 "apiIndicator": fake.resource}
            )  # fmt: skip
            out["peer"] = _median(
                [node, str(PEER / "management-read.mjs")], repeat, env, stdin=payload, cwd=PEER
            )
        return out
    finally:
        server.shutdown()
        server.server_close()


def _median(
    argv: list[str], repeat: int, env: dict[str, str], stdin: str = "", cwd: Path | None = None
) -> float:
    times = []
    for _ in range(repeat + 1):  # the first run warms caches
        start = time.perf_counter()
        proc = subprocess.run(
            argv, env=env, input=stdin, text=True, capture_output=True, cwd=cwd, check=False
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{argv[:3]} failed: {proc.stderr}")
    return statistics.median(times[1:])


def plan_cost(sizes: tuple[int, ...] = (100, 1600)) -> dict[int, float]:
    """Microseconds per store entry for make_plan, at each size (flat means linear)."""
    from connector.deploy.plan import Desired, Live, make_plan

    out = {}
    for n in sizes:
        entries = [
            {"languageTag": f"l{i // 9}", "templateType": f"T{i % 9}",
             "details": {"subject": f"s{i}", "content": "c" * 500, "contentType": "text/html"}}
            for i in range(n)
        ]  # fmt: skip
        live = [
            {"id": str(i), **e, "details": {**e["details"], "subject": "x"}} for i, e in enumerate(entries)
        ]
        config = {
            "host": "h",
            "port": 1,
            "templates": [{"usageType": "SignIn", "subject": "a", "content": "b"}],
        }
        desired = Desired(config, tuple(entries))
        state = Live({"id": "c", "config": config}, (), tuple(live))
        best = min(_timed(make_plan, desired, state) for _ in range(5))
        out[n] = best / n * 1e6
    return out


def _timed(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(measure_check(5, [sys.executable, "-m", "connector"], dict(os.environ) | {"PYTHONPATH": str(ROOT)}))
    print(plan_cost())
