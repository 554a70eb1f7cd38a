"""Pipedrive's own deals export imported with ``[import]`` into the SAME account (z55r1 F5:
``addDeal 250`` — a copy of each of 250 live deals — exit 0, unsaid; 450 of 450): its plan
warns first (``WARNING: own export?``, ``--json`` ``own_export``) and ``pdbulk import``
refuses it before any write, exit 1, the key field not made, unless ``--copy-own-deals``
(the rule: ``jobs.own_export``).

The grid, each on its own sandbox: the account's own export (key field missing: one
``getDeals`` read of the sampled ids; key field there: the titles the insert's list of
the deals reads anyway, 0 calls; an upsert: its index, 0 calls) / another account's export
whose ids are no deals here / half its deals deleted since / another account's ids that
happen to be deals here (other titles) / a key column not named as an id (no read) — and a
seeded generator of titles and ids for the pure rule.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import SandboxConfig
from jobs.own_export import LEAST, SAMPLE, deal_id, judge, sampled
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

MAPPING = """version = 1
[import]
key_column = "{key}"
key_field = "Import source key"
mode = "{mode}"
[deal]
title = "Deal - Title"
value = "Deal - Value"
"""
ROWS = 120


def _box(seed: int) -> ThreadedSandbox:
    return ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=seed,
                                         deals=ROWS))


def _export(deals: list[dict[str, Any]], path: Path, *, key: str = "Deal - ID",
            offset: int = 0) -> Path:
    """Pipedrive's deals export of ``deals`` (ids + ``offset``: another account's ids)."""
    lines = [f"{key},Deal - Title,Deal - Value\n"] + [
        f"{d['id'] + offset},\"{d['title']}\",{d['value']}\n"
        for d in sorted(deals, key=lambda d: d["id"])]
    path.write_text("".join(lines))
    return path


def _mapping(path: Path, *, key: str = "Deal - ID", mode: str = "insert") -> Path:
    path.write_text(MAPPING.format(key=key, mode=mode))
    return path


def _plan(sb: ThreadedSandbox, tmp: Path, manifest: Path, mapping: Path,
          *extra: str) -> dict[str, Any]:
    res = cli(sb, tmp / "jobs", "plan", "import", str(manifest), "--mapping", str(mapping),
              "--json", *extra, *engine(sb, tmp / "jobs"))
    assert res.exit_code == 0, res.output
    plan: dict[str, Any] = orjson.loads(res.stdout)
    return plan


def _key_field(sb: ThreadedSandbox) -> bool:
    return any(f["field_name"] == "Import source key" for f in sb.state.fields.values())


def test_the_own_export_is_warned_of_and_refused_before_any_write(tmp_path: Path) -> None:
    with _box(9) as sb:
        before = len(sandbox_deals(sb))
        manifest = _export(sandbox_deals(sb), tmp_path / "pd.csv")
        mapping = _mapping(tmp_path / "m.toml")
        plan = _plan(sb, tmp_path, manifest, mapping, "--create-key-field")
        own = plan["own_export"]
        assert own is not None and own["refuses"], own
        assert (own["count"], own["compared"], own["calls"]) == (SAMPLE, SAMPLE, 1)
        assert plan["notes"][0].startswith(f"WARNING: own export? {SAMPLE} of {SAMPLE} rows")
        assert "[update]" in plan["notes"][0] and "--copy-own-deals" in plan["notes"][0]
        assert "1 getDeals read (10 tokens)" in plan["notes"][0]  # its cost, said
        res = cli(sb, tmp_path / "jobs", "import", str(manifest), "--mapping", str(mapping),
                  "--create-key-field", *engine(sb, tmp_path / "jobs"))
        assert res.exit_code == 1, res.output
        assert "own Pipedrive export" in res.output and "--copy-own-deals" in res.output
        assert "nothing was sent" in res.output
        # nothing made: no deal, and not the key field either (checked before it is made)
        assert len(sandbox_deals(sb)) == before and not _key_field(sb)
        assert TOKEN not in res.output
        # asked for: the copies are made
        res = cli(sb, tmp_path / "jobs", "import", str(manifest), "--mapping", str(mapping),
                  "--create-key-field", "--copy-own-deals", *engine(sb, tmp_path / "jobs"))
        assert res.exit_code == 0, res.output
        assert len(sandbox_deals(sb)) == 2 * before


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_with_the_key_field_the_deals_listed_anyway_tell_it_for_no_call(
        tmp_path: Path, mode: str) -> None:
    with _box(11) as sb:
        deals = sandbox_deals(sb)
        seed = tmp_path / "seed.csv"  # an earlier import made the key field
        seed.write_text("Deal - ID,Deal - Title,Deal - Value\nK1,Other,10\n")
        made = cli(sb, tmp_path / "jobs", "import", str(seed), "--mapping",
                   str(_mapping(tmp_path / "seed.toml")), "--create-key-field",
                   *engine(sb, tmp_path / "jobs"))
        assert made.exit_code == 0, made.output
        manifest = _export(deals, tmp_path / "pd.csv")
        mapping = _mapping(tmp_path / "m.toml", mode=mode)
        own = _plan(sb, tmp_path, manifest, mapping)["own_export"]
        assert own["refuses"] and (own["count"], own["calls"]) == (SAMPLE, 0), own
        res = cli(sb, tmp_path / "jobs", "import", str(manifest), "--mapping", str(mapping),
                  *engine(sb, tmp_path / "jobs"))
        assert res.exit_code == 1, res.output
        assert len(sandbox_deals(sb)) == len(deals) + 1
        # a key column of another name: its whole numbers are compared all the same here
        # (the list was read anyway)
        other = _export(deals, tmp_path / "other.csv", key="Source key")
        own = _plan(sb, tmp_path, other, _mapping(tmp_path / "o.toml", key="Source key",
                                                  mode=mode))["own_export"]
        assert own["refuses"] and own["calls"] == 0, own


def test_another_accounts_export_is_not_taken_for_this_ones(tmp_path: Path) -> None:
    with _box(9) as here, _box(31) as there:
        theirs = sandbox_deals(there)
        mapping = _mapping(tmp_path / "m.toml")
        # ids no deal here has (another account's, past this one's)
        far = _plan(here, tmp_path, _export(theirs, tmp_path / "far.csv", offset=10_000),
                    mapping, "--create-key-field")
        assert far["own_export"] is not None and not far["own_export"]["refuses"]
        assert "none names a live deal" in " ".join(far["notes"])
        assert (far["own_export"]["count"], far["own_export"]["found"]) == (0, 0)
        # ids that happen to be deals here, of other titles
        near = _plan(here, tmp_path, _export(theirs, tmp_path / "near.csv"), mapping,
                     "--create-key-field")["own_export"]
        assert near["found"] == SAMPLE and near["count"] < LEAST and not near["refuses"]
        res = cli(here, tmp_path / "jobs", "import", str(tmp_path / "near.csv"),
                  "--mapping", str(mapping), "--create-key-field",
                  *engine(here, tmp_path / "jobs"))
        assert res.exit_code == 0, res.output  # imported: not this account's


def test_half_the_deals_deleted_since_is_still_the_own_export(tmp_path: Path) -> None:
    with _box(9) as sb:
        deals = sandbox_deals(sb)
        manifest = _export(deals, tmp_path / "pd.csv")
        for deal in sorted(deals, key=lambda d: d["id"])[::2]:
            deal["is_deleted"] = True
        own = _plan(sb, tmp_path, manifest, _mapping(tmp_path / "m.toml"),
                    "--create-key-field")["own_export"]
        assert own["refuses"] and (own["count"], own["found"]) == (SAMPLE // 2, SAMPLE // 2)
        assert own["compared"] == SAMPLE


def test_a_key_column_not_named_as_an_id_reads_nothing_for_it(tmp_path: Path) -> None:
    with _box(9) as sb:
        manifest = _export(sandbox_deals(sb), tmp_path / "pd.csv", key="Source key")
        plan = _plan(sb, tmp_path, manifest, _mapping(tmp_path / "m.toml", key="Source key"),
                     "--create-key-field")
        assert plan["own_export"] is None  # no list read anyway, no read of its own


def test_the_rule_over_a_seeded_grid_of_titles_and_ids() -> None:
    rng = random.Random(56)
    words = ["Acme", "Globex", "Pilot", "Renewal", "Expansion", "Initech", "EU", "2027"]
    for _ in range(300):
        n = rng.randrange(1, 30)
        rows = []
        titles: dict[int, object] = {}
        want = 0
        for row in range(2, n + 2):
            ident = rng.randrange(1, 60)
            title = " ".join(rng.sample(words, 2))
            cell: object = rng.choice([ident, str(ident), f"{ident}.0", f" {ident} ",
                                       f"K{ident}", ""])
            rows.append((row, cell, rng.choice([title, title.upper(), "", f"{title}!"])))
            kind = rng.random()
            if ident not in titles:
                titles[ident] = title if kind < 0.5 else f"{title} X" if kind < 0.8 else None
        sample = sampled(rows)
        for ident, (_row, text, _cell) in sample.items():
            have = titles.get(ident)
            want += have is not None and str(have).casefold() == text.rstrip("!").casefold()
        live = {i: t for i, t in titles.items() if t is not None}
        got = judge(sample, live)
        assert got.count == want, (rows, titles)
        assert got.refuses == (want >= LEAST and 4 * want >= len(sample))
    assert [deal_id(c) for c in (17, "17", "17.0", " 17 ", 17.0, "0", 0, "1e3", "K1", True,
                                 -3, "17.5")] == [17, 17, 17, 17, 17, None, None, None, None,
                                                  None, None, None]
