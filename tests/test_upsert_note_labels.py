"""An upsert's row notes name an option field's values by their labels, as the update's
notes do (x50r5 F3: ``Tier: 18 in Pipedrive, 13 in the file``, where an option labelled
``13`` read as the wrong one; x48r2 F5 made the update's say labels), and a long text
value is cut in a note (a 5,000-character text was printed whole)."""

from __future__ import annotations

from pathlib import Path

from jobs.deals import shown, value_key
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_restores_base import CONFIG, HEAD, IMPORT, _patch, _run


def test_an_upserts_both_sides_note_names_options_by_label(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    (tmp_path / "m.toml").write_text(IMPORT)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(f"Ref,Title,{HEAD}\nK1,Deal K1,Website,CRM;Support,USD 5000,"
                     "2027-01-15,EXT-1,5\n")
    second.write_text(f"Ref,Title,{HEAD}\nK1,Deal K1,Referral,Analytics,USD 5000,"
                      "2027-01-15,EXT-1,5\n")
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(first), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        (deal_id,) = (d["id"] for d in sb.state.deals.rows.values())
        _patch(sb, deal_id, {"Lead source": "Event", "Products of interest": ["Training"]})
        said = _run(sb, jobs, "import", str(second), "-m", str(tmp_path / "m.toml"))
    (row,) = read_csv(jobs / said.split()[1] / "succeeded.csv")
    assert "Lead source: Event in Pipedrive, Referral in the file" in row["note"], (row, said)
    assert "Products of interest: [Training] in Pipedrive, [Analytics] in the file" \
        in row["note"], row


def test_a_long_text_is_cut_in_a_note() -> None:
    text = "x" * 4990 + "0123456789"
    said = shown("title", text, {})
    assert said == "'" + "x" * 60 + "'… (5,000 characters)", said
    assert shown("title", "short", {}) == "'short'"


def test_a_set_and_a_monetary_value_read_one_way_in_a_note() -> None:
    """x50r5 F4: undo's notes joined a set's labels by ", " (a label holding a comma read
    as two options) and printed a monetary value as a Python dict."""
    labels = {value_key("custom_fields.c", 1): "Fax, legacy", value_key("custom_fields.c", 2):
              "Email", value_key("custom_fields.c", 3): "CRM"}
    assert shown("custom_fields.c", [1, 2], labels) == "['Fax, legacy', 'Email']"
    assert shown("custom_fields.c", [3, 2], labels) == "[CRM, Email]"
    assert shown("custom_fields.m", {"value": 1000.5, "currency": "CHF"}, {}) == "CHF 1,000.50"
    assert shown("custom_fields.m", {"value": 5000, "currency": "USD"}, {}) == "USD 5,000"
    assert shown("custom_fields.m", {"value": 0.125, "currency": "EUR"}, {}) == "EUR 0.125"
