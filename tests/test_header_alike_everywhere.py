"""Two manifest columns alike but for case and spaces, of which the command reads one, are
refused by every manifest-reading command, not only CSV import / update (x45r5 F6): JSON
keys ``Email`` and ``email ``; move-stage's ``id`` beside ``ID ``; merge's ``merge_id``
beside ``Merge_ID``. Nothing is sent; a column nobody reads is still no problem."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bulk.manifest import header
from bulk.sandbox import Sandbox
from jobs.alike_columns import alike_problem
from pdbulk.cli import app
from tests.test_header_alike import ENV, MAPPING, sandbox  # noqa: F401 - a fixture


def _tokens(sb: Sandbox) -> int:
    return sum(sb.stats()["tokens_by_operation"].values())


def _run(sb: Sandbox, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, [*args, "--url", sb.url, "--plan", "ultimate", "--oauth"],
                             env=ENV)
    return res.exit_code, " ".join(res.output.split())


def test_json_keys_alike_are_refused_when_one_is_read(sandbox: Sandbox,  # noqa: F811
                                                      tmp_path: Path) -> None:
    path = tmp_path / "alike.json"
    path.write_text(json.dumps([{"Key": "K1", "Deal": "One", "Email": "a@x.example",
                                 "Name": "Ann", "email ": "b@x.example"}]))
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING + 'email = "Email"\n')
    before = _tokens(sandbox)
    code, said = _run(sandbox, "plan", "import", str(path), "--mapping", str(mapping),
                      "--create-key-field")
    assert code == 1, said
    assert ("keys 'Email' and 'email ' of the records are one name but for case and spaces, "
            "and the mapping reads 'Email' only") in said, said
    assert _tokens(sandbox) == before and "Traceback" not in said
    assert alike_problem(header(path), ["Key", "Deal"]) is None  # neither read: no problem


def test_move_stage_refuses_its_id_column_beside_an_alike_one(sandbox: Sandbox,  # noqa: F811
                                                              tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,ID \n1,2\n")
    code, said = _run(sandbox, "move-stage", "--manifest", str(path), "--id-column", "id",
                      "--to-stage", "Qualified", "--yes")
    assert code == 1, said
    assert "'id' and 2 (B) 'ID' of the header (row 1) are one name but for case and spaces, " \
           "and move-stage reads 'id' only" in said, said
    assert "Traceback" not in said


def test_merge_refuses_its_columns_beside_alike_ones(sandbox: Sandbox,  # noqa: F811
                                                     tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("merge_id,survivor_id,Merge_ID\n1,2,3\n")
    before = _tokens(sandbox)
    code, said = _run(sandbox, "plan", "merge", str(path))
    assert code == 1, said
    assert "are one name but for case and spaces, and merge reads" in said, said
    assert _tokens(sandbox) == before and "Traceback" not in said
    path.write_text("merge_id,survivor_id,Note,note\n1,2,a,b\n")  # a column nobody reads
    code, said = _run(sandbox, "plan", "merge", str(path))
    assert "one name but for case" not in said, said


def test_move_stage_and_merge_name_the_file_and_no_spelling_as_read(
        sandbox: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """x45r11 F2: a column found by its usual name in any case (move-stage's deal id, merge's
    survivor_id) beside an alike one: the refusal names the file, as import's and update's
    do, and names neither spelling as the one read (before: "move-stage reads 'deal_id'
    only", the last spelling, with no file)."""
    ids, pairs = tmp_path / "ids.csv", tmp_path / "pairs.csv"
    ids.write_text("Deal_ID,deal_id \n1,2\n")
    pairs.write_text("merge_id,Survivor_ID,survivor_id \n1,2,3\n")
    for path, args in ((ids, ["move-stage", "--manifest", str(ids), "--to-stage",
                              "Qualified", "--yes"]),
                       (pairs, ["plan", "merge", str(pairs)])):
        before = _tokens(sandbox)
        code, said = _run(sandbox, *args)
        assert code == 1, said
        assert said.startswith(f"pdbulk: {path}: columns "), said
        assert "reads one column of that name only, whatever its case: the other would go " \
               "unused" in said, said
        assert "only: 'Deal_ID'" not in said and "only: 'Survivor_ID'" not in said, said
        if path == pairs:  # (move-stage reads the account's stages first)
            assert _tokens(sandbox) == before, said
