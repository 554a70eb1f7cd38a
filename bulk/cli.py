"""The ``pdbulk`` command: parse, build a config, call the library, print one clear line per error.

Exit codes (documented in README):
  0  every item done (or nothing to do)
  1  bad input or configuration (nothing was sent)
  2  usage error (unknown option, missing argument)
  3  the job finished but some rows failed (see failed.csv)
  4  the job stopped checkpointed (budget spent, terminal API error, interrupted): resume it

The API token is read from an environment variable (default PIPEDRIVE_API_TOKEN), never from
a command-line flag (a process list would show it), and never written anywhere.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import anyio
import orjson
import typer

from .engine import DEFAULT_URL, EngineConfig, Session, new_job_id, run_kind
from .errors import BulkError, InputError
from .plans import PLAN_NAMES
from .progress import ProgressView
from .runner import Runner, RunResult
from .scheduler import BudgetPolicy
from .store import ItemState, JobStore, list_jobs

EXIT_OK, EXIT_INPUT, EXIT_ROWS_FAILED, EXIT_STOPPED = 0, 1, 3, 4

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Bulk operations for the Pipedrive API: fast, cheap, exactly once.")
plan_app = typer.Typer(no_args_is_help=True,
                       help="Show what a job would do (calls, tokens, time) without writing anything.")
app.add_typer(plan_app, name="plan")


# -- shared options -------------------------------------------------------------------------
JobDir = Annotated[Path, typer.Option("--job-dir", envvar="PDBULK_JOB_DIR",
                                      help="Where job folders live.")]
Url = Annotated[str, typer.Option("--url", envvar="PIPEDRIVE_URL",
                                  help="Pipedrive origin (https://COMPANY.pipedrive.com) or sandbox URL.")]
TokenEnv = Annotated[str, typer.Option("--token-env", help="Environment variable holding the API token.")]
Plan = Annotated[str, typer.Option("--plan", help=f"Plan preset: {', '.join(PLAN_NAMES)}.")]
Seats = Annotated[int, typer.Option("--seats", min=1, help="Seats (daily budget = 30,000 x plan x seats).")]
OAuth = Annotated[bool, typer.Option("--oauth", help="The token is an OAuth access token (4x burst).")]
Share = Annotated[float | None, typer.Option("--budget-share", min=0.0, max=1.0,
                                             help="Max share of today's company budget this job may use.")]
MaxTokens = Annotated[int | None, typer.Option("--max-tokens", min=1, help="Hard cap on tokens for this run.")]
WaitReset = Annotated[bool, typer.Option("--wait-for-reset",
                                         help="When the daily budget is spent, wait for the reset and go on.")]
Workers = Annotated[int, typer.Option("--workers", min=1, max=1024, help="Upper bound on concurrent calls.")]


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    typer.echo(f"pdbulk: {message}", err=True)
    return typer.Exit(code)


def read_token(env_name: str) -> str:
    token = os.environ.get(env_name, "").strip()
    if not token:
        raise fail(f"no API token: set the environment variable {env_name}")
    return token


def engine_config(*, url: str, plan: str, seats: int, oauth: bool, job_dir: Path,
                  share: float | None, max_tokens: int | None, wait_for_reset: bool,
                  workers: int) -> EngineConfig:
    cfg = EngineConfig(base_url=url, auth="oauth" if oauth else "api_token", plan=plan,
                       seats=seats, job_root=job_dir, max_workers=workers,
                       budget=BudgetPolicy(max_tokens=max_tokens, share=share,
                                           wait_for_reset=wait_for_reset))
    try:
        cfg.limits()
    except ValueError as exc:
        raise fail(str(exc)) from None
    return cfg


def find_job(job_dir: Path, job: str) -> Path:
    path = Path(job)
    if (path / "job.sqlite").exists():
        return path
    if (job_dir / job / "job.sqlite").exists():
        return job_dir / job
    raise fail(f"no job {job!r} in {job_dir} (see `pdbulk jobs`)")


def _install_stop(runner_box: list[Runner]) -> Callable[[], None]:
    """SIGINT/SIGTERM → stop admitting; a second SIGINT aborts at once."""
    hits = {"n": 0}

    def handler(signum: int, frame: Any) -> None:
        hits["n"] += 1
        if hits["n"] > 1 or not runner_box:
            raise KeyboardInterrupt
        typer.echo("\npdbulk: stopping — finishing calls in flight (Ctrl-C again to abort)", err=True)
        runner_box[0].request_stop()

    old_int = signal.signal(signal.SIGINT, handler)
    old_term = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    return restore


def execute(store: JobStore, kind: Any, cfg: EngineConfig, token: str, *,
            label: str = "items") -> RunResult:
    """Run a job with progress and signal handling; print the outcome line."""
    return anyio.run(lambda: execute_async(store, kind, cfg, token, label=label))


async def execute_async(store: JobStore, kind: Any, cfg: EngineConfig, token: str, *,
                        label: str = "items", session: Session | None = None) -> RunResult:
    """``execute`` on a running loop; with ``session``, on its client and scheduler (a job
    whose load phase ran in that session keeps one view of the rate limits)."""
    counts = store.counts()
    total = sum(counts.values())
    already = counts.get(ItemState.DONE, 0) + counts.get(ItemState.FAILED, 0) + counts.get(
        ItemState.SKIPPED, 0)
    box: list[Runner] = []
    restore = _install_stop(box)
    store.set_status("running")
    try:
        with ProgressView(total, label=label, already=already) as view:
            def on_runner(r: Runner) -> None:
                box.append(r)
                view.scheduler = r.scheduler
            result = await run_kind(cfg, token, store, kind, on_runner=on_runner,
                                    on_progress=view.update, session=session)
            view.update(result.stats, final=True)
    finally:
        restore()
    store.set_status("stopped" if result.stopped else "finished",
                     str(result.error) if result.error else None)
    after_run = getattr(kind, "after_run", None)  # e.g. rewrite the job's result files
    if after_run is not None:
        for line in after_run(store, result):
            typer.echo(line)
    return result


def finish(store: JobStore, result: RunResult) -> None:
    counts = {state.value: n for state, n in result.counts.items() if n}
    typer.echo(f"job {store.job_id}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if result.stopped:
        why = str(result.error) if result.error else "interrupted"
        typer.echo(f"stopped: {why}", err=True)
        typer.echo(f"resume with: pdbulk resume {store.job_id} --job-dir {store.directory.parent}",
                   err=True)
        raise typer.Exit(EXIT_STOPPED)
    if result.counts.get(ItemState.FAILED, 0):
        raise typer.Exit(EXIT_ROWS_FAILED)


# -- commands -------------------------------------------------------------------------------
@app.command()
def jobs(job_dir: JobDir = Path("pdbulk-jobs")) -> None:
    """List the jobs in the job directory."""
    found = list_jobs(job_dir)
    if not found:
        typer.echo(f"no jobs in {job_dir}")
        return
    for job in found:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(job.counts.items()) if v)
        typer.echo(f"{job.job_id}  {job.kind:<10} {job.status:<9} {counts}")


@app.command()
def status(job: str, job_dir: JobDir = Path("pdbulk-jobs"),
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts by state, tokens spent and the last error of one job (also while it runs)."""
    store = JobStore.open(find_job(job_dir, job), lock=False)  # read-only: a run may hold it
    try:
        failed = [{"row": i.row, "key": i.key, "status": i.status, "error": i.error}
                  for _, i in zip(range(3), store.items(ItemState.FAILED), strict=False)]
        info = {
            "job": store.job_id, "kind": store.kind, "status": store.status,
            "message": store.status_message,
            "counts": {s.value: n for s, n in store.counts().items()},
            "tokens_by_day": store.spend_by_day(),
            "tokens_by_operation": {k: v[0] for k, v in store.spend_by_operation().items()},
            "first_failed": failed,
        }
    finally:
        store.close()
    if as_json:
        typer.echo(orjson.dumps(info, option=orjson.OPT_INDENT_2).decode())
        return
    counts: dict[str, int] = info["counts"]  # type: ignore[assignment]
    by_op: dict[str, int] = info["tokens_by_operation"]  # type: ignore[assignment]
    by_day: dict[str, int] = info["tokens_by_day"]  # type: ignore[assignment]
    typer.echo(f"job {info['job']} ({info['kind']}): {info['status']}")
    if info["message"]:
        typer.echo(f"last error: {info['message']}")
    typer.echo("items: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)
               + f" (total {sum(counts.values()):,})")
    typer.echo(f"tokens: {sum(by_op.values()):,} — "
               + ", ".join(f"{day}: {n:,}" for day, n in sorted(by_day.items())))
    if by_op:
        typer.echo("  " + ", ".join(f"{op} {n:,}" for op, n in
                                    sorted(by_op.items(), key=lambda kv: -kv[1])))
    for item in failed:
        typer.echo(f"failed: row {item['row']} ({item['key']}): {item['error']}")


@app.command()
def resume(job: str, job_dir: JobDir = Path("pdbulk-jobs"),
           token_env: TokenEnv = "PIPEDRIVE_API_TOKEN") -> None:
    """Finish a stopped or crashed job (in-doubt items are reconciled first)."""
    from jobs import kind_for  # the job kinds live above the engine

    token = read_token(token_env)
    store = JobStore.open(find_job(job_dir, job))
    try:
        cfg = EngineConfig.from_json(store.config["engine"])
        finish(store, execute(store, kind_for(store), cfg, token))
    finally:
        store.close()


@app.command()
def retry(job: str, job_dir: JobDir = Path("pdbulk-jobs"),
          token_env: TokenEnv = "PIPEDRIVE_API_TOKEN") -> None:
    """Send the failed rows of a job again (after fixing the data or the account)."""
    store = JobStore.open(find_job(job_dir, job))
    try:
        n = store.failed_to_pending()
        typer.echo(f"{n} failed items back to pending")
    finally:
        store.close()
    resume(job, job_dir, token_env)


@app.command(hidden=True)
def touch(ids: Annotated[str, typer.Option(help="Comma-separated deal ids, or @FILE (one per line).")],
          set_: Annotated[list[str], typer.Option("--set", help="field=value (JSON value)")],
          url: Url = DEFAULT_URL, token_env: TokenEnv = "PIPEDRIVE_API_TOKEN",
          plan: Plan = "growth", seats: Seats = 1, oauth: OAuth = False,
          job_dir: JobDir = Path("pdbulk-jobs"), budget_share: Share = None,
          max_tokens: MaxTokens = None, wait_for_reset: WaitReset = False,
          workers: Workers = 64) -> None:
    """PATCH the same fields onto a list of deals (engine test job)."""
    from jobs.touch import TouchJob, touch_items

    token = read_token(token_env)
    raw = Path(ids[1:]).read_text().split() if ids.startswith("@") else ids.split(",")
    try:
        deal_ids = [int(x) for x in raw if x.strip()]
        fields = {k: orjson.loads(v) for k, v in (s.split("=", 1) for s in set_)}
    except ValueError as exc:
        raise fail(f"bad --ids or --set: {exc}") from None
    cfg = engine_config(url=url, plan=plan, seats=seats, oauth=oauth, job_dir=job_dir,
                        share=budget_share, max_tokens=max_tokens, wait_for_reset=wait_for_reset,
                        workers=workers)
    job_id = new_job_id("touch")
    store = JobStore.create(job_dir / job_id, job_id=job_id, kind="touch",
                            config={"engine": cfg.to_json()})
    try:
        store.add_items(touch_items(deal_ids, fields))
        typer.echo(f"job {job_id}: {len(deal_ids)} deals")
        finish(store, execute(store, TouchJob(), cfg, token, label="touch"))
    finally:
        store.close()


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 = any free port).")] = 8700,
    token: Annotated[str, typer.Option(help="The API token the sandbox accepts.")] = "sandbox-token",
    plan: Plan = "growth", oauth: OAuth = False, seats: Seats = 1,
    latency_ms: Annotated[float, typer.Option(help="Mean latency per request.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(help="Latency jitter (uniform ±).")] = 0.0,
    faults: Annotated[str, typer.Option(help="e.g. 'error=0.05,drop=0.01,lost=0.01,storm=30:3,"
                                             "no-rate-headers,no-daily-headers,search-lag=2'")] = "",
    seed: Annotated[int, typer.Option(help="Seed for generated data and faults.")] = 0,
    deals: Annotated[int, typer.Option(help="Pre-existing deals to generate.")] = 0,
    time_scale: Annotated[float, typer.Option(help="Window length multiplier (2 s x scale).")] = 1.0,
    daily_tokens: Annotated[int | None, typer.Option(help="Override the daily token budget.")] = None,
    state_file: Annotated[Path | None, typer.Option(help="Load/save the account state here.")] = None,
) -> None:
    """Run the local Pipedrive sandbox (prints its URL and token)."""
    from .sandbox import Faults, SandboxConfig, run_blocking

    try:
        fault_cfg = Faults(latency_ms=latency_ms, latency_jitter_ms=jitter_ms, **parse_faults(faults))
    except (ValueError, TypeError) as exc:
        raise fail(f"bad --faults: {exc}") from None
    run_blocking(SandboxConfig(host=host, port=port, token=token, plan=plan,
                               auth="oauth" if oauth else "api_token",
                               oauth_token=token if oauth else None, seats=seats,
                               time_scale=time_scale, seed=seed, deals=deals, faults=fault_cfg,
                               daily_tokens=daily_tokens, state_file=state_file))


_FAULT_KEYS = {"error": "error_rate", "drop": "drop_rate", "lost": "lost_response_rate",
               "search-lag": "search_lag"}


def parse_faults(spec: str) -> dict[str, Any]:
    """'error=0.05,storm=30:3,no-rate-headers' → Faults keyword arguments."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name in _FAULT_KEYS:
            out[_FAULT_KEYS[name]] = float(value)
        elif name == "storm":
            every, _, length = value.partition(":")
            out["storm_every"], out["storm_length"] = float(every), float(length or 1)
        elif name in ("no-rate-headers", "no-daily-headers"):
            out[name.replace("-", "_")] = True
        else:
            raise ValueError(f"unknown fault {name!r}")
    return out


# The job kinds add their commands (import, update, move-stage, merge, undo, plan ...).
from jobs import cli_import, cli_ops  # noqa: E402, F401
from jobs.dedupe import command as dedupe_command  # noqa: E402, F401


def main() -> None:
    try:
        app()
    except InputError as exc:
        typer.echo(f"pdbulk: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except BulkError as exc:
        typer.echo(f"pdbulk: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_STOPPED if exc.terminal else EXIT_INPUT)


__all__ = ["app", "main"]
