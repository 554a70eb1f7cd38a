"""An upsert whose file gives a key a deal already carries in another spelling — the
leading zeros a spreadsheet round-trip dropped (``000417`` → ``417``), a Salesforce id in
its other length (15 / 18 characters) — is refused before any write, exit 1, naming the
rows and the pairs (x34r1 F3: every deal was created a second time, exit 0); the plan
refuses it the same way; an insert is checked alike, and two rows of one file that give
one key in two spellings are refused, both named; ``--keys-as-given`` creates such rows
deliberately."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.similar_keys import SALESFORCE, ZEROS, SimilarKeys, key_form, salesforce_suffix
from pdbulk.cli import app
from tests.update_support import cli_args, requests, threaded_sandbox

MAPPING = """version = 1
[import]
mode = "upsert"
key_column = "ERP No"
[defaults]
currency = "EUR"
[deal]
title = "Name"
value = "Amount"
"""


@pytest.mark.parametrize(("key", "form"), [
    ("000417", (ZEROS, "417")), ("417", (ZEROS, "417")), ("000", (ZEROS, "0")),
    ("001A0000006Vm9r", (SALESFORCE, "001A0000006Vm9r")),
    ("001A0000006Vm9rIAC", (SALESFORCE, "001A0000006Vm9r")),
    ("001A0000006Vm9rAAA", None),  # 18 characters, not the checksum: another key
    ("HS-100042", None), ("ERP-0417", None)])
def test_key_forms(key: str, form: tuple[str, str] | None) -> None:
    """Two spellings of one key share a form: digits without leading zeros; a Salesforce
    id's 15 characters (the 18-character id's checksum is Salesforce's documented one)."""
    assert key_form(key) == form
    assert salesforce_suffix("001A0000006Vm9r") == "IAC"


def test_an_exact_key_or_a_new_one_is_not_refused() -> None:
    """Only a key that is not itself a deal's, but another spelling of one, is noted."""
    similar = SimilarKeys()
    deals = {"000417": {}, "001A0000006Vm9r": {}}
    assert similar.see(2, "000417", {}, None) is None
    assert similar.see(3, "500", deals) is None
    assert similar.see(4, "417", deals) == "000417"
    assert similar.see(5, "001A0000006Vm9rIAC", deals) == "001A0000006Vm9r"
    with pytest.raises(Exception, match=r"2 rows \(rows 4, 5\)") as exc:
        similar.check()
    assert "'417' / '000417'" in str(exc.value) and "--keys-as-given" in str(exc.value)


def test_a_round_tripped_file_is_refused_before_any_write(tmp_path: Path) -> None:
    """The tester's repro through the command line: night 1 creates 000417..000419; the
    same export after a spreadsheet round-trip (417..419) is refused, exit 1, nothing
    sent (before: 3 deals created again, exit 0); its plan exits 1 too; --mode insert is
    refused alike (before: 3 created); with --keys-as-given the rows are created
    deliberately."""
    (tmp_path / "m.toml").write_text(MAPPING)
    night1, night2 = tmp_path / "night1.csv", tmp_path / "night2.csv"
    night1.write_text("ERP No,Name,Amount\n000417,Deal 417,100\n000418,Deal 418,200\n"
                      "000419,Deal 419,300\n")
    night2.write_text("ERP No,Name,Amount\n417,Deal 417,100\n418,Deal 418,200\n"
                      "419,Deal 419,350\n")
    runner = CliRunner()

    def pdbulk(*args: str) -> tuple[int, str]:
        res = runner.invoke(app, [*args, "--mapping", str(tmp_path / "m.toml"),
                                  *cli_args(sb, tmp_path / "jobs")], env={
            **os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
            "PDBULK_STATE_DIR": str(tmp_path / "state")})
        assert "Traceback" not in res.output, res.output
        return res.exit_code, " ".join(res.output.split())

    with threaded_sandbox(SandboxConfig(deals=0, time_scale=0.02, seed=3)) as sb:
        code, out = pdbulk("import", str(night1), "--create-key-field")
        assert code == 0, out
        before = requests(sb)
        code, out = pdbulk("plan", "import", str(night2))
        assert code == 1 and "3 rows (rows 2, 3, 4)" in out and "'417' / '000417'" in out, out
        code, out = pdbulk("import", str(night2))
        assert code == 1 and "Nothing was sent" in out and "leading zeros" in out, out
        after = requests(sb)
        assert {op: after.get(op, 0) - before.get(op, 0) for op in
                ("addDeal", "updateDeal")} == {"addDeal": 0, "updateDeal": 0}, after
        jobs = [d.name for d in (tmp_path / "jobs").iterdir() if d.is_dir()]
        assert len(jobs) == 1, jobs  # night 1's: the refused load leaves no job
        code, out = pdbulk("plan", "import", str(night2), "--mode", "insert")
        assert code == 1 and "3 rows (rows 2, 3, 4)" in out, out
        code, out = pdbulk("import", str(night2), "--mode", "insert")
        assert code == 1 and "'417' / '000417'" in out and "Nothing was sent" in out, out
        assert requests(sb).get("addDeal", 0) - before.get("addDeal", 0) == 0
        code, out = pdbulk("import", str(night2), "--mode", "insert", "--keys-as-given")
        assert code == 0, out
        assert requests(sb).get("addDeal", 0) - before.get("addDeal", 0) == 3


@pytest.mark.parametrize("mode", ["upsert", "insert"])
def test_two_spellings_in_one_file_are_refused(tmp_path: Path, mode: str) -> None:
    """One file gives 417 (row 2) and 000417 (row 4), and a Salesforce id in both lengths
    (rows 3 and 5), no deal carrying any: the import and its plan are refused, exit 1,
    naming both rows of each pair, nothing sent (before: 4 deals created, two records
    twice); with --keys-as-given all 4 are created."""
    (tmp_path / "m.toml").write_text(MAPPING)
    night = tmp_path / "night.csv"
    night.write_text("ERP No,Name,Amount\n417,Deal 417,100\n001A0000006Vm9r,SF,200\n"
                     "000417,Deal 417 again,100\n001A0000006Vm9rIAC,SF again,200\n"
                     "HS-1,Other,5\n")
    runner = CliRunner()

    def pdbulk(*args: str) -> tuple[int, str]:
        res = runner.invoke(app, [*args, "--mapping", str(tmp_path / "m.toml"),
                                  "--mode", mode, *cli_args(sb, tmp_path / "jobs")], env={
            **os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
            "PDBULK_STATE_DIR": str(tmp_path / "state")})
        assert "Traceback" not in res.output, res.output
        return res.exit_code, " ".join(res.output.split())

    with threaded_sandbox(SandboxConfig(deals=0, time_scale=0.02, seed=3)) as sb:
        for command in (("plan", "import"), ("import",)):
            code, out = pdbulk(*command, str(night), "--create-key-field")
            assert code == 1, out
            assert "row 2 '417' / row 4 '000417'" in out, out
            assert "row 3 '001A0000006Vm9r' / row 5 '001A0000006Vm9rIAC'" in out, out
        assert requests(sb).get("addDeal", 0) == 0
        code, out = pdbulk("import", str(night), "--create-key-field", "--keys-as-given")
        assert code == 0, out
        assert requests(sb).get("addDeal", 0) == 5


@pytest.mark.parametrize(("first", "later", "said", "unsaid"), [
    ("417", "000417", "the leading zeros it adds", "drops them"),
    ("000417", "417", "drops them", "it adds"),
])
def test_two_spellings_in_one_file_are_worded_by_direction(first: str, later: str, said: str,
                                                           unsaid: str) -> None:
    """The later row's key has zeros the earlier's lacks, or lacks the earlier's: the
    refusal says which (x35r1: "a spreadsheet ... drops them" was said both ways round)."""
    from bulk.errors import InputError
    from jobs.similar_keys import SimilarKeys

    keys = SimilarKeys()
    assert not keys.see_in_file(2, first) and keys.see_in_file(4, later)
    with pytest.raises(InputError) as info:
        keys.check(lambda: [(2, first), (4, later)])
    text = str(info.value)
    assert said in text and unsaid not in text, text
    assert f"row 2 {first!r} / row 4 {later!r}" in text, text


def test_several_kinds_in_one_file_are_said_one_clause_each() -> None:
    """x36r1 L1: a file whose rows give keys in three other spellings ran the reasons
    together ("(but for … and in its other length … and but for …)"), and one row against
    the account's was "1 row (rows 2)". Now one clause a kind, each with its pairs."""
    from bulk.errors import InputError
    from jobs.similar_keys import SimilarKeys

    keys = SimilarKeys()
    rows = [(2, "000417"), (3, "417"), (4, "88"), (5, "0088"), (6, "001A0000006Vm9r"),
            (7, "001A0000006Vm9rIAC")]
    for row, key in rows:
        keys.see_in_file(row, key)
    with pytest.raises(InputError) as info:
        keys.check(lambda: rows)
    text = str(info.value)
    assert "drops them): row 2 '000417' / row 3 '417'" in text, text
    assert "pads the key column to a width adds them): row 4 '88' / row 5 '0088'" in text, text
    assert "one record): row 6 '001A0000006Vm9r' / row 7 '001A0000006Vm9rIAC'" in text, text
    assert " and but " not in text, text
    single = SimilarKeys()
    assert single.see(2, "417", {"000417": {}}) == "000417"
    with pytest.raises(InputError, match=r"1 row \(row 2\)"):
        single.check()


@pytest.mark.parametrize(("key", "theirs", "said", "fix"), [
    ("001A0000006Vm9rIAC", "001A0000006Vm9r", "in its 18-character form",
     "give the 15-character id"),
    ("001A0000006Vm9r", "001A0000006Vm9rIAC", "in its 15-character form",
     "export Salesforce's 18-character Id"),
])
def test_a_salesforce_id_is_worded_by_its_length(key: str, theirs: str, said: str,
                                                 fix: str) -> None:
    """x36r3 F3: a file holding the 18-character id, against deals carrying the 15, was
    advised to "export Salesforce's 18-character Id ... as earlier imports did"."""
    from bulk.errors import InputError
    from jobs.similar_keys import SimilarKeys

    keys = SimilarKeys()
    assert keys.see(2, key, {theirs: {}}) == theirs
    with pytest.raises(InputError) as info:
        keys.check()
    text = str(info.value)
    assert said in text and fix in text, text
    # x38r1: "Give the keys as earlier imports did (… , as earlier imports did)"
    assert text.count("as earlier imports did") == 1, text
