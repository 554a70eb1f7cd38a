"""A bounded crash/race loop for the create claims (issues #9 / #12): not part of the suite.

Each trial: the sandbox (its own process, faults on) is reset; the source-key field is
created; two ``pdbulk import`` processes over the same ``--rows`` keys start 0.2-1.5 s
apart, in a mix of coordinated (``--coordinator redis://``) and uncoordinated runs that
share one state dir (one machine); one of them is killed with SIGKILL mid-run and
resumed (``pdbulk resume``) while the other still runs. At the end it counts, from the
sandbox, deals per source key (must be exactly 1) and, from both job stores, how many
jobs record each deal ``created`` (must be exactly 1), plus rows not settled (failed,
pending, in doubt) and the wall time.

    .venv/bin/python scripts/claims_race.py --trials 8 --rows 60

Bounded: ``--trials`` trials, each process limited to ``--timeout`` s (then killed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk.store import ItemState, JobStore  # noqa: E402
from jobs.demo_data import write_demo_export  # noqa: E402

TOKEN = "race-test-token-0123"
KEY_FIELD = "HubSpot Record ID"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
OPTS: dict[str, Any] = {"mode": "insert", "kill": True}
MIXES = [("coord", "coord"), ("local", "coord"), ("coord", "local"), ("local", "local")]
if os.environ.get("RACE_MIXES"):
    MIXES = [tuple(m.split("+")) for m in os.environ["RACE_MIXES"].split(",")]  # type: ignore[misc]


def admin(url: str, path: str, method: str = "GET") -> Any:
    req = urllib.request.Request(url + path, method=method,
                                 data=b"{}" if method == "POST" else None)
    with _NO_PROXY.open(req, timeout=20) as resp:
        return json.loads(resp.read())


def wait_for(check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError


def start_sandbox(work: Path, faults: dict[str, float], seed: int) -> tuple[Any, str]:
    out = (work / "sandbox.out").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bulk.sandbox", "--host", "127.0.0.1", "--port", "0",
         "--plan", "ultimate", "--token", TOKEN, "--seed", str(seed),
         "--latency-ms", "30", "--jitter-ms", "20",
         "--error-rate", str(faults["error"]), "--drop-rate", str(faults["drop"]),
         "--lost-response-rate", str(faults["lost"])],
        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)

    def url() -> str | None:
        for line in (work / "sandbox.out").read_text().splitlines():
            if "listening on " in line:
                return line.rsplit(" ", 1)[-1]
        return None

    return proc, wait_for(url, 20)


def start_redis(work: Path) -> tuple[Any, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
                             str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                             "no", "--dir", str(work)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc, f"redis://127.0.0.1:{port}/0"


def env(url: str, state: Path, coordinator: str | None) -> dict[str, str]:
    e = {**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN, "PIPEDRIVE_URL": url, "NO_COLOR": "1",
         "PDBULK_STATE_DIR": str(state)}
    e.pop("PDBULK_COORDINATOR", None)
    if coordinator:
        e["PDBULK_COORDINATOR"] = coordinator
    return e


def import_argv(manifest: Path, mapping: Path, jobs: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pdbulk", "import", str(manifest), "--mapping", str(mapping),
            "--mode", OPTS["mode"], "--plan", "ultimate", "--job-dir", str(jobs), *extra]


def trial(n: int, url: str, redis_url: str, work: Path, rows: int, timeout: float,
          rng: random.Random) -> dict[str, Any]:
    admin(url, "/_sandbox/reset", "POST")
    # a reset sandbox reuses deal ids and field codes (Pipedrive never does): the claims'
    # outcomes of the trial before must not name this trial's deals
    import redis

    redis.Redis.from_url(redis_url).flushall()
    tdir = work / f"t{n}"
    state = tdir / "state"
    state.mkdir(parents=True)
    export = write_demo_export(tdir / "in", rows=rows, broken=0, unknown_stage=0, seed=100 + n)
    seed_csv = tdir / "seed.csv"  # one row of another key, to create the key field
    lines = export.manifest.read_text(encoding="utf-8-sig").splitlines()
    first = lines[1].split(",", 1)
    seed_csv.write_text(lines[0] + "\n" + "SEED-" + first[0] + "," + first[1] + "\n",
                        encoding="utf-8")
    def log(name: str) -> Any:
        return (tdir / f"{name}.log").open("wb")

    subprocess.run(import_argv(seed_csv, export.mapping, tdir / "seedjobs", "--create-key-field"),
                   env=env(url, state, None), stdout=log("seed"), stderr=subprocess.STDOUT,
                   stdin=subprocess.DEVNULL, timeout=timeout, cwd=ROOT, check=True)
    mix = MIXES[n % len(MIXES)]
    coords = [redis_url if m == "coord" else None for m in mix]
    victim = rng.randrange(2)
    procs = []
    t0 = time.monotonic()
    for i in range(2):
        if i:
            time.sleep(rng.uniform(0.2, 1.5))
        procs.append(subprocess.Popen(
            import_argv(export.manifest, export.mapping, tdir / f"jobs{i}"),
            env=env(url, state, coords[i]), stdout=log(f"run{i}"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=ROOT))

    # kill the victim once it has loaded its rows and the sandbox has applied some creates
    def enough() -> bool:
        if procs[victim].poll() is not None:
            return True
        loaded = " to create;" in (tdir / f"run{victim}.log").read_text()
        made = admin(url, "/_sandbox/stats")["writes_applied"].get("addDeal", 0)
        return loaded and made >= rows // 4
    try:
        wait_for(enough if OPTS["kill"] else (lambda: False), timeout if OPTS["kill"] else 0.0)
    except TimeoutError:
        pass
    killed = OPTS["kill"] and procs[victim].poll() is None
    if killed:
        time.sleep(rng.uniform(0.0, 0.3))
        procs[victim].send_signal(signal.SIGKILL)
    try:
        procs[victim].wait(timeout)
    except subprocess.TimeoutExpired:
        procs[victim].kill()
        procs[victim].wait()
    walls = [round(time.monotonic() - t0, 1), None]
    codes: list[int | None] = [None, None]
    resumed = None
    folders = [p for p in (tdir / f"jobs{victim}").iterdir() if p.is_dir()] \
        if (tdir / f"jobs{victim}").exists() else []

    def resume(coordinator: str | None, name: str) -> Any:
        return subprocess.Popen(
            [sys.executable, "-m", "pdbulk", "resume", folders[0].name, "--job-dir",
             str(tdir / f"jobs{victim}")], env=env(url, state, coordinator), stdout=log(name),
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)

    if killed and folders:
        resumed = resume(coords[victim], "resume")
    other = procs[1 - victim]
    for p in (other, resumed):
        if p is None:
            continue
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if resumed is not None and resumed.returncode == 1 and \
            "shared coordinator" in (tdir / "resume.log").read_text():
        # refused (this machine ran the account coordinated): as the message says
        resumed = resume(redis_url, "resume2")
        resumed.wait(timeout)
    walls[1] = round(time.monotonic() - t0, 1)
    codes[1 - victim] = other.returncode
    codes[victim] = resumed.returncode if resumed is not None else procs[victim].returncode
    elapsed = time.monotonic() - t0
    return {"mix": mix, "victim": victim, "killed": killed, "codes": codes,
            "elapsed": round(elapsed, 1),
            "walls": walls if not killed else None, **measure(url, tdir, export.manifest)}


def measure(url: str, tdir: Path, manifest: Path) -> dict[str, Any]:
    import csv

    with manifest.open(encoding="utf-8-sig") as f:
        keys = {row["Record ID"] for row in csv.DictReader(f)}
    deals = [d for d in admin(url, "/_sandbox/deals")["data"] if not d.get("is_deleted")]

    def key_of(deal: dict[str, Any]) -> str | None:
        for value in (deal.get("custom_fields") or {}).values():
            if isinstance(value, str) and value in keys:
                return value
        return None

    per_key = Counter(k for k in map(key_of, deals) if k is not None)
    deal_ids = {int(d["id"]) for d in deals if key_of(d) is not None}
    owners: Counter[int] = Counter()
    detail: dict[int, list[str]] = {}
    exists: Counter[int] = Counter()
    unsettled = waited = 0
    for i in range(2):
        jobdir = tdir / f"jobs{i}"
        for folder in (p for p in jobdir.iterdir() if p.is_dir()) if jobdir.exists() else ():
            try:
                store = JobStore.open(folder, lock=False)
            except Exception:  # a job killed before its store was made
                continue
            with store:
                for item in store.items(ItemState.DONE):
                    r = item.result or {}
                    if "deal_id" in r:
                        detail.setdefault(int(r["deal_id"]), []).append(
                            f"job{i}:{item.key}:{r.get('action')}{'/rec' if r.get('reconciled') else ''}")
                    if r.get("action") == "created":
                        owners[int(r["deal_id"])] += 1
                    elif "deal_id" in r:
                        exists[int(r["deal_id"])] += 1
                for state in (ItemState.FAILED, ItemState.PENDING, ItemState.SENDING):
                    for item in store.items(state):
                        unsettled += 1
                        waited += "did not finish within" in str(item.error or "")
    persons = admin(url, "/_sandbox/persons")["data"]
    emails = Counter(str(e.get("value")).lower() for p in persons if not p.get("is_deleted")
                     for e in (p.get("emails") or ())[:1] if isinstance(e, dict))
    orgs = Counter(str(o.get("name")) for o in admin(url, "/_sandbox/organizations")["data"]
                   if not o.get("is_deleted"))
    return {"keys": len(keys), "doubled_persons": sum(1 for c in emails.values() if c > 1),
            "doubled_orgs": sum(1 for c in orgs.values() if c > 1), "missing": len(keys - set(per_key)),
            "doubled": sum(1 for c in per_key.values() if c > 1),
            "extra_deals": sum(c - 1 for c in per_key.values() if c > 1),
            "no_owner": sum(1 for d in deal_ids if owners[d] == 0),
            "two_owners": sum(1 for d in deal_ids if owners[d] > 1),
            "unsettled_rows": unsettled, "claim_wait_failures": waited,
            "bad": {d: detail.get(d) for d in deal_ids if owners[d] != 1}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--rows", type=int, default=60)
    p.add_argument("--timeout", type=float, default=240.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--faults", default="error=0.05,drop=0.02,lost=0.03")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--mode", default="insert", choices=["insert", "upsert"])
    p.add_argument("--no-kill", action="store_true",
                   help="no SIGKILL: both runs to the end (the stall of #9 F3: wall times)")
    a = p.parse_args()
    OPTS.update(mode=a.mode, kill=not a.no_kill)
    faults = {k: float(v) for k, v in (part.split("=") for part in a.faults.split(","))}
    rng = random.Random(a.seed)
    work = Path(tempfile.mkdtemp(prefix="claims-race-"))
    sandbox, url = start_sandbox(work, faults, a.seed)
    redis, redis_url = start_redis(work)
    totals: Counter[str] = Counter()
    try:
        for n in range(a.trials):
            r = trial(n, url, redis_url, work, a.rows, a.timeout, rng)
            print(json.dumps(r), flush=True)
            for k in ("doubled", "extra_deals", "doubled_persons", "doubled_orgs", "missing",
                      "no_owner", "two_owners", "unsettled_rows"):
                totals[k] += r[k]
            totals["trials_with_doubles"] += r["doubled"] > 0
            totals["seconds"] += int(r["elapsed"])
    finally:
        for proc in (sandbox, redis):
            proc.terminate()
            proc.wait(10)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("work folder:", work)
    print("TOTAL", json.dumps(dict(totals)))


if __name__ == "__main__":
    main()
