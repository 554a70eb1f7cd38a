"""A run killed -9 and never resumed leaves its claims held by a dead process, naming
nothing: the next import takes them over and looks each key up first (a scan of the deals
added since, both lists; a read of the persons / organizations added since for each such
contact). Its plan counts those reads, so `--max-tokens <plan>` lets it finish (x29r2 F2:
30-70 tokens short, the run stopped short 2 of 2)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bulk.claims_local import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from jobs.demo_data import write_demo_export
from tests.import_support import api_engine, engine_config, import_once

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}


async def _plan(sb: Any, tmp: Path, manifest: Path, mapping: Path, mode: str) -> Any:
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping

    settings = ImportSettings(str(manifest), str(mapping), mode)
    async with api_engine(sb, tmp) as runner:
        plan, _ = await plan_import(runner.ctx, settings, Mapping.load(mapping),
                                    engine_config(sb, tmp).limits(), stats=runner.stats,
                                    scheduler=runner.scheduler.statistics, base_url=sb.url)
    return plan


def _first_rows(manifest: Path, n: int, to: Path) -> Path:
    """``manifest``'s header and first ``n`` records, as a CSV file ``to``."""
    with open(manifest, encoding="utf-8-sig", newline="") as f:
        records = list(csv.reader(f))
    with open(to, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(records[:n + 1])
    return to


def _spent(sb: Any) -> Counter[str]:
    return Counter(sb.stats()["requests_by_operation"])


@pytest.mark.parametrize("mode", ["insert", "upsert"])
async def test_the_plan_counts_the_look_ups_of_a_dead_runs_claims(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """A dead run holds the claims of every create the next import makes (its deals, its
    new persons and organizations): the plan's tokens equal the tokens the import spends,
    call for call."""
    both = write_demo_export(tmp_path / "b", rows=30, broken=0, unknown_stage=0, seed=3,
                             persons=30)
    first = _first_rows(both.manifest, 20, tmp_path / "first.csv")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        done, _, _ = await import_once(sb, tmp_path / "jobs", first, both.mapping,
                                       mode=mode, job_id="first")
        done.close()
        # the names of the claims the next import's creates take: those its plan reads
        asked: list[str] = []
        outcomes = LocalClaims.outcomes

        async def recorded(self: LocalClaims, names: Sequence[str]) -> Any:
            asked.extend(names)
            return await outcomes(self, names)

        with monkeypatch.context() as patch:
            patch.setattr(LocalClaims, "outcomes", recorded)
            await _plan(sb, tmp_path / "p0", both.manifest, both.mapping, mode)
        assert len(asked) > 10  # 10 deals, and their new persons / organizations
        # a run that claimed them all and was killed before it sent anything: held by a
        # holder that is gone (its claims closed, as a dead process's)
        dead = LocalClaims()
        await dead.acquire_many(asked, tag="killed")
        dead.close()

        plan = await _plan(sb, tmp_path / "p1", both.manifest, both.mapping, mode)
        before = _spent(sb)
        again, result, _ = await import_once(sb, tmp_path / "jobs", both.manifest,
                                             both.mapping, mode=mode, job_id="again",
                                             create_key_field=False)
        again.close()
        made = _spent(sb) - before
    assert not result.stopped
    assert made["getPersons"] >= 2 and made["getArchivedDeals"] == 2, made  # taken over
    assert dict(made) == plan.calls, (dict(made), plan.calls)


async def test_with_max_tokens_at_its_plan_the_run_after_a_kill_finishes(
        tmp_path: Path) -> None:
    """`--max-tokens <plan>` after a dead run's claims: the import is not stopped short."""
    from bulk.scheduler import BudgetPolicy

    both = write_demo_export(tmp_path / "b", rows=30, broken=0, unknown_stage=0, seed=5)
    first = _first_rows(both.manifest, 20, tmp_path / "first.csv")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        done, _, _ = await import_once(sb, tmp_path / "jobs", first, both.mapping,
                                       mode="insert", job_id="first")
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Import source key")
        done.close()
        from jobs.importing import claim_name

        text = both.manifest.read_text(encoding="utf-8-sig")
        keys = [row["Record ID"] for row in csv.DictReader(io.StringIO(text))][20:]
        dead = LocalClaims()
        await dead.acquire_many([claim_name(code, k) for k in keys], tag="killed")
        dead.close()
        plan = await _plan(sb, tmp_path / "p1", both.manifest, both.mapping, "insert")
        again, result, _ = await import_once(
            sb, tmp_path / "jobs", both.manifest, both.mapping, mode="insert",
            job_id="again", create_key_field=False,
            budget=BudgetPolicy(max_tokens=plan.tokens))
        created = sum(1 for i in again.items()
                      if i.result and i.result.get("action") == "created")
        again.close()
    assert not result.stopped and created == 10, (result, created)


@pytest.mark.parametrize("mode", ["insert", "upsert"])
async def test_under_redis_the_plan_counts_a_dead_runs_claims_exactly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """Under a Redis coordinator (each claim on this machine and in Redis: ``DualClaims``)
    a dead run's claims cost the next import what its plan says, call for call (f31c: the
    plan also counted a young claims state's shared scan of the persons for creates that
    each look their key up alone: getPersons 6 planned, 5 read)."""
    from bulk.claims_open import DualClaims, open_claims
    from bulk.coordinator import ENV_COORDINATOR
    from tests.redis_helpers import running_redis

    both = write_demo_export(tmp_path / "b", rows=30, broken=0, unknown_stage=0, seed=3,
                             persons=30)
    first = _first_rows(both.manifest, 20, tmp_path / "first.csv")
    with running_redis() as server:
        monkeypatch.setenv(ENV_COORDINATOR, server.url)
        async with serve(SandboxConfig(deals=0, **FAST)) as sb:
            done, _, _ = await import_once(sb, tmp_path / "jobs", first, both.mapping,
                                           mode=mode, job_id="first")
            done.close()
            asked: list[str] = []
            outcomes = DualClaims.outcomes

            async def recorded(self: DualClaims, names: Sequence[str]) -> Any:
                asked.extend(names)
                return await outcomes(self, names)

            with monkeypatch.context() as patch:
                patch.setattr(DualClaims, "outcomes", recorded)
                await _plan(sb, tmp_path / "p0", both.manifest, both.mapping, mode)
            assert len(asked) > 10
            async with api_engine(sb, tmp_path / "dead"):  # the company bound, as a run's
                dead = open_claims()
                await dead.acquire_many(asked, tag="killed")
                await dead.aclose()  # closed: a dead process's, to this one

            plan = await _plan(sb, tmp_path / "p1", both.manifest, both.mapping, mode)
            before = _spent(sb)
            again, result, _ = await import_once(sb, tmp_path / "jobs", both.manifest,
                                                 both.mapping, mode=mode, job_id="again",
                                                 create_key_field=False)
            again.close()
            made = _spent(sb) - before
    assert not result.stopped
    assert made["getPersons"] >= 2 and made["getArchivedDeals"] == 2, made  # taken over
    assert dict(made) == plan.calls, (dict(made), plan.calls)


async def test_under_a_young_redis_state_persons_by_name_alone_are_not_scanned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis claims born less than a lease ago (a fresh coordinator) make each create look
    its key up first, persons too — but a person by name alone links to nothing another
    job made, so it looks nothing up: the plan counts no scan for it (f31c: getPersons 2
    planned, 1 read)."""
    from bulk.coordinator import ENV_COORDINATOR
    from tests.redis_helpers import running_redis

    both = write_demo_export(tmp_path / "b", rows=30, broken=0, unknown_stage=0, seed=3,
                             persons=30)
    text = both.mapping.read_text(encoding="utf-8")
    for part in ('email = "Email"\nphone = "Phone"\n',
                 '[organization]\nname = "Company"\naddress = "Company Address"\n'):
        assert part in text
        text = text.replace(part, "")
    both.mapping.write_text(text, encoding="utf-8")
    first = _first_rows(both.manifest, 20, tmp_path / "first.csv")
    with running_redis() as server:
        monkeypatch.setenv(ENV_COORDINATOR, server.url)
        async with serve(SandboxConfig(deals=0, **FAST)) as sb:
            done, _, _ = await import_once(sb, tmp_path / "jobs", first, both.mapping,
                                           job_id="first")
            done.close()
            plan = await _plan(sb, tmp_path / "p1", both.manifest, both.mapping, "upsert")
            before = _spent(sb)
            again, result, _ = await import_once(sb, tmp_path / "jobs", both.manifest,
                                                 both.mapping, job_id="again",
                                                 create_key_field=False)
            again.close()
            made = _spent(sb) - before
    assert not result.stopped and made["addPerson"] > 0, made
    assert dict(made) == plan.calls, (dict(made), plan.calls)
