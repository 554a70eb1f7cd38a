"""A monetary field's cell that is what this state folder last wrote there is left to the
three-way comparison before any check of its currency symbol (x50r5 F2: ``$100.00``
written as USD 100, a colleague's SEK since; the same file again failed the row
"ambiguous currency: ... may mean USD, CAD, ... deal 234 has it in SEK", its other fields
lost, where ``USD 100.00`` and ``€100.00`` cells were "kept Pipedrive's Contract")."""

from __future__ import annotations

from pathlib import Path

from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_restores_base import CONFIG, _custom, _patch, _run

MAPPING = """version = 1
[import]
key_column = "Ref"
key_field = "Import source key"
mode = "upsert"
[defaults]
decimal = "."
[deal]
title = "Title"
[custom_fields]
"Contract value" = "Contract"
"External ID" = "External"
"""
UPDATE = """version = 1
[update]
id_column = "Deal"
[defaults]
decimal = "."
[custom_fields]
"Contract value" = "Contract"
"External ID" = "External"
"""
CELLS = {"K1": "$100.00", "K2": "USD 100.00", "K3": "€100.00"}
SEK = {"value": 100, "currency": "SEK"}


def _failed(jobs: Path) -> list[dict[str, str]]:
    """Every job's failed rows (a job per second is named by its second and a random
    tail: the newest is not the last by name)."""
    return [row for p in jobs.iterdir() if (p / "failed.csv").exists()
            for row in read_csv(p / "failed.csv")]


def test_a_symbol_cell_as_last_written_keeps_a_colleagues_currency(tmp_path: Path) -> None:
    """Import (upsert) K1..K3 with ``$``, ``USD`` and ``€`` amounts; a colleague moves
    each Contract to SEK; the same file again keeps SEK on all three and fails no row.
    Then an update of the same cells, run twice around the same colleague edit: the
    same."""
    jobs = tmp_path / "jobs"
    (tmp_path / "m.toml").write_text(MAPPING)
    source = tmp_path / "import.csv"
    source.write_text("Ref,Title,Contract,External\n" + "".join(
        f'{k},Deal {k},"{c}",EXT-{k}\n' for k, c in CELLS.items()))
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        ids = {k: d["id"] for k in CELLS for d in sb.state.deals.rows.values()
               if d["title"] == f"Deal {k}"}
        for k in CELLS:
            _patch(sb, ids[k], {"Contract value": SEK})
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"))
        assert _failed(jobs) == [], again
        assert {k: v["Contract value"] for k, v in _custom(sb).items()} == {
            k: SEK for k in CELLS}, again
        # the update: written once, a colleague's SEK, the same file again
        (tmp_path / "u.toml").write_text(UPDATE)
        update = tmp_path / "update.csv"
        update.write_text("Deal,Contract,External\n" + "".join(
            f'{ids[k]},"{c.replace("100", "200")}",UPD-{k}\n' for k, c in CELLS.items()))
        for k in CELLS:  # back in the cells' currencies, for the update's first write
            _patch(sb, ids[k], {"Contract value": {"value": 50, "currency": (
                "EUR" if k == "K3" else "USD")}})
        first = _run(sb, jobs, "update", str(update), "-m", str(tmp_path / "u.toml"),
                     "--yes")
        assert _failed(jobs) == [], first
        for k in CELLS:
            _patch(sb, ids[k], {"Contract value": {"value": 200, "currency": "SEK"}})
        said = _run(sb, jobs, "update", str(update), "-m", str(tmp_path / "u.toml"), "--yes")
        assert _failed(jobs) == [], said
        assert {k: v["Contract value"] for k, v in _custom(sb).items()} == {
            k: {"value": 200, "currency": "SEK"} for k in CELLS}, said
