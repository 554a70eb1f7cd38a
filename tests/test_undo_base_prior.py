"""The base an undo leaves in the record of past writes (``jobs.last_written``), round 2
(x50r10): after an undo, each field the undone job wrote gets back the base the record held
BEFORE that job wrote — not the job's before-image (Pipedrive's value then: maybe a
colleague's edit this folder never wrote) — and a deal the undo found already as before the
job is rebased too (its skip's result is in its payload, not in ``items.result``)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_restores_base import CONFIG, HEAD, IMPORT, KEYS, UPDATE, UPDATED, _custom, _patch, _run


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "m.toml").write_text(IMPORT)
    (tmp_path / "u.toml").write_text(UPDATE)
    source = tmp_path / "import.csv"
    source.write_text(f"Ref,Title,{HEAD}\n" + "".join(
        f'{k},Deal {k},Website,CRM;Support,"USD 5000",2027-01-15,EXT-1,5\n' for k in KEYS))
    return tmp_path / "jobs", source


def _ids(sb: object) -> dict[str, int]:
    rows = sb.state.deals.rows.values()  # type: ignore[attr-defined]
    return {k: d["id"] for k in KEYS for d in rows if d["title"] == f"Deal {k}"}


def test_the_same_update_after_an_undo_that_found_a_deal_as_before_is_sent(
        tmp_path: Path) -> None:
    """Import → update K1, K2 → K2 put back by hand → undo (K1 restored, K2 already as
    before: skipped ``unchanged``) → the same update file again writes both (before: K2's
    base stayed the update's write, and the file's values read as unchanged: "kept")."""
    jobs, source = _setup(tmp_path)
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        imported, ids = _custom(sb), _ids(sb)
        update = tmp_path / "update.csv"
        update.write_text(f"Deal,{HEAD}\n" + "".join(
            f"{ids[k]},{UPDATED}\n" for k in ("K1", "K2")))
        first = _run(sb, jobs, "update", str(update), "-m", str(tmp_path / "u.toml"), "--yes")
        updated = _custom(sb)
        job = re.findall(r"job (\S+-update-\w+)", first)[0]
        _patch(sb, ids["K2"], {**imported["K2"], "Contract value": {
            "value": 5000, "currency": "USD"}})
        assert _custom(sb)["K2"] == imported["K2"]
        _run(sb, jobs, "undo", job, "--yes")
        assert _custom(sb) == imported
        again = _run(sb, jobs, "update", str(update), "-m", str(tmp_path / "u.toml"), "--yes")
        after = _custom(sb)
    assert after["K1"] == updated["K1"] and after["K2"] == updated["K2"], (after, again)
    assert "changed in Pipedrive since" not in again, again
