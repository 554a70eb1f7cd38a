"""Rows of one source key are judged on the values they resolve to, never on where each value
came from: ``$100.00`` beside ``100.00`` under a USD default, a blank currency cell beside
``USD``, a monetary custom field's ``5.00`` beside ``USD 5``, a blank owner cell beside the
owner its default names write one deal — the later row is a duplicate, no row held (x40r2
F1: an insert failed the second row, an upsert withheld both)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulk.manifest import SourceRow
from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.catalog import Catalog
from jobs.mapping import Mapping, RowMapper, compile_mapping
from jobs.repeats import Written, written
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
SPEC = """\
[import]
key_column = "id"
mode = "{mode}"
[defaults]
currency = "USD"
date_formats = ["%Y-%m-%d", "%d.%m.%Y"]
[deal]
title = "title"
value = "amount"
currency = "cur"
expected_close_date = "close"
owner = {{ column = "owner", default = "Ann Lee" }}
pipeline = {{ default = "Sales" }}
stage = {{ column = "stage", default = "Qualified" }}
[person]
name = "name"
email = "email"
phone = "phone"
"""
PLAIN = """\
[import]
key_column = "id"
mode = "{mode}"
[defaults]
currency = "USD"
[deal]
title = "title"
value = "amount"
currency = "cur"
pipeline = {{ default = "Sales" }}
stage = {{ default = "Qualified" }}
"""
CUSTOM = '[custom_fields]\n"Contract value" = "budget"\n'
COLUMNS = ("id", "title", "amount", "cur", "close", "owner", "stage", "name", "email",
           "phone", "budget")
# (first row, later row): the same deal spelled from other sources
SAME = [
    (("k1", "T", "$100.00", "", "2025-03-01", "", "Qualified", "Ann", "a@x.com", "", "$5"),
     ("k1", "T", "100.00", "USD", "01.03.2025", "ann@acme.test", "", "ann", "A@X.COM",
      "", "5.00")),
    (("k2", "T", "100.00", "", "", "Ann Lee", "", "Bo", "", "+49 30 1234567", "USD 5"),
     ("k2", "T", "USD 100", "usd", "", "", "Qualified", "bo", "", "+49 (30) 123-4567", "5")),
    (("k3", "T", "€7.00", "", "", "", "", "Cy", "", "", ""),
     ("k3", "T", "EUR 7.00", "EUR", "", "", "", "Cy", "", "", "")),
]
# ... and deals that differ: another currency, another owner, another amount's currency
OTHER = [
    (("k4", "T", "$100.00", "", "", "", "", "", "", "", ""),
     ("k4", "T", "100.00", "CAD", "", "", "", "", "", "", "")),
    (("k5", "T", "100", "", "", "", "", "", "", "", ""),
     ("k5", "T", "100", "", "", "sam2@acme.test", "", "", "", "", "")),
    (("k6", "T", "", "", "", "", "", "", "", "", "5"),
     ("k6", "T", "", "", "", "", "", "", "", "", "EUR 5")),
]


def _written(m: RowMapper, cells: tuple[str, ...]) -> Written:
    return written(m.map(SourceRow(2, 2, dict(zip(COLUMNS, cells, strict=True)))))


def test_rows_resolving_to_one_value_write_the_same(catalog: Catalog) -> None:  # noqa: F811
    """The digest of what a row writes is the resolved amount, currency, owner, stage,
    date and person: equal for rows that spell one deal from other sources, unequal for
    rows writing another currency or owner."""
    m = compile_mapping(Mapping.loads(SPEC.format(mode="upsert") + CUSTOM), catalog)
    for first, later in SAME:
        assert _written(m, first) == _written(m, later), first[0]
    for first, later in OTHER:
        assert _written(m, first) != _written(m, later), first[0]


@pytest.mark.parametrize("mode", ["upsert", "insert"])
async def test_a_default_and_an_explicit_equal_value_are_one_deal(
        tmp_path: Path, mode: str) -> None:
    """x40r2 F1 end to end (rep/cur_dup.csv, rep/cur_dup2.csv): each later row is a
    duplicate of its key's first row, nothing held or failed, one deal per key in USD;
    ``$100.00`` / ``100.00 CAD`` stays held (another currency)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,amount,cur\n"
                        "K1,Deal one,$100.00,\nK1,Deal one,100.00,\n"
                        "K2,Deal two,USD 50.00,\nK2,Deal two,50.00,\n"
                        "K3,Deal three,100.00,\nK3,Deal three,100.00,USD\n"
                        "K4,Deal four,$100.00,\nK4,Deal four,100.00,CAD\n")
    mapping.write_text(PLAIN.format(mode=mode))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:  # noqa: F811
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, mode=mode)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        for row, first in (("3", "2"), ("5", "4"), ("7", "6")):
            assert done[row]["action"] == "duplicate", (row, done, failed)
            assert f"row {first}" in done[row]["note"]
        assert sorted(failed) == (["8", "9"] if mode == "upsert" else ["9"]), failed
        assert "currency" in failed["9"]["reason"] and failed["9"]["hold"] == "duplicate-key"
        deals = {d["title"]: (d["value"], d["currency"]) for d in sandbox_deals(sb)}
    assert deals["Deal one"] == (100, "USD") and deals["Deal two"] == (50, "USD"), deals
    assert deals["Deal three"] == (100, "USD"), deals


# (first row, later row): one deal spelled two ways, both rows failing another check
FAILING = [
    ("bad e-mail", ("$100.00", "", "yu@@e.test", "", "", ""),
     ("100.00", "USD", "yu@@e.test", "", "", ""), ("yu@e.test", "", "", "")),
    ("unknown stage", ("6320.00", "", "", "Negotiationz", "", ""),
     ("6320", "", "", "Negotiationz", "", ""), ("", "Qualified", "", "")),
    ("unknown owner", ("6,980.00", "", "", "", "nobody@acme.test", ""),
     ("6980.00", "", "", "", "nobody@acme.test", ""), ("", "", "", "")),
    ("bad date", ("1750.00", "", "", "", "", "31.02.2025"),
     ("$1,750.00", "", "", "", "", "31.02.2025"), ("", "", "", "2025-03-01")),
]


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize("case", FAILING, ids=[c[0] for c in FAILING])
async def test_rows_failing_another_check_are_still_judged_on_their_values(
        tmp_path: Path, mode: str, case: tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
        ) -> None:
    """x40r5 F1: a repeated key whose rows spell one amount two ways, both failing on an
    e-mail, a stage, an owner or a date, is not "duplicate … with other cells" (each row
    fails on its own cell, the key not contested); the file fixed and imported again makes
    one deal, the later row a duplicate, nothing "contested"."""
    _, first, later, fixed = case
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(SPEC.format(mode=mode).replace("Ann Lee", "Tom Becker"))
    head = "id,title,amount,cur,email,stage,owner,close,name,phone\n"

    def line(cells: tuple[str, ...], fix: tuple[str, ...] | None) -> str:
        amount, cur, email, stage, owner, close = cells
        if fix is not None:  # the failing cells fixed
            email, stage, owner, close = fix
        return f"R1,Deal R,\"{amount}\",{cur},{email},{stage},{owner},{close},Yu,\n"
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:  # noqa: F811
        manifest.write_text(head + line(first, None) + line(later, None))
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, mode=mode)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        assert sorted(failed) == ["2", "3"], failed
        for row in ("2", "3"):
            assert "duplicate source key" not in failed[row]["reason"], failed[row]
            assert not failed[row]["hold"], failed[row]
        manifest.write_text(head + line(first, fixed) + line(later, fixed))
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="import-2", mode=mode)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert not failed, failed
        assert done["3"]["action"] == "duplicate", done
        assert [d["title"] for d in sandbox_deals(sb)] == ["Deal R"]


RETRY = """version = 1
[import]
key_column = "key"
mode = "insert"
[defaults]
currency = "USD"
[deal]
title = "title"
value = "amount"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
[deal.stage.map]
"a" = "Qualified"
{extra}"""


def test_a_retry_of_two_rows_of_one_key_makes_one_deal(sb: Sandbox,  # noqa: F811
                                                       tmp_path: Path) -> None:
    """x40r5 F1 (rep1/R.csv): two rows of a key, ``1850`` / ``1850.00``, both failing on
    an unknown stage, each fail on it alone; the mapping learns the stage and ``retry``
    makes one deal, the later row its duplicate (it made two deals once the rows were no
    longer held), and its plan after the re-read is what it spends."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(RETRY.format(extra=""))
    manifest.write_text("key,title,amount,stage\nR1,Deal R,1850,zz\nR2,Deal 2,700,a\n"
                        "R1,Deal R,$1850.00,zz\n")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
    assert sorted(failed) == ["2", "4"] and not failed["4"]["hold"], failed
    assert failed["4"]["reason"].startswith("no stage named 'zz'"), failed
    mapping.write_text(RETRY.format(extra='"zz" = "Contact Made"\n'))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    said = [int(n.replace(",", "")) for n in re.findall(r"^plan.*tokens: ([\d,]+)$",
                                                        retried.output, re.M)]
    # the plan after the re-read is what it spends (the one before, "at most", prices
    # each row mapped again as a create: it does not judge the rows against each other)
    assert len(said) == 2 and said[-1] == spent(sb) - before <= said[0], (said, retried.output)
    done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
    assert done["4"]["action"] == "duplicate" and "row 2" in done["4"]["note"], done
    assert [d["title"] for d in sandbox_deals(sb)].count("Deal R") == 1
