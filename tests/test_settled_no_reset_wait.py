"""A run whose rows are all settled does not wait for the next daily reset only for its
end-of-run checks (the kind's ``settled``: an import's doubles check): with
``--wait-for-reset`` a spent budget refuses them as without it, the kind says the check
could not be made, and the run ends finished (x51r5 F4: an import resumed with the flag,
its 80 rows done, waited for the reset and was killed by ``timeout``; without the flag it
said "could not be made" and exited 0).

A sandbox served from a thread (system clock); the budget is spent by the rows' own calls."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from bulk.calls import CallContext
from bulk.engine import Engine, EngineConfig
from bulk.errors import BudgetExhausted
from bulk.sandbox import SandboxConfig
from bulk.scheduler import BudgetPolicy
from bulk.store import ItemState, JobStore
from jobs.touch import TouchJob, touch_items
from tests.sandbox_helpers import threaded_sandbox

pytestmark = pytest.mark.anyio
DAILY = 35  # tokens: 7 touches (5 each), the whole day (no GET /users/me without a coordinator)


class _CheckedTouch(TouchJob):
    """A touch job with an end-of-run check that reads one deal (as an import's doubles
    check lists deals): refused by a spent budget, it says so."""

    def __init__(self) -> None:
        self.check: str | None = None

    async def settled(self, ctx: CallContext) -> None:
        try:
            await ctx.call("getDeal", path={"id": 1})
            self.check = "made"
        except BudgetExhausted as exc:
            self.check = f"could not be made ({exc})"


@pytest.mark.parametrize("wait", [False, True])
async def test_the_end_of_run_check_of_a_settled_run_never_waits_for_the_reset(
        tmp_path: Path, wait: bool) -> None:
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path,
                                budget=BudgetPolicy(wait_for_reset=wait))
        store = JobStore.create(tmp_path / "job", job_id="job", kind="touch",
                                config={"engine": settings.to_json()})
        store.add_items(touch_items(range(1, 8), {"value": 7}))
        kind = _CheckedTouch()
        try:
            with anyio.fail_after(30):  # (before, with the flag: a wait to the half hour)
                async with Engine.open(settings, sb.token, store=store) as e:
                    result = await e.run(kind)
        finally:
            store.close()
    assert result.counts[ItemState.DONE] == 7, result
    assert not result.stopped and result.error is None, result
    assert kind.check is not None and kind.check.startswith("could not be made"), kind.check
