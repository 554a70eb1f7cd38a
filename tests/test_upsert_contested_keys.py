"""Two rows of one source key with other cells: every import of the file answers the same,
and an upsert writes neither row (docs/mapping.md, Contested keys) — whether the key is new
to the account, on a deal or on an archived deal, from CSV or XLSX — and ``plan import``
counts the rows the run refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from tests.import_support import api_engine, engine_config, import_once, read_csv, sandbox_deals
from tests.mappings import deal_mapping

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
ROWS = [("id", "title", "stage"), ("k1", "First", "Qualified"), ("k1", "Second", "Qualified"),
        ("k2", "Other", "Qualified")]


def _keyed(sb: Sandbox, key: str) -> list[dict[str, object]]:
    return [d for d in sandbox_deals(sb)
            if key in {str(v) for v in (d.get("custom_fields") or {}).values()}]


def _write(path: Path, rows: list[tuple[str, ...]]) -> Path:
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(list(row))
        book.save(path)
    else:
        path.write_text("".join(",".join(r) + "\n" for r in rows))
    return path


async def _plan_bad(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path, mode: str) -> int:
    async with api_engine(sb, tmp / "plan") as engine:
        _, counts = await plan_import(
            engine.ctx, ImportSettings(str(manifest), str(mapping), mode,  # type: ignore[arg-type]
                                        create_key_field=True),
            Mapping.load(mapping), engine_config(sb, tmp).limits(),
            stats=engine.stats, scheduler=engine.scheduler.statistics)
    return counts.bad


@pytest.mark.parametrize(("mode", "account", "suffix"), [
    ("upsert", "deal", ".csv"), ("upsert", "deal", ".xlsx"), ("upsert", "new", ".csv"),
    ("upsert", "archived", ".csv"), ("insert", "deal", ".csv"), ("insert", "new", ".xlsx"),
    ("insert", "archived", ".csv")])
async def test_a_contested_key_gets_the_same_answer_on_every_import(
        tmp_path: Path, mode: str, account: str, suffix: str) -> None:
    """x29r3 F2: upsert of k1 on rows 2 and 3 (other titles), k1 already on a deal: the
    first import wrote row 2 over the deal, every later one refused both rows as
    contested. Now the first import refuses both too (hold duplicate-key, nothing written);
    insert stays as it was (row 2 made or found, row 3 held); the plan counts the same."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(deal_mapping(mode=mode, key="id"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        if account != "new":  # k1 on a deal of the account (archived: then put away)
            seed = _write(tmp_path / "seed.csv", [ROWS[0], ("k1", "Before", "Qualified")])
            store, _, _ = await import_once(sb, tmp_path / "jobs", seed, mapping,
                                            job_id="seed", mode="insert")
            store.close()
            if account == "archived":
                _keyed(sb, "k1")[0]["is_archived"] = True
        manifest = _write(tmp_path / f"in{suffix}", ROWS)
        planned = await _plan_bad(sb, tmp_path, manifest, mapping, mode)
        runs = []
        for n in range(3):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"run-{n}", mode=mode)
            failed = [(r["row"], r["hold"]) for r in read_csv(store.directory / "failed.csv")]
            done = [(r["row"], r["action"]) for r in read_csv(store.directory / "succeeded.csv")]
            store.close()
            runs.append((failed, [d for d in done if d[0] != "4"]))
        assert planned == len(runs[0][0]), (planned, runs[0])
        assert runs[0][0] == runs[1][0] == runs[2][0], runs
        made = account == "new" and mode == "insert"  # row 2 made k1's deal, then finds it
        assert [done for _, done in runs] == [[("2", "created" if made and n == 0 else "exists")]
                                              for n in range(3)] if mode == "insert" \
            else [[]] * 3, runs
        titles = [d["title"] for d in _keyed(sb, "k1")]
        if mode == "upsert":  # neither row written, on the first import as on later ones
            assert runs[0][0] == [("2", "duplicate-key"), ("3", "duplicate-key")], runs
            assert titles == ([] if account == "new" else ["Before"]), titles
        else:  # the first row made (or found) k1's deal, the second held
            assert runs[0][0] == [("3", "duplicate-key")], runs
            assert titles == (["First"] if account == "new" else ["Before"]), titles
        assert [d["title"] for d in _keyed(sb, "k2")] == ["Other"]


async def test_a_contested_first_row_says_which_row_has_the_key_too(tmp_path: Path) -> None:
    """The first row's reason names the other row and the cells that differ, on the first
    import and on a later one alike. x30r2 S1: no release writes either row while the file
    holds both — --release-held, or both rows' hold cells emptied in failed.csv, wrote the
    first row, which nobody chose; the row whose hold cell alone is emptied is imported."""
    import csv

    mapping = tmp_path / "m.toml"
    mapping.write_text(deal_mapping(mode="upsert", key="id"))
    manifest = _write(tmp_path / "in.csv", ROWS)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        reasons = []
        for n in range(2):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"run-{n}")
            reasons.append({r["row"]: r["reason"] for r in read_csv(store.directory
                                                                    / "failed.csv")})
            failed_csv = (store.directory / "failed.csv").read_text()
            store.close()
        assert reasons[0] == reasons[1], reasons
        assert "row 3 has it too" in reasons[0]["2"], reasons
        assert "title: 'Second' there, 'First' here" in reasons[0]["2"], reasons
        assert "keep the row that is right" in reasons[0]["2"], reasons
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="released", release_held=True)
        failed = [(r["row"], r["hold"]) for r in read_csv(store.directory / "failed.csv")]
        store.close()
        assert failed == [("2", "duplicate-key"), ("3", "duplicate-key")], failed
        assert _keyed(sb, "k1") == []

        def emptied(rows: set[str], name: str) -> Path:  # failed.csv, these holds emptied
            lines = list(csv.DictReader(failed_csv.splitlines()))
            for line in lines:
                if line["row"] in rows:
                    line["hold"] = ""
            out = tmp_path / name
            with out.open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(lines[0]))
                writer.writeheader()
                writer.writerows(lines)
            return out

        both = emptied({"2", "3"}, "both.csv")
        store, _, _ = await import_once(sb, tmp_path / "jobs", both, mapping, job_id="both")
        failed = [(r["row"], r["hold"]) for r in read_csv(store.directory / "failed.csv")]
        store.close()
        assert failed == [("2", "duplicate-key"), ("3", "duplicate-key")], failed
        assert _keyed(sb, "k1") == []
        chosen = emptied({"3"}, "chosen.csv")  # the person keeps row 3
        store, _, _ = await import_once(sb, tmp_path / "jobs", chosen, mapping, job_id="one")
        store.close()
        assert [d["title"] for d in _keyed(sb, "k1")] == ["Second"]


async def test_a_failing_first_row_of_a_contested_key_says_both(tmp_path: Path) -> None:
    """x30r2 low 3: a first row that also fails for another reason (an amount ``12abc``)
    said only that, its hold empty, and the next import refused the key as contested. It
    is held ``duplicate-key`` beside the row that writes, saying both; a row failing on its
    own cells contests nothing (x45r10 F2: both rows were held, the failed row's values
    choosing it): row 3 writes the deal, on this import and the next alike."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(deal_mapping(mode="upsert", key="id",
                                  deal='value = "amount"\ncurrency = { default = "EUR" }\n'))
    manifest = _write(tmp_path / "in.csv", [("id", "title", "stage", "amount"),
                                            ("e1", "Bad amount", "Qualified", "12abc"),
                                            ("e1", "Good amount", "Qualified", "12")])
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        assert sorted(failed) == ["2"], failed
        assert failed["2"]["hold"] == "duplicate-key", failed["2"]
        assert "row 3 has it too" in failed["2"]["reason"], failed["2"]
        assert "this row also fails" in failed["2"]["reason"], failed["2"]
        assert "12abc" in failed["2"]["reason"], failed["2"]
        assert [d["title"] for d in _keyed(sb, "e1")] == ["Good amount"]
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="again")
        again = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert sorted(again) == ["2"] and done["3"]["action"] == "unchanged", (again, done)


async def test_the_reasons_of_a_contested_key_name_its_rows_and_the_files_own_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """f31a 2: an upsert's later row said "each key is imported once" (it writes neither
    row); four rows of one key named one other row; the plain file, its key contested,
    was told to empty a hold cell it has no column for; the first row of a pair, its
    failed.csv imported again, was held because "an earlier row" had its key. Each reason
    now names every other row, the upsert's rule, and a fix the file at hand can take."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    mapping = tmp_path / "m.toml"
    mapping.write_text(deal_mapping(mode="upsert", key="id"))
    rows = [ROWS[0], ("k1", "First", "Qualified"), ("k1", "Second", "Qualified"),
            ("k1", "First", "Qualified"), ("k1", "Third", "Qualified")]
    manifest = _write(tmp_path / "in.csv", rows)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="one")
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        # (x46r4 F3: row 4 copies row 2, held: its duplicate, held with it)
        assert sorted(failed) == ["2", "3", "5"], failed
        assert done["4"]["action"] == "duplicate" and "the same deal as row 2" in done["4"][
            "note"] and "which is held" in done["4"]["note"], done
        assert "rows 3, 4 and 5 have it too" in failed["2"]["reason"], failed["2"]
        assert "rows 2, 4 and 5 have it too" in failed["3"]["reason"], failed["3"]
        for row in failed.values():
            assert "each key is imported once" not in row["reason"], row
            assert "an upsert writes no row of the key" in row["reason"], row
            assert "hold cell" not in row["reason"], row  # a plain file has none
        # the failed file imported as it is: each row held, naming the other rows
        again, _, _ = await import_once(sb, tmp_path / "jobs", again_path := (
            store.directory / "failed.csv"), mapping, job_id="two")
        held = {r["key"] + r["row"]: r["reason"] for r in read_csv(again.directory /
                                                                    "failed.csv")}
        again.close()
        assert "an earlier row" not in " ".join(held.values()), held
        assert any("because rows 3, 4 and 5 of that file had" in r for r in held.values()), held
        assert again_path.exists()
        # only row 3 kept, in a plain file: the key is contested; the fix named is the file's
        alone = _write(tmp_path / "alone.csv", [ROWS[0], ("k1", "Second", "Qualified")])
        third, _, _ = await import_once(sb, tmp_path / "jobs", alone, mapping, job_id="three")
        (refused,) = read_csv(third.directory / "failed.csv")
        third.close()
        assert "is contested" in refused["reason"], refused
        assert "hold cell" not in refused["reason"], refused
        assert "delete or fix the other row in your file" in refused["reason"], refused
        assert "--release-held" in refused["reason"]
        assert _keyed(sb, "k1") == []


async def test_the_file_that_contested_a_key_releases_it_once_fixed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """f41b 4: k1 on two rows of in.csv with other titles: contested. The user deletes one
    row of in.csv and imports it again: its plan refuses no row, the import writes k1 and
    says the key was released by the file, and the key is no longer contested (was: the
    row refused "contested" until one import with --release-held). Another file giving a
    contested key on one row (``alone.csv``) still releases nothing: the other row may
    still be in the file that contested it."""
    from bulk.contested import ContestedKeys

    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    mapping = tmp_path / "m.toml"
    mapping.write_text(deal_mapping(mode="upsert", key="id"))
    manifest = _write(tmp_path / "in.csv", [*ROWS, ("k3", "Three", "Qualified"),
                                            ("k3", "Trois", "Qualified")])
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="one")
        assert {r["key"] for r in read_csv(store.directory / "failed.csv")} == {"k1", "k3"}
        store.close()
        contested = ContestedKeys(tmp_path / "state" / "contested.sqlite")
        assert len(contested.names("")) == 2
        # k3 on one row of another file: still contested (and said how to release it)
        alone = _write(tmp_path / "alone.csv", [ROWS[0], ("k3", "Trois", "Qualified")])
        other, _, _ = await import_once(sb, tmp_path / "jobs", alone, mapping, job_id="two")
        (refused,) = read_csv(other.directory / "failed.csv")
        other.close()
        assert "is contested" in refused["reason"], refused
        assert "imported again with the key on one row, releases it by itself" in \
            refused["reason"], refused
        # in.csv fixed: k1 and k3 on one row each
        _write(manifest, [ROWS[0], ROWS[2], ROWS[3], ("k3", "Three", "Qualified")])
        assert await _plan_bad(sb, tmp_path, manifest, mapping, "upsert") == 0
        lines: list[str] = []
        fixed, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="three", say=lines.append)
        assert read_csv(fixed.directory / "failed.csv") == []
        fixed.close()
        assert [d["title"] for d in _keyed(sb, "k1")] == ["Second"]
        assert [d["title"] for d in _keyed(sb, "k3")] == ["Three"]
        assert contested.names("") == set()
        assert any("2 source keys an earlier import of this file found contested ('k1', "
                   "'k3') are on one row of it now: released" in line for line in lines), lines
