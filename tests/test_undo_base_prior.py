"""The base an undo leaves in the record of past writes (``jobs.last_written``), round 2
(x50r10): after an undo, each field the undone job wrote gets back the base the record held
BEFORE that job wrote — not the job's before-image (Pipedrive's value then: maybe a
colleague's edit this folder never wrote) — and a deal the undo found already as before the
job is rebased too (its skip's result is in its payload, not in ``items.result``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobs.last_written import LEFT_THEIRS, UNKNOWN, LastWritten, digest, observe, rebase
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_restores_base import (
    CONFIG,
    HEAD,
    IMPORT,
    KEYS,
    UPDATE,
    UPDATED,
    _custom,
    _patch,
    _run,
)

# a colleague's values (every field kind the import writes); the update writes UPDATED
BRONZE = {"Lead source": "Event", "Products of interest": ["Training"],
          "Contract value": {"value": 5000, "currency": "SEK"},
          "Renewal date": "2028-08-08", "External ID": "BRONZE", "Discount": 9}


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


def test_a_colleagues_edit_the_undone_update_wrote_over_is_kept_by_the_import(
        tmp_path: Path) -> None:
    """Import (the file's values) → a colleague edits K1 → update K1 (over the colleague's)
    → undo (the colleague's values back) → the same import file: the colleague's values are
    kept (before: the base was the update's before-image — the colleague's — and the file's
    values were written over them, "changed in the file only", every field)."""
    jobs, source = _setup(tmp_path)
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        imported, ids = _custom(sb), _ids(sb)
        _patch(sb, ids["K1"], BRONZE)
        (tmp_path / "update.csv").write_text(f"Deal,{HEAD}\n{ids['K1']},{UPDATED}\n")
        updated = _run(sb, jobs, "update", str(tmp_path / "update.csv"), "-m",
                       str(tmp_path / "u.toml"), "--yes")
        job = re.findall(r"job (\S+-update-\w+)", updated)[0]
        _run(sb, jobs, "undo", job, "--yes")
        assert _custom(sb)["K1"] == BRONZE
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"))
        after = _custom(sb)
    assert after["K1"] == BRONZE, (after, again)
    assert {k: after[k] for k in ("K2", "K3")} == {k: imported[k] for k in ("K2", "K3")}


def test_a_colleagues_edit_the_undone_import_wrote_over_is_kept_by_the_first_file(
        tmp_path: Path) -> None:
    """Night 1 imports → a colleague edits K1 → night 2 (every field changed) writes over
    it → undo night 2 (the colleague's values back) → night 1's file again: the colleague's
    values are kept (night 1's write is the base again, the file unchanged)."""
    jobs, source = _setup(tmp_path)
    night2 = tmp_path / "n2.csv"
    night2.write_text(f"Ref,Title,{HEAD}\n" + "".join(
        f'{k},Deal {k},Referral,Analytics,"USD 7000",2027-03-01,EXT-2,7\n' for k in KEYS))
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        imported, ids = _custom(sb), _ids(sb)
        _patch(sb, ids["K1"], BRONZE)
        second = _run(sb, jobs, "import", str(night2), "-m", str(tmp_path / "m.toml"))
        job = re.findall(r"job (\S+-import-\w+)", second)[0]
        _run(sb, jobs, "undo", job, "--yes")
        assert _custom(sb)["K1"] == BRONZE
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"))
        after = _custom(sb)
    assert after["K1"] == BRONZE, (after, again)
    assert {k: after[k] for k in ("K2", "K3")} == {k: imported[k] for k in ("K2", "K3")}


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


def test_rebase_gives_back_the_prior_none_or_unknown(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``last_written.rebase`` of job B's writes: a field whose base B replaced gets that
    base back (A's digest and job: an undo of A rebases it again); one B wrote first is
    dropped; one whose prior is not known (format 1) takes the before-image only when it is
    B's own write, else ``UNKNOWN``; a field another job wrote since is left; one B wrote
    first where the undo left a colleague's value takes ``LEFT_THEIRS`` (no write of this
    folder stands there: the next file's value is "changed both", x51r3 F2). The base
    given back is A's again (an undo of A then finds it), its own prior not known."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    url = "https://api.example"
    a, b, before = digest("Gold"), digest("Silver"), digest("Bronze")
    observe(url, [(1, {"tier": a, "code": a})], at=1.0, job="A")
    observe(url, [(1, {"tier": b, "code": b, "memo": b, "score": b, "left": b})], at=2.0,
            job="B")
    observe(url, [(1, {"code": a})], at=3.0, job="C")
    record = LastWritten.open(url)
    assert record is not None
    record.close()
    rebase(url, {1: {"tier": before, "code": before, "memo": before, "left": before}},
           undone="B", job="U", at=4.0, left={1: {"left"}})
    rebase(url, {1: {"score": before}}, undone="B", job="U", at=4.0)
    record = LastWritten.open(url)
    assert record is not None
    try:
        # "left": B's first write, the undo left a colleague's value there: no base stands
        assert record.of(1) == {"tier": a, "code": a, "left": LEFT_THEIRS}, record.of(1)
    finally:
        record.close()
    rebase(url, {1: {"tier": before}}, undone="A", job="V", at=5.0)
    record = LastWritten.open(url)
    assert record is not None
    try:
        # the prior given back keeps its own prior (A wrote first: none): an undo of A
        # drops it, as a first write's (x51r12 F1: before, one level was kept and the
        # tier took UNKNOWN — Pipedrive's value kept, the older job's file wrote nothing)
        assert record.of(1) == {"code": a, "left": LEFT_THEIRS}, record.of(1)
    finally:
        record.close()


def test_stacked_undos_give_back_each_older_base(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs A, B, C, D, E write one field in turn; undone newest first, each undo gives
    back the base the undone job found (x51r12 F1: after two undos the base was
    ``UNKNOWN``); undone out of order, an undo of an older job than the base's leaves it;
    past ``DEPTH`` stacked jobs the deepest base is not known: ``UNKNOWN`` (Pipedrive's
    value kept), never a wrong one."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    url = "https://api.example"
    jobs = ("A", "B", "C", "D", "E")
    for n, job in enumerate(jobs):
        observe(url, [(1, {"tier": digest(job)}), (2, {"tier": digest(job)})], at=n + 1.0,
                job=job)
    seen = []
    for n, job in enumerate(reversed(jobs)):
        rebase(url, {1: {"tier": digest("x")}}, undone=job, job=f"u{job}", at=10.0 + n)
        record = LastWritten.open(url)
        assert record is not None
        try:
            seen.append(record.of(1).get("tier"))
        finally:
            record.close()
    # E..B undone: D's, C's, B's bases, then A's (DEPTH 3: A's prior is not known)
    assert seen == [digest("D"), digest("C"), digest("B"), UNKNOWN, UNKNOWN], seen
    # deal 2: C undone while E's write stands: left; E, D undone: C's write is the base,
    # whose undo again gives back B's
    rebase(url, {2: {"tier": digest("x")}}, undone="C", job="uC", at=20.0)
    for n, job in enumerate(("E", "D", "C")):
        rebase(url, {2: {"tier": digest("x")}}, undone=job, job=f"u{job}2", at=21.0 + n)
    record = LastWritten.open(url)
    assert record is not None
    try:
        assert record.of(2) == {"tier": digest("B")}, record.of(2)
    finally:
        record.close()



def test_the_older_updates_file_after_stacked_undos_is_written(tmp_path: Path) -> None:
    """x51r12 F1 (f_stacked.py): import → update U1 → update U2 (same fields) → undo U2 →
    undo U1 (all back at the import's values) → U1's file again writes every field (before:
    nothing written, "kept Pipedrive's …: changed in Pipedrive since", 0 of 18 fields: the
    second undo found U1's base without its prior and left ``UNKNOWN``)."""
    jobs, source = _setup(tmp_path)
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        imported, ids = _custom(sb), _ids(sb)
        u1, u2 = tmp_path / "u1.csv", tmp_path / "u2.csv"
        u1.write_text(f"Deal,{HEAD}\n" + "".join(f"{ids[k]},{UPDATED}\n" for k in KEYS))
        u2.write_text(f"Deal,{HEAD}\n" + "".join(
            f'{ids[k]},Event,Training,"USD 9000",2027-05-05,EXT-3,9\n' for k in KEYS))
        done = []
        for csv in (u1, u2):
            out = _run(sb, jobs, "update", str(csv), "-m", str(tmp_path / "u.toml"), "--yes")
            done.append(re.findall(r"job (\S+-update-\w+)", out)[0])
            if csv is u1:
                updated = _custom(sb)
        for job in reversed(done):
            _run(sb, jobs, "undo", job, "--yes")
        assert _custom(sb) == imported
        again = _run(sb, jobs, "update", str(u1), "-m", str(tmp_path / "u.toml"), "--yes")
        after = _custom(sb)
    assert after == updated, (after, again)
    assert "changed in Pipedrive since" not in again, again


def test_a_created_deal_whose_delete_the_undo_refused_keeps_the_colleagues_values(
        tmp_path: Path) -> None:
    """x51r12 F2 (chains12.py c5), as the README now says: an import creates K1..K3, a
    colleague edits K1, the undo of the import deletes K2, K3 and refuses K1 (changed
    since) — the create stands, and with it the import's writes as K1's base: the same
    import file keeps the colleague's values ("changed in Pipedrive since", not sent) and
    creates K2, K3 again."""
    jobs, source = _setup(tmp_path)
    with ThreadedSandbox(CONFIG) as sb:
        out = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
                   "--create-key-field")
        job = re.findall(r"job (\S+-import-\w+)", out)[0]
        imported, ids = _custom(sb), _ids(sb)
        _patch(sb, ids["K1"], BRONZE)
        undone = _run(sb, jobs, "undo", job, "--yes")
        assert set(_custom(sb)) == {"K1"}, undone
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
                     "--yes")
        after = _custom(sb)
    assert after["K1"] == BRONZE, (after, again)
    assert {k: after[k] for k in ("K2", "K3")} == {k: imported[k] for k in ("K2", "K3")}
    assert "changed in Pipedrive since" in again and "changed both" not in again, again
