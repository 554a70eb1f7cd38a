"""x44r10 F2: the run stops once one cause no row's data explains counts REPEATS_TO_STOP of
the last 2 * REPEATS_TO_STOP refusals, not only 10 alike in a row: two custom fields (or two
options) deleted since the load, the rows naming one or the other in turn, never made "10 in
a row alike" (146 rows refused). Rows each refused for their own value still never stop.
The sandbox on a short window (time_scale 0.02) and a scripted ``MockTransport``: no real
sleep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.repeated import REPEATS_TO_STOP, WINDOW_FACTOR, RepeatedRefusal, Repeats
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore
from bulk.transport import AiohttpTransport

MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "{title}"
[custom_fields]
"Discount" = "disc"
"Renewal date" = "renewal"
"Lead source" = "source"
"""


class _DeletedAtFirstDeal:
    """The sandbox's transport, which deletes the custom fields ``fields`` and the options
    ``options`` (of "Lead source", by label) right before the first deal create leaves (an
    admin deleting them while the import runs)."""

    def __init__(self, sb: Any, fields: tuple[str, ...] = (),
                 options: tuple[str, ...] = ()) -> None:
        self.sb, self.fields, self.options = sb, fields, options
        self.inner = AiohttpTransport()

    async def send(self, request: Any) -> Any:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v2/deals"):
            state = self.sb.state.fields
            for code in [c for c, f in state.items() if f["field_name"] in self.fields]:
                del state[code]
            for field in state.values():
                if field["field_name"] == "Lead source":
                    field["options"] = [o for o in field["options"]
                                        if o["label"] not in self.options]
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _import(tmp: Path, lines: list[str], **deleted: tuple[str, ...]) -> tuple[Any, Any]:
    """Import ``lines`` (key,title,disc,renewal,source) into a sandbox with one worker, the
    ``deleted`` fields / options gone at the first deal create; (store, result)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping
    from tests.import_support import engine_config

    manifest, mapping = tmp / "in.csv", tmp / "m.toml"
    manifest.write_text("key,title,disc,renewal,source\n" + "".join(lines))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="insert", create_key_field=True)
        cfg = engine_config(sb, tmp / "jobs", max_workers=1)
        store = JobStore.create(tmp / "jobs" / "a", job_id="a", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        result = await import_job(store, ImportJob(store, settings, ""), Mapping.load(mapping),
                                  cfg, sb.token, say=lambda line: None,
                                  transport=_DeletedAtFirstDeal(sb, **deleted))
        return store, result


@pytest.mark.anyio
async def test_two_deleted_fields_named_in_turn_stop_the_run(tmp_path: Path) -> None:
    """Rows naming 'Discount' and 'Renewal date' in turn, both fields deleted mid-run: each
    refusal names its own field code, none a row value; before, the two texts broke each
    other's streak and all 60 rows were refused. Now REPEATS_TO_STOP refused, the rest
    pending."""
    lines = [f"k{i},Deal {i},{i},,\n" if i % 2 == 0 else f"k{i},Deal {i},,2026-01-{i % 28 + 1:02d},\n"
             for i in range(60)]
    store, result = await _import(tmp_path, lines, fields=("Discount", "Renewal date"))
    try:
        assert result.stopped and isinstance(result.error, RepeatedRefusal), result
        counts = store.counts()
        assert counts[ItemState.FAILED] == REPEATS_TO_STOP, counts
        assert counts[ItemState.PENDING] == 60 - REPEATS_TO_STOP, counts
        assert len(result.error.reasons) == 2, result.error.reasons  # both fields named
    finally:
        store.close()


@pytest.mark.anyio
async def test_two_deleted_options_named_in_turn_stop_the_run(tmp_path: Path) -> None:
    """Rows naming the options 'Website' and 'Referral' in turn, both deleted mid-run: each
    a cause of half the refusals, the run stops once one counts REPEATS_TO_STOP among the
    last 2 * REPEATS_TO_STOP (before: no stop, 60 of 60 refused)."""
    lines = [f"k{i},Deal {i},,,{'Website' if i % 2 == 0 else 'Referral'}\n" for i in range(60)]
    store, result = await _import(tmp_path, lines, options=("Website", "Referral"))
    try:
        assert result.stopped and isinstance(result.error, RepeatedRefusal), result
        counts = store.counts()
        assert counts[ItemState.FAILED] <= WINDOW_FACTOR * REPEATS_TO_STOP, counts
        assert counts[ItemState.PENDING] >= 60 - WINDOW_FACTOR * REPEATS_TO_STOP, counts
    finally:
        store.close()


@pytest.mark.anyio
async def test_an_option_deleted_that_a_third_of_the_rows_name_stops_the_run(
        tmp_path: Path) -> None:
    """One option deleted mid-run, named by every third row only, the other rows going
    through: before, each success started the count again, no stop, every row naming it
    refused (20 of 60); now the successes hide nothing (x45r4 F3): REPEATS_TO_STOP refused,
    the rest pending (a resume checks the account and names the option)."""
    lines = [f"k{i},Deal {i},,,{'Website' if i % 3 == 0 else 'Event'}\n" for i in range(60)]
    store, result = await _import(tmp_path, lines, options=("Website",))
    try:
        assert result.stopped and isinstance(result.error, RepeatedRefusal), result
        counts = store.counts()
        assert counts[ItemState.FAILED] == REPEATS_TO_STOP, counts
    finally:
        store.close()


def test_own_refusals_in_between_neither_hide_a_cause_nor_add_to_it() -> None:
    """Two deleted options cited in turn: the option cited by 10 of the last 19 refusals
    stops the run (before: never, each breaking the other's streak, and the reason marked
    the rows' own); 40 own e-mails never do, nor do seven options each cited by a seventh
    of the rows."""
    repeats, stop = Repeats(limit=10), None
    for n in range(40):
        option = 13 if n % 2 == 0 else 14
        stop = stop or repeats.refused("create", 400, f"400 option {option} does not exist "
                                       "(addDeal)", {"o": option, "t": f"T{n}"})
    assert stop is not None and "10 of the last 19 addDeal calls" in str(stop), stop
    repeats = Repeats(limit=10)
    for n in range(40):
        assert repeats.refused("create", 400, f"400 email: bad{n}@@x is not valid (addDeal)",
                               {"e": f"bad{n}@@x"}) is None
    for n in range(60):
        assert repeats.refused("create", 400, f"400 option {10 + n % 7} does not exist",
                               {"o": 10 + n % 7}) is None
