"""Crash loop for issue 9 F2: writes in flight at a kill -9 are decided on resume against
the deal as it is now, never overwritten over a colleague's change.

Per trial (bounded: ``--trials`` per job kind, each step under a timeout): a sandbox in
its own process (latency, so that many writes are in flight at once); the job
(``update``, ``move-stage``, ``import`` upsert, or ``undo`` of a finished update) in a
second process, killed with SIGKILL once the sandbox has applied some of its writes;
then "a colleague" changes half of the deals the job left in flight (state SENDING),
through the public API with the same account; then ``pdbulk resume``. Checked:

- no colleague value overwritten (the deal still holds it after resume and after undo);
- every row accounted: nothing left pending or in doubt; each row done, unchanged
  (skipped), or failed — a colleague's deal failed as a conflict;
- ``pdbulk undo`` of the job (not for ``undo``) puts back exactly the deals the job
  wrote (their seeded values) and leaves the colleague's deals alone.

Usage: ``.venv/bin/python scripts/crash_inflight.py --trials 5 [--kinds update,undo]``.
Prints one line per trial and a summary; exit 1 if any check failed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk.store import ItemState, JobStore  # noqa: E402

TOKEN = "crash-inflight-token-0123"
N = 120  # deals the job writes
KILL_AFTER = 30  # writes applied before the kill
COLLEAGUE = 4242.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(url: str, method: str = "GET", body: Any = None) -> Any:
    req = urllib.request.Request(url, method=method, headers={
        "x-api-token": TOKEN, "content-type": "application/json"},
        data=None if body is None else orjson.dumps(body))
    with _NO_PROXY.open(req, timeout=20) as resp:
        return orjson.loads(resp.read())


def wait_for(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(f"waited {timeout} s for {what}")


class Sandbox:
    """``python -m bulk.sandbox`` on a free port, with latency: writes pile up in flight."""

    def __init__(self, work: Path, seed: int, latency_ms: int) -> None:
        self.log = (work / "sandbox.out").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bulk.sandbox", "--host", "127.0.0.1", "--port", "0",
             "--plan", "ultimate", "--deals", str(N + 20), "--seed", str(seed),
             "--latency-ms", str(latency_ms), "--jitter-ms", str(latency_ms // 2),
             "--token", TOKEN], stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=ROOT)
        out = work / "sandbox.out"

        def url() -> str | None:
            assert self.proc.poll() is None, out.read_text()
            for line in out.read_text().splitlines():
                if "listening on " in line:
                    return line.rsplit(" ", 1)[-1]
            return None
        self.url: str = wait_for("the sandbox", url, 30)

    def writes(self, op: str) -> int:
        return int(http(self.url + "/_sandbox/stats")["writes_applied"].get(op, 0))

    def deals(self) -> dict[int, dict[str, Any]]:
        return {d["id"]: d for d in http(self.url + "/_sandbox/deals")["data"]}

    def patch(self, deal_id: int, body: dict[str, Any]) -> None:
        http(f"{self.url}/api/v2/deals/{deal_id}", "PATCH", body)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def pdbulk(*args: str, log: Path, timeout: float = 90) -> int:
    with log.open("ab") as out:
        return subprocess.run([sys.executable, "-m", "pdbulk", *args], cwd=ROOT,
                              env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN, "NO_COLOR": "1"},
                              stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=timeout).returncode


def engine(sb: Sandbox, jobs: Path) -> list[str]:
    return ["--url", sb.url, "--plan", "ultimate", "--job-dir", str(jobs)]


def kill_mid_run(argv: list[str], sb: Sandbox, op: str, log: Path) -> None:
    """Start ``pdbulk argv``, SIGKILL it once the sandbox applied KILL_AFTER more ``op``s."""
    floor = sb.writes(op)
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pdbulk", *argv], cwd=ROOT,
                                env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN},
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_for(f"{KILL_AFTER} writes", lambda: sb.writes(op) - floor >= KILL_AFTER
                     or proc.poll() is not None, 60)
            if proc.poll() is not None:
                raise RuntimeError(f"the job ended (exit {proc.returncode}) before the kill")
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def newest_job(jobs: Path, kind: str) -> str:
    found = []
    for p in jobs.iterdir():
        if p.is_dir():
            try:
                with JobStore.open(p, lock=False) as store:
                    if store.kind == kind:
                        found.append((store.created_at or 0.0, store.job_id))
            except Exception:  # not a job folder
                continue
    return max(found)[1]


def trial(kind: str, seed: int, work: Path) -> list[str]:
    """One kill / colleague / resume / undo round; the problems found (empty: passed)."""
    problems: list[str] = []
    jobs = work / "jobs"
    log = work / "cli.log"
    sb = Sandbox(work, seed, latency_ms=150)
    try:
        ids = sorted(sb.deals())[:N]
        with ThreadPoolExecutor(8) as pool:  # a known start: open, 100, Sales / Contact Made
            list(pool.map(lambda i: sb.patch(i, {"value": 100, "currency": "USD",
                                                 "stage_id": 2, "status": "open"}), ids))
        seeded = sb.deals()
        field = "value"
        wanted: Any = 777
        if kind in ("update", "undo"):
            (work / "u.toml").write_text('[update]\nid_column = "deal_id"\n[defaults]\n'
                                         'currency = "USD"\n[deal]\nvalue = "amount"\n')
            (work / "u.csv").write_text("deal_id,amount\n" + "".join(f"{i},777\n" for i in ids))
            argv = ["update", str(work / "u.csv"), "-m", str(work / "u.toml"), "--yes",
                    *engine(sb, jobs)]
            if kind == "undo":
                assert pdbulk(*argv, log=log) == 0, "the update to undo failed"
                job = newest_job(jobs, "update")
                kill_mid_run(["undo", job, "--yes", *engine(sb, jobs)], sb, "updateDeal", log)
                wanted = 100
            else:
                kill_mid_run(argv, sb, "updateDeal", log)
        elif kind == "move-stage":
            field, wanted = "stage_id", 4
            (work / "m.csv").write_text("deal_id\n" + "".join(f"{i}\n" for i in ids))
            kill_mid_run(["move-stage", "--manifest", str(work / "m.csv"), "--to-pipeline",
                          "Sales", "--to-stage", "Proposal Made", "--yes", *engine(sb, jobs)],
                         sb, "updateDeal", log)
        else:  # import upsert: keys first, then the upsert that is killed
            (work / "i.toml").write_text('[import]\nkey_column = "key"\nmode = "upsert"\n'
                                         '[defaults]\ncurrency = "USD"\n[deal]\n'
                                         'title = "title"\nvalue = "amount"\n')
            (work / "a.csv").write_text("key,title,amount\n" + "".join(
                f"k{n},Deal {n},100\n" for n in range(N)))
            assert pdbulk("import", str(work / "a.csv"), "-m", str(work / "i.toml"),
                          "--create-key-field", *engine(sb, jobs), log=log) == 0
            (work / "b.csv").write_text("key,title,amount\n" + "".join(
                f"k{n},Deal {n},777\n" for n in range(N)))
            seeded = sb.deals()
            kill_mid_run(["import", str(work / "b.csv"), "-m", str(work / "i.toml"),
                          *engine(sb, jobs)], sb, "updateDeal", log)
        job_kind = "import" if kind == "import" else kind
        job = newest_job(jobs, job_kind)
        with JobStore.open(jobs / job, lock=False) as store:
            flying = [int(i.payload["deal_id"]) for i in store.items(ItemState.SENDING)
                      if "deal_id" in i.payload]
        if not flying:
            return ["no write was in flight at the kill (nothing proven)"]
        colleague: dict[int, Any] = {}
        stages = (3, 5)
        for n, deal_id in enumerate(flying[::2]):  # a colleague changes half of them
            colleague[deal_id] = stages[n % 2] if field == "stage_id" else COLLEAGUE + n
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda kv: sb.patch(kv[0], {field: kv[1]}), colleague.items()))
        rc = pdbulk("resume", job, "--job-dir", str(jobs), log=log)
        if rc not in (0, 3):
            problems.append(f"resume exit {rc}")
        now = sb.deals()
        problems += [f"deal {d}: colleague's {field} {v} overwritten with {now[d][field]}"
                     for d, v in colleague.items() if now[d][field] != v]
        with JobStore.open(jobs / job, lock=False) as store:
            counts = store.counts()
            items = list(store.items())
        if counts[ItemState.PENDING] or counts[ItemState.SENDING]:
            problems.append(f"rows not accounted: {dict(counts)}")
        done = {int((i.result or {})["deal_id"]) for i in items if i.state is ItemState.DONE
                and (i.result or {}).get("deal_id") is not None}
        for item in items:
            deal_id = item.payload.get("deal_id")
            if deal_id in colleague and item.state is ItemState.DONE:
                problems.append(f"deal {deal_id}: colleague's change counted as the job's write")
            if deal_id in colleague and item.state is ItemState.FAILED \
                    and "conflict" not in (item.error or ""):
                problems.append(f"deal {deal_id}: failed without a conflict: {item.error}")
        problems += [f"deal {d}: done but {field} is {now[d][field]}, not {wanted}"
                     for d in done if now[d][field] != wanted and d not in colleague]
        if kind != "undo":
            rc = pdbulk("undo", job, "--yes", *engine(sb, jobs), log=log)
            if rc not in (0, 3):
                problems.append(f"undo exit {rc}")
            after = sb.deals()
            problems += [f"deal {d}: undo overwrote the colleague's {field} {v}"
                         for d, v in colleague.items() if after[d][field] != v]
            problems += [f"deal {d}: undo left {field} {after[d][field]}, not "
                         f"{seeded[d][field]}" for d in done
                         if after[d][field] != seeded[d][field]]
        print(f"{kind:>10} seed {seed}: in flight {len(flying):3}, colleague {len(colleague):3},"
              f" done {counts[ItemState.DONE]:3}, skipped {counts[ItemState.SKIPPED]:3}, "
              f"failed {counts[ItemState.FAILED]:3} — "
              + ("ok" if not problems else f"{len(problems)} problem(s)"), flush=True)
    finally:
        sb.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--kinds", default="update,move-stage,import,undo")
    args = parser.parse_args()
    failures = 0
    started = time.monotonic()
    for kind in args.kinds.split(","):
        for seed in range(1, min(args.trials, 20) + 1):
            with tempfile.TemporaryDirectory(prefix=f"crash-{kind}-") as tmp:
                try:
                    problems = trial(kind, seed, Path(tmp))
                except Exception as exc:  # a trial that broke is reported
                    log = Path(tmp) / "cli.log"
                    print(log.read_text()[-2000:] if log.exists() else "", flush=True)
                    problems = [f"trial broke: {exc!r}"]
                    print(f"{kind:>10} seed {seed}: broke: {exc!r}", flush=True)
                for p in problems[:10]:
                    print(f"    {p}", flush=True)
                failures += bool(problems)
    print(f"{failures} trial(s) with problems; {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
