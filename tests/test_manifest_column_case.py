"""A column the mapping names that the file's header has only in another letter case or
spacing is refused naming the file's spelling (x52r10 F3: a CRM re-export's ``Deal Owner``
for the mapping's ``Deal owner`` was refused "no such column", the case never said)."""

from __future__ import annotations

from bulk.manifest import check_paths


def test_a_column_in_another_case_is_named_with_the_files_spelling() -> None:
    problems = dict(check_paths(["Deal Owner", "Close  date", "Title"],
                                ["Deal owner", "Close date", "Title", "Stage"]))
    assert set(problems) == {"Deal owner", "Close date", "Stage"}, problems
    assert "'Deal Owner'" in problems["Deal owner"] and "letter case" in problems["Deal owner"]
    assert "'Close  date'" in problems["Close date"], problems
    assert problems["Stage"] == "no such column in the manifest"


def test_plan_import_names_the_files_spelling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end: `plan import` (no account needed to refuse it) says the file's
    spelling, with the other missing column too."""
    import os

    from typer.testing import CliRunner

    from pdbulk.cli import app

    manifest = tmp_path / "in.csv"
    manifest.write_text("Deal Name,Deal Owner\nAcme,Ann\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nmode = "insert"\nkey_column = "Deal Name"\n[deal]\ntitle = "Deal name"\n'
                       'value = "Amount"\n')
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "-m", str(mapping),
                                   "--url", "http://127.0.0.1:9"],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": "t-0123456789"})
    assert res.exit_code in (1, 2), res.output
    assert "'Deal Name'" in res.output and "letter case" in res.output, res.output
    assert "'Amount'" in res.output, res.output
    assert "Traceback" not in res.output
