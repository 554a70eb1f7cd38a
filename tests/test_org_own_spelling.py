"""Among organizations of the account a row's name finds, its own spelling wins over one
only folded alike (``Mueller`` / ``Müller``, ``Muller``, ``ß`` / ``ss``): two spellings
are two records, as in one file; a row found only under another spelling says it
(succeeded.csv's org_matched_by, the plan). x42r1 F1: ``Mueller & Soehne AG`` rows were
linked, silently, to the account's ``Müller & Söhne AG`` (the lower id) though the
account has ``Mueller & Soehne AG`` too."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from jobs import transforms as tf
from jobs.account import OrgIndex, PersonIndex
from pdbulk.cli import app
from tests.import_support import ORG_MAPPING, add_org, import_once
from tests.sandbox_helpers import threaded_sandbox

MAPPING = ORG_MAPPING


@pytest.mark.parametrize("umlauts_first", [True, False])
def test_each_row_links_the_organization_of_its_own_spelling(tmp_path: Path,
                                                             umlauts_first: bool) -> None:
    """Müller & Söhne AG and Mueller & Soehne AG in the account, in either id order: the
    Mueller rows (any case) link Mueller, the Müller row Müller, with org_matched_by
    ``name``; Muller & Sohne AG (neither's spelling) links Müller and says its spelling;
    Koeln Bau GmbH finds the account's only Köln Bau GmbH and says so; the plan counts
    the two rows found under another spelling."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text("key,title,company\nM1,m1,Mueller & Soehne AG\n"
                        "M2,m2,Müller & Söhne AG\nM3,m3,MUELLER & SOEHNE AG\n"
                        "M4,m4,Muller & Sohne AG\nK1,k1,Koeln Bau GmbH\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        names = ["Müller & Söhne AG", "Mueller & Soehne AG"]
        ids = {n: add_org(sb, n) for n in (names if umlauts_first else names[::-1])}
        koeln = add_org(sb, "Köln Bau GmbH")
        planned = CliRunner().invoke(app, ["plan", "import", str(manifest), "-m",
                                           str(tmp_path / "m.toml"), "--url", sb.url,
                                           "--create-key-field"],
                                     env={"PIPEDRIVE_API_TOKEN": sb.token})
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest,
                                                    tmp_path / "m.toml"))
        try:
            with (store.directory / "succeeded.csv").open(encoding="utf-8") as f:
                rows = {r["key"]: r for r in csv.DictReader(f)}
        finally:
            store.close()
    umlauts, plain = ids["Müller & Söhne AG"], ids["Mueller & Soehne AG"]
    assert (rows["M1"]["org_id"], rows["M1"]["org_matched_by"]) == (str(plain), "name")
    assert (rows["M3"]["org_id"], rows["M3"]["org_matched_by"]) == (str(plain), "name")
    assert (rows["M2"]["org_id"], rows["M2"]["org_matched_by"]) == (str(umlauts), "name")
    assert rows["M4"]["org_id"] == str(umlauts)
    assert rows["M4"]["org_matched_by"] == "name, spelled Müller & Söhne AG in Pipedrive"
    assert rows["K1"]["org_id"] == str(koeln)
    assert rows["K1"]["org_matched_by"] == "name, spelled Köln Bau GmbH in Pipedrive"
    said = " ".join(planned.output.split())
    assert "2 rows matched one spelled otherwise" in said, said


@pytest.mark.parametrize(("existing", "row", "expected"), [
    (("Müller & Söhne AG", "Mueller & Soehne AG"), "Mueller & Soehne AG", 2),
    (("Mueller & Soehne AG", "Müller & Söhne AG"), "mueller und soehne ag", 1),
    (("Müller & Söhne AG", "Mueller & Soehne AG"), "Müller und Söhne Aktiengesellschaft", 1),
    (("Muller GmbH", "Müller GmbH"), "MÜLLER GMBH", 2),
    (("Müller GmbH", "Muller GmbH"), "Muller GmbH", 2),
    (("Café Nord", "Cafe Nord"), "Cafe Nord", 2),
    (("Großmann AG", "Grossmann AG"), "Grossmann AG", 2),
    (("Grossmann AG", "Großmann AG"), "Großmann AG", 2),
    (("Müller GmbH", "Müller GmbH"), "Mueller GmbH", 1),  # one entered twice: the lowest
])
def test_the_own_spelling_wins_whatever_the_ids(existing: tuple[str, str], row: str,
                                                expected: int) -> None:
    """Two organizations a row's key finds, spelled otherwise: the one of the row's
    spelling (case and spacing aside, then the legal form's or the ``&``'s spelling
    aside), not the lower id; the same name twice still takes the lower id."""
    index = OrgIndex()
    for oid, name in enumerate(existing, start=1):
        index.add({"id": oid, "name": name})
    key = tf.org_match_key(row)
    assert key is not None
    found = index.match(key, name=row)
    assert found == (expected, "name")
    assert index.match(key, "1 Main St", name=row) == (expected, "name")


@pytest.mark.parametrize("row", ["José Núñez", "Jose Nunez", "JOSE NUNEZ"])
def test_a_person_of_the_own_spelling_wins_at_the_organization(row: str) -> None:
    """José Núñez and Jose Nunez at one organization (two persons, one name key): a row of
    either spelling and that organization links its own, not fails as "2 persons named"
    (the same rule as organizations); a third spelling of neither still fails."""
    index = PersonIndex()
    index.add({"id": 1, "name": "José Núñez", "org_id": 9})
    index.add({"id": 2, "name": "Jose Nunez", "org_id": 9})
    assert index.match(None, row, org_id=9) == (1 if "é" in row else 2, "name+org")
    with pytest.raises(InputError, match="2 persons named"):
        index.match(None, "Jose Núñez", org_id=9)
