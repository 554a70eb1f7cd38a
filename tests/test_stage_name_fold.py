"""One fold for every place a stage or pipeline name is compared — a stage map's keys, a
pipeline map's keys, the catalog's stage and pipeline lookups, move-stage's options, the
defaults: ``>`` and U+203A, case, spacing, NFC / NFD alike (``tf.stage_key``).

x48r8 F1: map ``"EU U+203A Discovery" = "Sales U+203A Discovery"``; the cells ``EU>Discovery``
and ``eu  >  discovery`` missed the key and were read as the stage EU U+203A Discovery (16),
not Sales' (12), the plan saying 5 of 5 valid. x48r8 F2: a pipeline cell ``Asia > Pacific``
was ``no pipeline named ...`` for the pipeline ``Asia U+203A Pacific``. x48r8 F4:
``--pipeline Sales --to-stage "Inbound - Web U+203A Won"`` was refused though the target
names its own pipeline."""

from __future__ import annotations

import unicodedata

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs import transforms as tf
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, MappingError, compile_mapping
from jobs.mapping.rowmapper import InDealPipeline
from jobs.selection import DealQuery
from jobs.stages import MoveTarget
from jobs.update_mapping import UpdateMapping

SEP = "\u203a"
ASIA = f"Asia {SEP} Pacific"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "EU"), Pipeline(3, "Retail / Online"),
               Pipeline(4, "Partnerships"), Pipeline(5, ASIA), Pipeline(6, "Inbound - Web")),
    stages=(Stage(12, "Discovery", 1, 1), Stage(16, "Discovery", 2, 1),
            Stage(27, "Lead In", 3, 1), Stage(6, "Lead In", 4, 1),
            Stage(40, "Qualified", 5, 1), Stage(41, "Discovery", 5, 2),
            Stage(50, "Won", 6, 2), Stage(51, "New", 6, 1)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))

MAPPED = f"""\
"EU {SEP} Discovery" = "Sales {SEP} Discovery"
"Retail / Online > Lead In" = "Partnerships {SEP} Lead In"
"""
IMPORT = f"""\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
[deal.stage]
column = "Stage"
[deal.stage.map]
{MAPPED}"""
UPDATE = f"""\
version = 1
[update]
id_column = "Deal ID"
[deal]
[deal.stage]
column = "Stage"
[deal.stage.map]
{MAPPED}"""


def _mapper(mapping: str, catalog: Catalog = CATALOG) -> object:
    return (UpdateMapping.loads(mapping).compile(catalog) if "[update]" in mapping
            else compile_mapping(Mapping.loads(mapping), catalog))


def _deal(mapping: str, **cells: str) -> dict[str, object]:
    values = {"Key": "k1", "Title": "A", "Deal ID": "5", **cells}
    return dict(_mapper(mapping).map(SourceRow(7, 7, values)).deal)  # type: ignore[attr-defined]


NFD = unicodedata.normalize("NFD", "Caf\u00e9 > Lead In")


@pytest.mark.parametrize("mapping", [IMPORT, UPDATE], ids=["import", "update"])
@pytest.mark.parametrize(("cell", "stage_id"), [
    (f"EU {SEP} Discovery", 12), ("EU>Discovery", 12), ("eu  >  discovery", 12),
    (f"EU{SEP}Discovery", 12), ("EU > Discovery", 12),
    (f"Retail / Online {SEP} Lead In", 6), ("Retail / Online>Lead In", 6),
    ("retail / online  >  lead in", 6), ("Retail / Online > Lead In", 6)])
def test_a_stage_map_key_catches_every_spelling_of_its_separator(
        mapping: str, cell: str, stage_id: int) -> None:
    got = _deal(mapping, Stage=cell)["stage_id"]
    if isinstance(got, InDealPipeline):  # an update's row of no pipeline: read in the
        # deal's (x51r4 F1), here a deal of the entry's pipeline
        got = got.place(next(s.pipeline_id for s in CATALOG.stages if s.id == stage_id)
                        )["stage_id"]
    assert got == stage_id


def test_the_fold_is_one_for_map_keys_and_the_catalog() -> None:
    for a, b in [("EU>Discovery", f"eu {SEP} discovery"), (NFD, "CAF\u00c9\u203aLEAD IN"),
                 ("  Asia \u203a  Pacific ", "asia>pacific")]:
        assert tf.stage_key(a) == tf.stage_key(b)
        assert tf.ValueMap({a: "x"}, tf.stage_key).get(b) == "x"
    assert tf.ValueMap({"EU > Discovery": "x"}).get("EU>Discovery") is None  # norm_key's own


@pytest.mark.parametrize("spelling", ["Asia > Pacific", "Asia>Pacific", f"Asia{SEP}Pacific",
                                      f"asia  {SEP}  pacific", ASIA])
def test_a_pipeline_name_folds_its_separator_everywhere(spelling: str) -> None:
    assert CATALOG.pipeline(spelling).id == 5
    assert CATALOG.stage(f"{spelling} > Qualified").id == 40
    assert CATALOG.stage("Qualified", CATALOG.pipeline(spelling).id).id == 40
    # import and update: a Pipeline column, a pipeline map, a pipeline default
    for mapping in (IMPORT, UPDATE):
        column = mapping.replace("[deal.stage]", 'pipeline = "Pipe"\n[deal.stage]', 1)
        assert _deal(column, Stage="Discovery", Pipe=spelling)["stage_id"] == 41
        mapped = mapping.replace(
            "[deal.stage]", f'pipeline = {{ column = "Pipe", map = {{ "{spelling}" = '
                            f'"{ASIA}" }} }}\n[deal.stage]', 1)
        assert _deal(mapped, Stage="Discovery", Pipe="Asia>Pacific")["stage_id"] == 41
    default = IMPORT.replace(MAPPED, "").replace("[deal.stage.map]", "").replace(
        "[deal.stage]", f'pipeline = {{ default = "{spelling}" }}\n'
                                             '[deal.stage]\ndefault = "Discovery"', 1)
    assert _deal(default, Stage="")["stage_id"] == 41
    # move-stage: --to-pipeline and --pipeline
    assert MoveTarget("Discovery", spelling).body(CATALOG) == {"stage_id": 41}
    assert DealQuery(pipeline=spelling, stage="Discovery").params(CATALOG) == {
        "pipeline_id": 5, "stage_id": 41}


def test_map_keys_alike_with_two_targets_are_refused_never_last_wins() -> None:
    mapping = IMPORT.replace(MAPPED, MAPPED + f'"EU>Discovery" = "EU {SEP} Discovery"\n')
    with pytest.raises(MappingError, match="deal.stage.map.\"EU>Discovery\": 'EU>Discovery' "
                                           f"and 'EU {SEP} Discovery' are one value"):
        _mapper(mapping)
    same = IMPORT.replace(MAPPED, MAPPED + f'"EU>Discovery" = "Sales {SEP} Discovery"\n')
    assert _mapper(same)


def test_move_stage_to_a_stage_named_with_its_own_pipeline_from_another() -> None:
    """README: a stage written with its pipeline is that pipeline's stage; ``--pipeline``
    selects the deals (x48r8 F4)."""
    target = MoveTarget(f"Inbound - Web {SEP} Won")
    assert target.problems(CATALOG, "Sales") == []
    assert target.body(CATALOG, "Sales") == {"stage_id": 50}
    assert MoveTarget("Inbound - Web>won").body(CATALOG, "Sales") == {"stage_id": 50}
    # a bare name is still looked up in --pipeline; --to-pipeline still decides
    assert MoveTarget("Won").problems(CATALOG, "Sales") == [
        "no stage named 'Won' in pipeline 'Sales' (stages: Discovery)"]
    problems = MoveTarget(f"Inbound - Web {SEP} Won", "Sales").problems(CATALOG, "EU")
    assert problems and "not in pipeline 'Sales'" in problems[0]
    with pytest.raises(InputError):
        MoveTarget(f"Inbound - Web {SEP} Won", "Sales").body(CATALOG)


def test_a_status_read_from_the_stage_column_folds_its_keys_as_stage_names() -> None:
    mapping = IMPORT.replace("[deal.stage]", f'status = {{ column = "Stage", map = {{ '
                                             f'"EU {SEP} Discovery" = "won", "*" = "open" }} }}'
                                             "\n[deal.stage]", 1)
    for cell in ("EU>Discovery", "eu  >  discovery", f"EU {SEP} Discovery"):
        assert _deal(mapping, Stage=cell)["status"] == "won"
    assert _deal(mapping, Stage="Retail / Online>Lead In")["status"] == "open"
