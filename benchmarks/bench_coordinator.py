"""Many processes, one account: 4 ``pdbulk import`` processes on one token at once.

The same 4 imports run twice against one sandbox process (Growth: 40 requests per
window per token, 150 ± 50 ms latency, windows of 2 s; 1 s with ``--quick``): once with a
shared Redis coordinator (``--coordinator``), once each alone, as today. Printed
side by side: the server's 429 count, the combined rate of admitted requests ÷ the
allowed rate (40 per window), and deals doubled or missing.

The combined rate is measured by polling the sandbox's counters every 50 ms and
taking the rate between the moments 20 % and 80 % of the run's admitted requests
had arrived: the middle of the run, when every process is past its start-up (Python
import, list pulls) and before the first one finishes.
"""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .harness import BenchArgs, Check, Row, SandboxProcess, progress, stats_delta

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
KEY_FIELD = "Import source key"  # the mapping's default key field label (jobs/mapping.py)

TITLE = "Coordinator: 4 pdbulk processes on one token (Growth, 150 ± 50 ms)"
FOOTNOTES = (
    "rate ÷ allowed: admitted requests per second in the middle 60 % of the run ÷ "
    "(40 ÷ window); target ≥ 0.95 with 0 429s when coordinated",
    "doubled / missing: deals in the account per source key, against the manifests",
)
BURST = 40  # Growth, api_token (bulk/plans.py)
MAPPING = """
version = 1
[import]
key_column = "id"
[deal]
title = "title"
value = "amount"
"""


@dataclass
class FleetResult:
    exit_codes: list[int]
    wall: float
    r429: int
    admitted: int
    tokens: int
    rate: float  # admitted requests per second, middle of the run
    allowed: float  # requests per second the window allows
    doubled: int
    missing: int
    outputs: list[str] = field(default_factory=list)

    @property
    def of_allowed(self) -> float:
        return self.rate / self.allowed if self.allowed else 0.0


def write_manifest(path: Path, prefix: str, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "amount"])
        for i in range(rows):
            w.writerow([f"{prefix}-{i}", f"Deal {prefix} {i}", f"{100 + i}.50"])
    return path


def cli_env(sb: SandboxProcess, scale: float, coordinator: str | None) -> dict[str, str]:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, "NO_COLOR": "1",
           "PDBULK_WINDOW": repr(2.0 * scale)}
    env.pop("PDBULK_COORDINATOR", None)
    if coordinator:
        env["PDBULK_COORDINATOR"] = coordinator
    # the fleets with and without the coordinator stand for different machines: on one, a
    # run without the coordinator on an account that ran coordinated is refused
    # (bulk.coordinator.check_coordination)
    base = os.environ.get("PDBULK_STATE_DIR") or os.path.join(tempfile.gettempdir(),
                                                              f"pdbulk-bench-{os.getpid()}")
    env["PDBULK_STATE_DIR"] = base + ("-coordinated" if coordinator else "-local")
    return env


def import_argv(sb: SandboxProcess, manifest: Path, mapping: Path, job_dir: Path,
                *extra: str) -> list[str]:
    return [sys.executable, "-m", "pdbulk", "import", str(manifest), "--mapping", str(mapping),
            "--url", sb.url, "--plan", "growth", "--job-dir", str(job_dir), *extra]


def prepare(sb: SandboxProcess, root: Path, scale: float) -> Path:
    """The mapping file, and the key field created once (one ``addDealField`` call, 5
    tokens: what ``--create-key-field`` sends, without starting a whole pdbulk process)."""
    mapping = root / "mapping.toml"
    mapping.write_text(MAPPING)
    body = orjson.dumps({"field_name": KEY_FIELD, "field_type": "varchar"})
    req = urllib.request.Request(f"{sb.url}/api/v2/dealFields", data=body, method="POST",
                                 headers={"content-type": "application/json",
                                          **sb.auth_headers()})
    with _NO_PROXY.open(req, timeout=30) as resp:
        if not orjson.loads(resp.read()).get("success"):
            raise RuntimeError("the sandbox did not create the key field")
    # a call the coordinator did not admit: let it leave the server's window before the
    # fleet's first burst meets it (the coordinator only knows what it admitted)
    time.sleep(2.0 * scale * 1.1)
    return mapping


def key_counts(sb: SandboxProcess) -> dict[str, int]:
    """Source key -> deals carrying it (the key field is the deal's only custom field)."""
    counts: dict[str, int] = {}
    for deal in sb.records("deals"):
        if deal.get("is_deleted"):
            continue
        for value in (deal.get("custom_fields") or {}).values():
            if isinstance(value, str):
                counts[value] = counts.get(value, 0) + 1
    return counts


def run_fleet(sb: SandboxProcess, root: Path, mapping: Path, *, scale: float, rows: int,
              processes: int = 4, coordinator: str | None = None, tag: str = "run",
              extra: tuple[str, ...] = (), same_manifest: bool = False,
              timeout: float = 120.0) -> FleetResult:
    """``processes`` imports at once; counters from the sandbox; bounded by ``timeout``."""
    env = cli_env(sb, scale, coordinator)
    manifests = [write_manifest(root / f"{tag}-{p}.csv", f"{tag.upper()}-{0 if same_manifest else p}",
                                rows) for p in range(processes)]
    before = sb.stats()
    series: list[tuple[float, int]] = []
    logs = [tempfile.TemporaryFile() for _ in manifests]
    started = time.monotonic()
    procs = [subprocess.Popen(import_argv(sb, m, mapping, root / f"{tag}-jobs-{p}", *extra),
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
             for p, (m, log) in enumerate(zip(manifests, logs, strict=True))]
    try:
        while any(p.poll() is None for p in procs):
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{tag}: the imports took over {timeout} s")
            d = stats_delta(before, sb.stats())
            series.append((time.monotonic(), d["requests"] - d["rate_limited"]))
            time.sleep(0.05)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait(10)
    wall = time.monotonic() - started
    delta = stats_delta(before, sb.stats())
    outputs = []
    for log in logs:
        log.seek(0)
        outputs.append(log.read().decode(errors="replace"))
        log.close()
    counts = key_counts(sb)
    wanted = {f"{tag.upper()}-{0 if same_manifest else p}-{i}"
              for p in range(processes) for i in range(rows)}
    admitted = delta["requests"] - delta["rate_limited"]
    return FleetResult(
        exit_codes=[p.returncode for p in procs], wall=wall, r429=delta["rate_limited"],
        admitted=admitted, tokens=delta["tokens"], rate=middle_rate(series, admitted),
        allowed=BURST / (2.0 * scale),
        doubled=sum(n - 1 for k, n in counts.items() if k in wanted and n > 1),
        missing=sum(1 for k in wanted if k not in counts), outputs=outputs)


def middle_rate(series: list[tuple[float, int]], total: int) -> float:
    """Requests per second between 20 % and 80 % of ``total`` (interpolated in time)."""
    def when(level: float) -> float | None:
        for (t0, n0), (t1, n1) in itertools.pairwise(series):
            if n0 <= level <= n1 and n1 > n0:
                return t0 + (t1 - t0) * (level - n0) / (n1 - n0)
        return None

    lo, hi = when(0.2 * total), when(0.8 * total)
    if lo is None or hi is None or hi <= lo:
        return 0.0
    return 0.6 * total / (hi - lo)


def _row(name: str, r: FleetResult, target: bool) -> Row:
    checks = []
    if target:
        checks = [Check("0 429s", r.r429 == 0, str(r.r429)),
                  Check("rate ≥ 0.95 of allowed", r.of_allowed >= 0.95, f"{r.of_allowed:.3f}"),
                  Check("0 doubled, 0 missing", r.doubled == 0 and r.missing == 0,
                        f"{r.doubled}/{r.missing}")]
    return Row(scenario="4 imports, one token", runner=name, calls=r.admitted, wall=r.wall,
               req_s=r.rate, of_allowed=r.of_allowed, r429=r.r429, tokens=r.tokens,
               extra={"exit codes": ",".join(map(str, r.exit_codes)), "doubled": r.doubled,
                      "missing": r.missing}, checks=checks)


def run(args: BenchArgs) -> list[Row]:
    from tests.redis_helpers import running_redis  # the same real redis-server the tests use

    # Latency is not scaled: at a shorter window the 150 ± 50 ms weigh more (a call is
    # counted when it arrives, up to 100 ms after the fastest could have): the full run
    # uses Pipedrive's own 2 s window.
    rows, scale = (40, 0.5) if args.quick else (200, 1.0)
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, running_redis() as server, SandboxProcess(
            plan="growth", latency_ms=150, jitter_ms=50, time_scale=scale, seats=20) as sb:
        root = Path(tmp)
        mapping = prepare(sb, root, scale)
        progress(f"coordinated: 4 x {rows} deals, window {2 * scale:g} s")
        shared = run_fleet(sb, root, mapping, scale=scale, rows=rows, coordinator=server.url,
                           tag="shared")
        out.append(_row("pdbulk --coordinator redis", shared, True))
        time.sleep(2 * scale)  # the shared run's window drains
        progress(f"alone: 4 x {rows} deals")
        alone = run_fleet(sb, root, mapping, scale=scale, rows=rows, tag="alone")
        out.append(_row("pdbulk alone (today)", alone, False))
    return out


__all__ = ["FleetResult", "prepare", "run", "run_fleet"]


if __name__ == "__main__":  # pragma: no cover - a quick look by hand
    for r in run(BenchArgs(quick=True)):
        print(r)
    _: Any = None
