"""An organization cell naming two organizations with a separator the person cell always
reads as a list (``|``, `` / ``, a line break, ``;``, ...) fails its row naming both,
whether both exist, one or none: never one new organization named with both (z55r1 F4:
``'Acme Inc | Globex Corp'`` was made and 4 deals linked to it while both existed).
Company names' own ``&``, ``and``, ``,``, ``+`` and unspaced ``/`` stay one name."""

from __future__ import annotations

import asyncio
import csv
import itertools
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping.starter import init_mapping
from tests.each_case import check_each
from tests.import_support import add_org, import_once, read_csv
from tests.test_mapping import catalog  # noqa: F401  (fixture)

FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "id"
[deal]
title = "title"
[organization]
name = "company"
"""
# every separator the person cell always lists at (name_lists._SEPARATORS) that no
# company's own name writes, as written, spaced and unspaced
SEPARATORS = {";": ";", "|": "|", "\n": "a line break", "\r\n": "a line break",
              "\u2028": "a line break", "\u3001": "\u3001", "\uff0c": "\uff0c",
              "\uff1b": "\uff1b", "\u060c": "\u060c"}
SPACINGS = [("", ""), (" ", " "), ("  ", " "), (" ", ""), ("", " ")]
PAIRS = [("Acme Inc", "Globex Corp"), ("Maersk A/S", "Procter & Gamble"),
         ("Smith, Jones & Co", "AT&T"), ("Müller GmbH", "株式会社ABC")]


def _lists(sep: str, spacing: tuple[str, str], pair: tuple[str, str]) -> None:
    cell = pair[0] + spacing[0] + sep + spacing[1] + pair[1]
    assert tf.listed_organizations(cell) == (list(pair), SEPARATORS[sep]), repr(cell)
    assert tf.listed_organizations(cell + sep + " Initech") == (
        [*pair, "Initech"], SEPARATORS[sep])


# one item per separator, its spacings x pairs looped and each failing cell named (issue 8,
# f57c: 180 items before)
@pytest.mark.parametrize("sep", list(SEPARATORS))
def test_every_list_separator_lists_organizations(sep: str) -> None:
    assert check_each({f"spacing={spacing!r} {pair!r}": (sep, spacing, pair)
                       for spacing, pair in itertools.product(SPACINGS, PAIRS)},
                      _lists) == len(SPACINGS) * len(PAIRS)


@pytest.mark.parametrize("cell", ["Acme Inc / Globex Corp", "Acme Inc /Globex Corp",
                                  "Acme Inc/ Globex Corp", "Acme Inc  /  Globex Corp"])
def test_a_spaced_slash_lists_organizations(cell: str) -> None:
    assert tf.listed_organizations(cell) == (["Acme Inc", "Globex Corp"], "/")


@pytest.mark.parametrize("cell", [
    "Procter & Gamble", "Smith, Jones & Co", "Maersk A/S", "AC/DC Ltd", "Bang + Olufsen",
    "Johnson and Johnson", "Acme Inc", "Acme (Berlin | Munich)", "Acme [A;B] Ltd",
    "Acme Inc;", "| Acme Inc", "Acme Inc\n", "Acme Inc;  ;", "Acme / ", "Müller & Söhne KG",
    "Ernst und Sohn", "Acme Inc, Globex Corp", "Acme Inc & Globex Corp", "", "-",
])
def test_a_company_names_own_marks_stay_one_name(cell: str) -> None:
    assert tf.listed_organizations(cell) is None


@pytest.mark.anyio
async def test_a_listing_organization_cell_fails_its_row_and_makes_none(
        tmp_path: Path) -> None:
    """The tester's spellings by both exist / one exists / none: each row fails naming both
    organizations and its separator; no organization is made; ``A/S`` and ``&`` rows are
    created with their organization as written."""
    manifest, mapping = tmp_path / "o.csv", tmp_path / "o.toml"
    mapping.write_text(MAPPING)
    pairs = {"both": ("Acme Inc", "Globex Corp"), "one": ("Acme Inc", "Initech Ltd"),
             "none": ("Hooli Corp", "Umbrella Ltd")}
    seps = {"semi": ";", "pipe": " | ", "slash": " / ", "line": "\n", "glued": "|"}
    rows = [[f"{w}-{s}", f"{w} {s}", a + sep + b]
            for (w, (a, b)), (s, sep) in itertools.product(pairs.items(), seps.items())]
    rows += [["ok-as", "as", "Maersk A/S"], ["ok-amp", "amp", "Procter & Gamble"]]
    with manifest.open("w", newline="") as f:
        csv.writer(f).writerows([["id", "title", "company"], *rows])
    async with serve(SandboxConfig(**FAST)) as sb:
        for name in ("Acme Inc", "Globex Corp"):  # (a colleague, off the loop)
            await asyncio.to_thread(add_org, sb, name)
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        orgs = sorted(o["name"] for o in sb.state.orgs.rows.values())
    assert set(failed) == {r[0] for r in rows[:-2]}, failed
    for (w, (a, b)), (s, sep) in itertools.product(pairs.items(), seps.items()):
        reason = failed[f"{w}-{s}"]["reason"]
        said = "a line break" if sep == "\n" else repr(sep.strip())
        assert f"the organization cell names 2 organizations ({a!r}, {b!r}), separated " \
            f"by {said}" in reason, reason
        assert failed[f"{w}-{s}"]["column"] == "company"
    assert orgs == ["Acme Inc", "Globex Corp", "Maersk A/S", "Procter & Gamble"], orgs


def test_init_mapping_says_an_organization_column_lists_several(
        catalog: Catalog) -> None:  # noqa: F811
    text = init_mapping(["Record ID", "Deal Name", "Company"], catalog,
                        samples={"Company": ["Acme", "Maersk A/S", "Acme Inc | Globex Corp",
                                             "Acme Inc\nGlobex Corp"]})
    assert "name several organizations (2 of 4 sampled, e.g. 'Acme Inc | Globex Corp')" \
        in text, text
