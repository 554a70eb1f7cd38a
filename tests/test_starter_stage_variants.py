"""init-mapping writes one stage-map entry per stage for source values alike but for case
and spacing (the map is read so), spelled as the stage is where a value spells it so
(x46r1 F5: a Pipedrive export's ``QUALIFIED``, ``qualified``, ``Contact  Made``... gave
19 entries for 5 stages)."""

from __future__ import annotations

import tomllib

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal Name", "Stage"]


def _stage_map(catalog: Catalog, stages: list[str]) -> dict[str, str]:  # noqa: F811
    text = init_mapping(HEADER, catalog, samples={"Deal Name": ["D1"], "Stage": stages})
    got: dict[str, str] = tomllib.loads(text)["deal"]["stage"]["map"]
    return got


def test_case_and_spacing_variants_are_one_entry(catalog: Catalog) -> None:  # noqa: F811
    got = _stage_map(catalog, ["QUALIFIED", "Proposal  Made", "qualified", "Qualified",
                               "proposal made", " Qualified"])
    assert got == {"Qualified": "Qualified", "Proposal  Made": "Proposal Made"}, got


def test_a_value_without_spaces_keeps_its_own_entry(catalog: Catalog) -> None:  # noqa: F811
    # "ProposalMade" is another key of the map than "Proposal Made": both are needed
    got = _stage_map(catalog, ["ProposalMade", "Proposal Made", "PROPOSAL MADE"])
    assert got == {"ProposalMade": "Proposal Made", "Proposal Made": "Proposal Made"}, got
