"""``make demo`` / ``python -m pdbulk.demo``: a dirty CRM export imported into a local Pipedrive.

1. starts the sandbox in its own process (Growth plan: 40 requests per 2 s, realistic
   latency, 200 deals with their persons and organizations already in the account);
2. writes a dirty HubSpot-style export (``jobs.demo_data``) and its mapping file;
3. runs ``pdbulk plan import`` (what it will cost, before anything is written);
4. runs ``pdbulk import`` with the progress bar, prints the summary and where the result
   files are;
5. runs ``pdbulk dedupe plan`` (the duplicate deals the export carried: groups.csv and
   review.html in ``OUT/dedupe-plan``) and ``pdbulk dedupe apply`` (the duplicate band,
   at most 50 merges); prints where the review page is; stops the sandbox.

Everything goes through the real ``pdbulk`` commands, in this process; the sandbox
listens on 127.0.0.1 only. ``--rows``, ``--plan`` and ``--oauth`` make it smaller or
faster (the tests run it that way).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

TOKEN = "demo-sandbox-token"


@contextlib.contextmanager
def sandbox_process(*, plan: str, oauth: bool, latency_ms: float, jitter_ms: float,
                    deals: int, seed: int, port: int = 0) -> Iterator[str]:
    """The sandbox in a child process (its own CPU, like a remote server) on 127.0.0.1:``port``
    (0: any free port); yields its URL."""
    cmd = [sys.executable, "-m", "bulk.sandbox", "--port", str(port), "--plan", plan, "--token",
           TOKEN, "--auth", "oauth" if oauth else "api_token", "--latency-ms", str(latency_ms),
           "--jitter-ms", str(jitter_ms), "--deals", str(deals), "--seed", str(seed)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"the sandbox did not start{f' on port {port}' if port else ''}"
                               f" (is the port in use?): {line!r}")
        yield line.split("listening on", 1)[1].strip()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def pdbulk(args: Sequence[str]) -> int:
    """Run one pdbulk command in this process; its exit code."""
    from .cli import app

    print(f"\n$ pdbulk {' '.join(args)}", flush=True)
    try:
        app(list(args), prog_name="pdbulk")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def _show_dirt(manifest: Path, count: int = 6) -> None:
    import csv

    with open(manifest, encoding="utf-8-sig", newline="") as f:
        rows = [r for _, r in zip(range(count), csv.DictReader(f), strict=False)]
    print("a few rows of it (amount · stage · close date · owner · contact):")
    for r in rows:
        print(f"  {r['Amount']!r:>14} · {r['Deal Stage']:<22} · {r['Close Date']!r:<12} · "
              f"{r['Deal Owner'][:22]:<22} · {r['Email'][:40]}")


def main(argv: Sequence[str] | None = None) -> int:

    p = argparse.ArgumentParser(prog="python -m pdbulk.demo", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1000, help="rows in the export (default 1000)")
    p.add_argument("--out", type=Path, default=Path("demo-out"),
                   help="where the export, the mapping and the job go (emptied first)")
    p.add_argument("--plan", default="growth", help="the sandbox's plan (default growth)")
    p.add_argument("--oauth", action="store_true", help="OAuth token: 4x the burst limit")
    p.add_argument("--latency-ms", type=float, default=80.0)
    p.add_argument("--jitter-ms", type=float, default=40.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--port", type=_port, default=0,
                   help="the sandbox's port on 127.0.0.1 (default 0: any free port)")
    a = p.parse_args(argv)
    with _demo_env(a.out):
        return _run(a)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


@contextlib.contextmanager
def _demo_env(out: Path) -> Iterator[None]:
    """The demo's token and a state folder of its own (``OUT/state``: claims, markers,
    merged deals), for the demo alone: the sandbox starts afresh every time, and neither
    the claims a previous demo left (they would name its deals: each create then read one
    first, 984 getDeal calls) nor the demo's claims belong in the user's state folder. The
    caller's environment is as it was afterwards (x23 4: a library or test caller kept
    the demo's PDBULK_STATE_DIR and token)."""
    names = ("PIPEDRIVE_API_TOKEN", "PDBULK_STATE_DIR")
    before = {name: os.environ.get(name) for name in names}
    os.environ["PIPEDRIVE_API_TOKEN"] = TOKEN
    os.environ["PDBULK_STATE_DIR"] = str((out / "state").resolve())
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(a: argparse.Namespace) -> int:
    from jobs.demo_data import write_demo_export

    if a.out.exists():
        shutil.rmtree(a.out)
    export = write_demo_export(a.out, rows=a.rows, seed=a.seed, doubles=max(1, a.rows // 50))
    print(f"wrote a dirty HubSpot-style export: {export.manifest} ({export.rows} rows; "
          f"{export.broken} broken on purpose, {max(1, a.rows // 50)} entered twice in the "
          f"source CRM, {export.unknown_stage} with a stage Pipedrive "
          f"does not know) and its mapping: {export.mapping}")
    _show_dirt(export.manifest)
    engine = ["--url", "", "--plan", a.plan] + (["--oauth"] if a.oauth else [])
    started = time.monotonic()
    review: Path | None = None
    with sandbox_process(plan=a.plan, oauth=a.oauth, latency_ms=a.latency_ms,
                         jitter_ms=a.jitter_ms, deals=200, seed=a.seed, port=a.port) as url:
        engine[1] = url
        print(f"\nsandbox: a local Pipedrive at {url} ({a.plan} plan, "
              f"{'OAuth' if a.oauth else 'API token'}, {a.latency_ms:g}±{a.jitter_ms:g} ms "
              "latency, 200 deals with their persons and organizations already in it)")
        files = [str(export.manifest), "--mapping", str(export.mapping), "--create-key-field"]
        code = pdbulk(["plan", "import", *files, *engine, "--failed-csv",
                       str(a.out / "plan-failed.csv")])
        if code not in (0, 3):  # 3: some rows would fail (the broken ones, on purpose)
            return code
        jobs = a.out / "jobs"
        code = pdbulk(["import", *files, "--job-dir", str(jobs), *engine])
        review = _dedupe_step(a.out, a.out / "dedupe-jobs", engine) if code in (0, 3) else None
    job = next((d for d in sorted(jobs.iterdir()) if d.is_dir()), None) if jobs.exists() else None
    print(f"\ndemo finished in {time.monotonic() - started:.0f} s (the import's exit code {code}: "
          f"{ {0: 'every row imported', 3: 'some rows failed, see failed.csv'}.get(code, 'see above') })")
    if job is not None:
        print(f"result files in {job}/:")
        print("  succeeded.csv   row → Pipedrive deal id, created/updated/unchanged, person, org")
        print("  failed.csv      row → column and reason, with the original cells (fix, re-import)")
        print("  unprocessed.csv rows not attempted (empty unless the job stopped)")
        print("  summary.json    counts, tokens by operation, wall time, 429s")
        print(f"its state and spend: pdbulk status {job.name} --job-dir {jobs}")
    if review is not None:
        print(f"dedupe review page: {review} (open it in a browser; decide in groups.csv "
              "next to it, then `pdbulk dedupe apply` that folder)")
    return 0 if code in (0, 3) else code


def _dedupe_step(out: Path, jobs: Path, engine: list[str]) -> Path | None:
    """After the import: find the duplicate deals the export carried, write the plan and
    its review page, merge the duplicate band (at most 50 merges: a demo)."""
    plan_dir = out / "dedupe-plan"
    config = out / "dedupe.toml"
    # the export's double entries have two record ids in the source CRM, so the import gave
    # them two source keys; by default a source key is an identifier (different keys: never
    # merged, docs/dedupe-matching.md). This account's keys say nothing about sameness:
    config.write_text("# the source CRM gave each double entry its own record id: the\n"
                      "# import's source key does not tell deals apart here; External ID\n"
                      "# (the deals already in the account) still does\n"
                      "[match]\nidentifiers = [\"External ID\"]\n", encoding="utf-8")
    print(f"\ndedupe: looking for duplicate deals (list pages only; {config}: the source "
          "CRM's record ids are not identifiers here) ...")
    code = pdbulk(["dedupe", "plan", "--config", str(config), "-o", str(plan_dir),
                   "--job-dir", str(jobs), *engine])
    if code != 0:
        return None
    pdbulk(["dedupe", "apply", str(plan_dir), "--yes", "--max-merges", "50",
            "--job-dir", str(jobs), *engine])
    return plan_dir / "review.html"


if __name__ == "__main__":
    from bulk.stdio import run_main

    from .stdout import NOTE

    run_main(main, NOTE)  # ``make demo | head``: the demo runs to its end (x23r4 F3's guard)
