"""The ``pdbulk`` command: parse, build a config, call the library, print one clear line per error.

Exit codes (documented in README):
  0  every item done (or nothing to do)
  1  bad input or configuration (nothing was sent)
  2  usage error (unknown option, missing argument)
  3  the job finished but some rows failed (see failed.csv)
  4  the job stopped checkpointed (budget spent, API unreachable, interrupted): resume it
     (only when something is left to resume)
  5  authentication or permission failure (bad token, missing scope): fix the token
  6  busy: the job is held by another live process; try again later

No user error ends in a traceback: every exception below a command is turned into
one ``pdbulk: ...`` line and one of these codes (``SafeGroup``).

The API token is read from an environment variable (default PIPEDRIVE_API_TOKEN), never from
a command-line flag (a process list would show it), and never written anywhere.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
import orjson
import typer
import typer.core

from bulk.client import Secret, normalize_base_url
from bulk.coordinator import ENV_COORDINATOR, coordinator_url, open_coordinator
from bulk.engine import DEFAULT_URL, EngineConfig, Session, new_job_id, run_kind, session
from bulk.errors import (
    BulkError,
    CoordinatorLost,
    Forbidden,
    InputError,
    JobBusy,
    PaymentRequired,
    Unauthorized,
)
from bulk.plans import PLAN_NAMES
from bulk.progress import ProgressView
from bulk.runner import Runner, RunResult
from bulk.scheduler import BudgetPolicy
from bulk.store import (
    ACTIVE_STATUSES,
    ItemState,
    JobStore,
    held_by_live_process,
    list_jobs,
    private_tree,
)

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_ROWS_FAILED, EXIT_STOPPED = 0, 1, 2, 3, 4
EXIT_AUTH, EXIT_BUSY = 5, 6
AUTH_ERRORS = (Unauthorized, Forbidden, PaymentRequired)


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code of an error that ends a command (module docstring)."""
    if isinstance(exc, JobBusy):
        return EXIT_BUSY
    if isinstance(exc, AUTH_ERRORS):
        return EXIT_AUTH
    return EXIT_INPUT


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InputError | JobBusy):
        return str(exc)
    if isinstance(exc, Unauthorized):
        return f"authentication failed: {exc} (check the API token and --url)"
    if isinstance(exc, AUTH_ERRORS):
        return f"permission denied: {exc}"
    if isinstance(exc, BulkError):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return f"unexpected {type(exc).__name__}: {exc} (set PDBULK_DEBUG=1 for a traceback)"


def _display_type_rich(self: Any, ctx: Any) -> str | None:
    """Help shows a value's type only where it tells something: no ``<bool>`` on a flag,
    no ``<str>`` on free text (the help text says what goes there)."""
    if getattr(self, "metavar", None) is not None:
        return str(self.metavar)
    shown = self.display_type(ctx)
    return None if shown in ("<bool>", "<str>") else shown


for _cls in (typer.core.TyperOption, typer.core.TyperArgument):
    setattr(_cls, "display_type_rich", _display_type_rich)  # noqa: B010 - one place


class SafeGroup(typer.core.TyperGroup):
    """The CLI's one exception boundary: an error below a command becomes one line on
    stderr and its documented exit code, never a traceback (PDBULK_DEBUG=1 re-raises)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("typer"):  # usage errors: click prints them
                raise
            if os.environ.get("PDBULK_DEBUG"):
                raise
            typer.echo(f"pdbulk: {_describe(exc)}", err=True)
            raise typer.Exit(exit_code_for(exc)) from None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"pdbulk {version('pipedrive-bulk')}")
        except PackageNotFoundError:
            typer.echo("pdbulk (not installed)")
        raise typer.Exit()


app = typer.Typer(cls=SafeGroup, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False,
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
PlanName = Literal["lite", "growth", "professional", "premium", "ultimate"]  # = PLAN_NAMES
Plan = Annotated[PlanName, typer.Option(
    "--plan", help=f"Plan preset: {', '.join(PLAN_NAMES)} (your Pipedrive subscription).")]
Seats = Annotated[int, typer.Option("--seats", min=1, help="Seats (daily budget = 30,000 x plan x seats).")]
OAuth = Annotated[bool, typer.Option("--oauth", help="The token is an OAuth access token (4x burst).")]
Share = Annotated[float | None, typer.Option("--budget-share", min=0.0, max=1.0,
                                             help="Max share of today's company budget this job may use.")]
MaxTokens = Annotated[int | None, typer.Option("--max-tokens", min=1, help="Hard cap on tokens for this run.")]
WaitReset = Annotated[bool, typer.Option("--wait-for-reset",
                                         help="When the daily budget is spent, wait for the reset and go on.")]
JobArg = Annotated[str, typer.Argument(help="The job: its id (see `pdbulk jobs`) or folder.")]
Workers = Annotated[int, typer.Option("--workers", min=1, max=1024, help="Upper bound on concurrent calls.")]


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    typer.echo(f"pdbulk: {message}", err=True)
    return typer.Exit(code)


def read_token(env_name: str) -> str:
    """The API token from ``env_name``; exit 1 (never echoing it) when it is missing or
    holds a space, newline or other control character (it goes into a header)."""
    token = os.environ.get(env_name, "").strip()
    if not token:
        raise fail(f"no API token: set the environment variable {env_name}")
    try:
        Secret(token)
    except ValueError:
        raise fail(f"the API token in {env_name} holds a space, newline or other control "
                   "character (check for a stray line break when it was pasted)") from None
    return token


def check_url(url: str) -> str:
    """Refuse a bad ``--url`` before anything is written (exit 1). The message never
    echoes the URL: it may carry a credential."""
    try:
        return normalize_base_url(url)
    except ValueError as exc:
        raise fail(f"bad --url: {exc}") from None


def engine_config(*, url: str, plan: str, seats: int, oauth: bool, job_dir: Path,
                  share: float | None, max_tokens: int | None, wait_for_reset: bool,
                  workers: int) -> EngineConfig:
    """The engine configuration of a command; validates the URL and plan (exit 1)."""
    check_url(url)
    # PDBULK_WINDOW: the burst window in seconds, for a sandbox run with --time-scale
    # (2 s x scale); Pipedrive's own is 2 s (FACTS.md)
    window = float(os.environ.get("PDBULK_WINDOW") or 2.0)
    cfg = EngineConfig(base_url=url, auth="oauth" if oauth else "api_token", plan=plan,
                       seats=seats, job_root=job_dir, max_workers=workers, window=window,
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
    try:  # the runner sets the job's status (running, then stopped/finished) in a finally
        with ProgressView(total, label=label, already=already,
                          done_before=counts.get(ItemState.DONE, 0),
                          failed_before=counts.get(ItemState.FAILED, 0)) as view:
            def on_runner(r: Runner) -> None:
                box.append(r)
                view.scheduler = r.scheduler
            result = await run_kind(cfg, token, store, kind, on_runner=on_runner,
                                    on_progress=view.update, session=session)
            view.update(result.stats, final=True)
    finally:
        restore()
    after_run = getattr(kind, "after_run", None)  # e.g. rewrite the job's result files
    if after_run is not None:
        for line in after_run(store, result):
            typer.echo(line)
    private_tree(store.directory)  # whatever a kind wrote: 0700 / 0600
    return result


def finish(store: JobStore, result: RunResult) -> None:
    """Print the outcome line and exit with its code: 4 only when something is left to
    resume (pending or in-doubt items), 5 when the account refused the token."""
    counts = {state.value: n for state, n in result.counts.items() if n}
    typer.echo(f"job {store.job_id}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    left = result.counts.get(ItemState.PENDING, 0) + result.counts.get(ItemState.SENDING, 0)
    if result.stopped and left:
        why = str(result.error) if result.error else "interrupted"
        typer.echo(f"stopped: {why}", err=True)
        typer.echo(f"resume with: pdbulk resume {store.job_id} --job-dir {store.directory.parent}",
                   err=True)
        raise typer.Exit(EXIT_AUTH if isinstance(result.error, AUTH_ERRORS) else EXIT_STOPPED)
    if result.counts.get(ItemState.FAILED, 0):
        raise typer.Exit(EXIT_ROWS_FAILED)


# -- commands -------------------------------------------------------------------------------
_OFFLINE = {"jobs", "status", "sandbox", "init-mapping"}  # commands that never call the API


@app.callback()
def _shared(ctx: typer.Context, coordinator: Annotated[str | None, typer.Option(
        "--coordinator", envvar=ENV_COORDINATOR, show_default=False, metavar="URL",
        help="Share the account's limits with other pdbulk processes: redis://host:6379/0 "
             "(default: local, this process only).")] = None,
        version: Annotated[bool, typer.Option(
            "--version", callback=_version, is_eager=True,
            help="Print the version and exit.")] = False) -> None:
    """Options for every command. A coordinator that does not answer: exit 1, nothing sent."""
    url = coordinator_url(coordinator or "")
    if url is None:
        os.environ.pop(ENV_COORDINATOR, None)
        return
    os.environ[ENV_COORDINATOR] = url  # engine.connect reads it, for every job kind
    if ctx.invoked_subcommand in _OFFLINE:
        return
    try:
        open_coordinator(url)
        from bulk.coordinator_redis import check

        anyio.run(check, url)
    except (ValueError, CoordinatorLost) as exc:
        raise fail(str(exc)) from None


@app.command()
def jobs(job_dir: JobDir = Path("pdbulk-jobs")) -> None:
    """List the jobs in the job directory."""
    found = list_jobs(job_dir)
    if not found:
        typer.echo(f"no jobs in {job_dir}")
        return
    for job in found:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(job.counts.items()) if v)
        state = job.status
        if state in ACTIVE_STATUSES and not held_by_live_process(job.directory):
            state = "interrupted"  # its process is gone (kill -9, power cut): resume it
        typer.echo(f"{job.job_id}  {job.kind:<10} {state:<11} {counts}")


@app.command()
def status(job: JobArg,
           job_dir: JobDir = Path("pdbulk-jobs"),
           as_json: Annotated[bool, typer.Option(
               "--json", help="Machine-readable output on stdout.")] = False) -> None:
    """Counts by state, tokens spent and the last error of one job (also while it runs)."""
    store = JobStore.open(find_job(job_dir, job), lock=False)  # read-only: a run may hold it
    try:
        failed = [{"row": i.row, "key": i.key, "status": i.status, "error": i.error}
                  for _, i in zip(range(3), store.items(ItemState.FAILED), strict=False)]
        info = {
            "job": store.job_id, "kind": store.kind, "status": store.status,
            "state": store.liveness(),  # "running" whose process is gone says so
            "message": store.status_message,
            "counts": {s.value: n for s, n in store.counts().items()},
            "tokens_by_day": store.spend_by_day(),
            "tokens_by_operation": {k: v[0] for k, v in store.spend_by_operation().items()},
            "first_failed": failed,
        }
        window = float(store.config.get("engine", {}).get("window", 2.0))
    finally:
        store.close()
    info["coordinator"] = _shared_picture(window)
    if as_json:
        typer.echo(orjson.dumps(info, option=orjson.OPT_INDENT_2).decode())
        return
    counts: dict[str, int] = info["counts"]  # type: ignore[assignment]
    by_op: dict[str, int] = info["tokens_by_operation"]  # type: ignore[assignment]
    by_day: dict[str, int] = info["tokens_by_day"]  # type: ignore[assignment]
    typer.echo(f"job {info['job']} ({info['kind']}): {info['state']}")
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
    shared: dict[str, Any] | None = info["coordinator"]  # type: ignore[assignment]
    if shared is not None:
        if "error" in shared:
            typer.echo(f"coordinator: {shared['error']}")
        for company, c in shared["companies"].items():
            typer.echo(f"account {company} (all processes): {c['processes']} active, "
                       f"{c['tokens_today']:,} tokens today")
        for fp, t in shared["tokens"].items():
            typer.echo(f"token …{fp[-6:]}: {t['window_fill']} requests in the burst window")


def _shared_picture(window: float) -> dict[str, Any] | None:
    """With a shared coordinator: the account-wide picture (every process), else None."""
    url = coordinator_url()
    if url is None:
        return None
    from bulk.coordinator_redis import snapshot

    try:
        picture: dict[str, Any] = anyio.run(
            lambda: snapshot(url, wall=time.time(), window=window * (1 + 1 / 64)))
    except (ValueError, CoordinatorLost) as exc:
        return {"error": str(exc), "companies": {}, "tokens": {}}
    return picture


@app.command()
def resume(job: JobArg, job_dir: JobDir = Path("pdbulk-jobs"),
           token_env: TokenEnv = "PIPEDRIVE_API_TOKEN") -> None:
    """Finish a stopped or crashed job (in-doubt items are reconciled first)."""
    from jobs import kind_for  # the job kinds live above the engine

    token = read_token(token_env)
    store = JobStore.open(find_job(job_dir, job))
    try:
        if store.status in ("cancelled", "failed"):
            raise fail(f"job {store.job_id} is {store.status} "
                       f"({store.status_message or 'nothing was sent'}); it cannot be resumed: "
                       "start a new job")
        cfg = EngineConfig.from_json(store.config["engine"])
        kind = kind_for(store)
        before = getattr(kind, "before_resume", None)  # e.g. re-decide from fresh reads

        async def resuming() -> RunResult:
            async with session(cfg, token, store) as s:
                if before is not None:
                    for line in await before(s.ctx, store):
                        typer.echo(line)
                return await execute_async(store, kind, cfg, token, label=store.kind,
                                           session=s)
        finish(store, anyio.run(resuming))
    finally:
        store.close()


@app.command()
def retry(job: JobArg, job_dir: JobDir = Path("pdbulk-jobs"),
          token_env: TokenEnv = "PIPEDRIVE_API_TOKEN") -> None:
    """Send the failed rows of a job again (after fixing the data or the account)."""
    store = JobStore.open(find_job(job_dir, job))
    try:
        if store.status in ("cancelled", "failed"):
            raise fail(f"job {store.job_id} is {store.status}; it cannot be retried: "
                       "start a new job")
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
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; "
                                           "any other needs --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 = any free port).")] = 8700,
    token: Annotated[str, typer.Option(
        envvar="PDBULK_SANDBOX_TOKEN",
        help="The API token the sandbox accepts (off loopback: one of your own, 16+ "
             "characters; the admin API then requires it too).")] = "sandbox-token",
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow a --host that is not loopback (other machines can "
                               "then reach the sandbox and its data).")] = False,
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
    from bulk.sandbox import Faults, SandboxConfig, run_blocking

    try:
        fault_cfg = Faults(latency_ms=latency_ms, latency_jitter_ms=jitter_ms, **parse_faults(faults))
    except (ValueError, TypeError) as exc:
        raise fail(f"bad --faults: {exc}") from None
    try:
        config = SandboxConfig(host=host, port=port, token=token, plan=plan,
                               auth="oauth" if oauth else "api_token",
                               oauth_token=token if oauth else None, seats=seats,
                               time_scale=time_scale, seed=seed, deals=deals, faults=fault_cfg,
                               daily_tokens=daily_tokens, state_file=state_file,
                               allow_remote=allow_remote)
    except ValueError as exc:
        raise fail(f"sandbox: {exc}") from None
    run_blocking(config)


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
from . import cli_dedupe, cli_import, cli_ops  # noqa: E402, F401


def hoist_global_options(argv: list[str]) -> list[str]:
    """``--coordinator URL`` is accepted after the command too (``pdbulk import … --coordinator
    URL``): it is moved in front of it, where the app-wide option is parsed."""
    out, front, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out += argv[i:]
            break
        if arg == "--coordinator" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if arg.startswith("--coordinator="):
            front.append(arg)
        else:
            out.append(arg)
        i += 1
    return front + out


def main() -> None:
    try:
        app(args=hoist_global_options(sys.argv[1:]))
    except Exception as exc:  # SafeGroup handles commands; this covers the rest
        if os.environ.get("PDBULK_DEBUG"):
            raise
        typer.echo(f"pdbulk: {_describe(exc)}", err=True)
        sys.exit(exit_code_for(exc))


__all__ = ["app", "main"]
