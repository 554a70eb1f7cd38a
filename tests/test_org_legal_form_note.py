"""An organization found under another spelling of its legal form (``Oscorp Inc.`` ->
the account's ``Oscorp Corp``: one key, as US forms are one) is said, not silent:
succeeded.csv's org_matched_by reads ``name, legal form differs (Inc. / Corp)`` and the
plan counts such rows (f29h 6: it said ``name`` alone)."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.account import OrgIndex
from pdbulk.cli import app
from tests.import_support import ORG_MAPPING, add_org, import_once
from tests.sandbox_helpers import threaded_sandbox

MAPPING = ORG_MAPPING


def test_an_organization_found_under_another_legal_form_says_so(tmp_path: Path) -> None:
    """Oscorp Inc. links the account's Oscorp Corp and says both forms; Oscorp Corp. and
    Acme Incorporated (Acme Inc) are the same words and say name alone; the plan's
    organizations line counts the one row."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text("key,title,company\nk1,D1,Oscorp Inc.\nk2,D2,Oscorp Corp.\n"
                        "k3,D3,Acme Incorporated\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        oscorp, acme = add_org(sb, "Oscorp Corp"), add_org(sb, "Acme Inc")
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
    said = " ".join(planned.output.split())
    assert "1 row matched one under another spelling of its legal form" in said, said
    assert rows["k1"]["org_id"] == str(oscorp)
    assert rows["k1"]["org_matched_by"] == "name, legal form differs (Inc. / Corp)"
    assert rows["k2"]["org_matched_by"] == "name" and rows["k2"]["org_id"] == str(oscorp)
    assert rows["k3"]["org_matched_by"] == "name" and rows["k3"]["org_id"] == str(acme)


def test_the_forms_compared_are_the_words_not_the_key() -> None:
    """Inc / Corp differ (one key); Inc / Incorporated, Ltd. / Limited, GmbH & Co KG as
    written twice do not; a name without a form never differs."""
    index = OrgIndex()
    for oid, name in ((1, "Oscorp Corp"), (2, "Acme Ltd"), (3, "Müller GmbH & Co. KG"),
                      (4, "Plain")):
        index.add({"id": oid, "name": name})
    assert index.other_form(1, "Oscorp Inc.") == "Inc. / Corp"
    assert index.other_form(1, "Oscorp Corporation") is None
    assert index.other_form(1, "Oscorp") is None
    assert index.other_form(2, "Acme Limited") is None
    assert index.other_form(3, "Müller GmbH & Co KG") is None
    assert index.other_form(4, "Plain Inc") is None
