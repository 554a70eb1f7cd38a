"""init-mapping's reading of a stage column's won / lost words in their rows' pipelines, as
the mapping reads them (``compiler._stage_status``, x49r1 F3): a word that is a stage of
its rows' pipeline is that stage; one that is no stage there is a status; one that is a
stage in some of its rows' pipelines only is read per row, its other rows placed by the
stage map's ``"*"``. Never reads the account: the catalog is handed in."""

from __future__ import annotations

import json
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence

from bulk.errors import AmbiguousName, InputError

from .. import transforms as tf
from ..catalog import Catalog, Pipeline


def value_pipelines(rows: Sequence[MappingABC[str, object]],
                     samples: MappingABC[str, Sequence[str]] | None, stage_column: str | None,
                     pipeline_column: str | None, default: int | None,
                     catalog: Catalog, *, exact: bool = False) -> dict[str, set[int | None]]:
    """A stage value's key (``tf.stage_key``; ``exact``: ``as_written``, each spelling apart,
    x50r9 F3: ``won\\u200b`` was given Won's pipelines) -> the pipelines of the rows that
    hold it (a pipeline cell that names none, or no pipeline at all: None, any pipeline).
    With no pipeline column every row is in ``default``; with no rows, each value is in
    every pipeline the column's samples name."""
    key = as_written if exact else tf.stage_key

    def pipeline_of(cell: object) -> int | None:
        text = tf.clean_text(cell) if isinstance(cell, str) else None
        try:
            return catalog.pipeline(text).id if text else default
        except InputError:
            return None
    if not stage_column:
        return {}
    if not pipeline_column:
        return {key(str(v)): {default}
                for v in (samples or {}).get(stage_column, ())}
    out: dict[str, set[int | None]] = {}
    if not rows:
        where = {pipeline_of(v) for v in (samples or {}).get(pipeline_column, ())} or {None}
        return {key(str(v)): where for v in (samples or {}).get(stage_column, ())}
    for row in rows:
        value = row.get(stage_column)
        if value is not None and str(value).strip():
            out.setdefault(key(str(value)), set()).add(
                pipeline_of(row.get(pipeline_column)))
    return out


def as_written(value: str) -> str:
    """A cell as written, but for spacing (an invisible character kept: ``won\\u200b``)."""
    return " ".join(value.split())


def a_stage_in(catalog: Catalog, value: str, pipeline_id: int | None) -> bool:
    """Whether ``value`` names a stage in ``pipeline_id``'s pipeline (None: any), or names
    its own pipeline (``North U+203A Won``): the stage it is, never a status."""
    if catalog.with_its_pipeline(value) is not None:
        return True
    if pipeline_id is None:
        return catalog.names_a_stage(value)
    try:
        catalog.stage(value, pipeline_id)
    except AmbiguousName:
        return True
    except InputError:
        return False
    return True


def shared_stages(catalog: Catalog, pipelines: Sequence[Pipeline]) -> list[str]:
    """The names of the stages every one of ``pipelines`` has (``tf.stage_key`` alike: a map
    target is looked up so in each row's pipeline), as the first spells them, in its board
    order, none that is a case twin in one of them; [] for no pipelines."""
    if not pipelines:
        return []
    keys = set.intersection(*({tf.stage_key(s.name) for s in catalog.stages_in(p.id)}
                              for p in pipelines))
    # never a case twin of any of them (x50r9 F3: "*" = "Qualified" offered, Sales
    # holding Qualified and qualified): such a target cannot say which
    for p in pipelines:
        names = [s.name for s in catalog.stages_in(p.id)]
        keys -= {k for k in keys if len({n for n in names if tf.stage_key(n) == k}) > 1}
    return [s.name for s in catalog.stages_in(pipelines[0].id) if tf.stage_key(s.name) in keys]


def _one_per_pipeline(pipelines: Sequence[Pipeline], catalog: Catalog, what: str,
                      entries: Sequence[tuple[str, str]] = ()) -> str:
    """The way out when ``pipelines`` share no stage (x49r11 F1): one mapping per pipeline,
    each with its own stage for ``what`` (a value's entry, or ``"*"``), its last stage
    shown as the example; ``entries`` (the stage map's proposed source, target): those
    naming a stage a pipeline lacks are named, to delete from its mapping (x50r9 F5: they
    stayed and its rows were refused)."""
    lasts = [f"{p.name}: {_quoted(names[-1].name)}" for p in pipelines
             if (names := catalog.stages_in(p.id))]
    drops = [f"{p.name}: {', '.join(_quoted(source) for source in lacking[:6])}"
             + (", ..." if len(lacking) > 6 else "") for p in pipelines
             if (lacking := [source for source, target in entries
                             if not a_stage_in(catalog, target, p.id)])]
    drop = ("; in each, delete the stage map entries naming a stage its pipeline lacks, "
            f"which its rows' plan refuses ({'; '.join(drops)})" if drops else "")
    return (f"{', '.join(p.name for p in pipelines)}, which share no stage: a stage map "
            "entry (or "
            "\"*\") names one stage, looked up in each row's pipeline, so no one entry "
            "places them all, and those rows fail as they are. Split the file by pipeline, "
            "with one mapping per pipeline (pipeline = { default = \"<its pipeline>\" }) "
            f"whose {what} = its stage (the last: {'; '.join(lasts)}){drop}")


def _quoted(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)  # a TOML basic string, as starter writes


def apart_todo(value: str, status: str, pipelines: Sequence[Pipeline],
               catalog: Catalog, entries: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The TODO of a won / lost ``value`` (its ``status``) held by rows of several
    ``pipelines`` with no stage of its name: one entry is looked up in each row's pipeline,
    so it can only name a stage they all have (listed, with the entry to fill), and where
    they share none the TODO says so and names the way out, with no entry to fill (x49r11
    F1: ``# "Closed Won" = ""`` for Sales, Retail, Wholesale and EU > North)."""
    shared = shared_stages(catalog, pipelines)
    entry = _quoted(value)
    if not shared:
        return [f"# TODO: {value!r} ({status}, see status) is in rows of "
                + _one_per_pipeline(pipelines, catalog, entry, entries)
                + "; then delete this line"]
    return [f"# TODO: {value!r} ({status}, see status) is in rows of "
            f"{', '.join(p.name for p in pipelines)}: map it to a stage each of them has ("
            f"{', '.join(_quoted(s) for s in shared)}; it is looked up in each row's "
            "pipeline); uncomment the line below, then delete this line",
            f"# {entry} = \"\""]


def split_todo(split: MappingABC[str, tuple[Sequence[Pipeline], Sequence[Pipeline]]],
               catalog: Catalog, also: Sequence[str] = (),
               rows_of: MappingABC[str, Sequence[Pipeline]] | None = None,
               entries: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The TODO of won / lost words that are a stage in some of their rows' pipelines only
    (x49r1 F3): those rows keep the stage, the others are closed and need the stage map's
    ``"*"``; a key of the word's own would move the first rows too. A ``"*"`` can only name
    a stage all the other rows' pipelines have: where they share none, the TODO says so
    (x49r11 F1). ``also``: the file's other stage values no entry maps, which a ``"*"``
    would place too: named, never hidden (x49r11 F2: ``Demo booked`` became an open deal
    in the ``"*"`` stage). ``rows_of``: a value's own rows' pipelines without its stage,
    named in its TODO (x50r9 F3: ``won\\u200b``, all in US, was said to be in Sales too,
    as ``Won``, which the maps read alike: the ``"*"`` is still judged for them all)."""
    caught = ""
    if also:
        caught = ("; a \"*\" also places every other cell no entry maps ("
                  + ", ".join(repr(v) for v in also[:6]) + (", ..." if len(also) > 6 else "")
                  + " here): map those first, or they land in its stage")
    out = []
    for value, (has, lacks) in split.items():
        held = (rows_of or {}).get(value) or lacks
        head = (f"# TODO: {value!r} is a stage of {', '.join(p.name for p in has)} but not "
                f"of {', '.join(p.name for p in held)}, where rows hold it too: those "
                "rows are closed (see status) and take the stage of a \"*\" entry here")
        shared = shared_stages(catalog, lacks)
        if not shared:
            out.append(f"{head}, never a key of its own, which would move the other rows "
                       "too; but the rows are in " + _one_per_pipeline(lacks, catalog, '"*"', entries)
                       + "; then delete this line")
            continue
        out.append(f"{head} (add one: \"*\" = one of {', '.join(map(_quoted, shared))}), "
                   "never a key of its own, which would move the other rows too"
                   f"{caught}; then delete this line")
    return out


def pipelines_naming(catalog: Catalog, values: Sequence[str]) -> list[Pipeline]:
    """The pipelines (in the account's order) that have a stage of each of ``values`` that
    names a stage at all (``Catalog.names_a_stage``; the others, ``Closed Won``, a typo,
    are not judged), a won / lost word (``tf.closed_status``) aside: of those, the ones
    having its stage too, else all; [] when none does, or no value names a stage (x49r11
    F3: a file of Retail's stages was given the account's first pipeline, Sales)."""
    named = [v for v in values if catalog.names_a_stage(v)]
    if not named:
        return []
    # a won / lost word is no evidence against a pipeline: the mapping reads it as a
    # status where the row's pipeline has no such stage (x50r9 F2: Discovery, Qualified,
    # Negotiation, Proposal and Won, all US's stages but Won, EU's, got EU, the first);
    # among the pipelines of the other names, those having the words too come first
    words = [v for v in named if tf.closed_status(v) is not None]
    plain = [v for v in named if v not in words] or words
    fits = [p for p in catalog.pipelines if all(a_stage_in(catalog, v, p.id) for v in plain)]
    full = [p for p in fits if all(a_stage_in(catalog, v, p.id) for v in words)]
    return full or fits


def picked_lines(picked: Sequence[Pipeline], first: Pipeline) -> list[str] | None:
    """The lines above the default pipeline of a file with no pipeline column that
    ``pipelines_naming`` picked (its first): a comment when one pipeline has every stage
    the cells name and it is not the account's ``first``, a TODO naming them when several
    have; None when the account's first is the first that fits (or none fits: the
    caller's own lines, ``starter._default_pipeline_todo``, say it)."""
    if len(picked) > 1 and picked[0].id != first.id:
        return [f"# TODO: no pipeline column, and every stage the cells name is a stage of "
                f"{', '.join(repr(p.name) for p in picked)}: {picked[0].name!r} was chosen "
                "for every row; check it (or map a pipeline column), then delete this line"]
    if len(picked) == 1 and picked[0].id != first.id:
        return [f"# no pipeline column: every stage the cells name is a stage of "
                f"{picked[0].name!r} (and of no other pipeline with them all), so it is "
                f"every row's pipeline, not the account's first ({first.name!r})"]
    return None


def blank_word(catalog: Catalog, value: str) -> tuple[Pipeline, str] | None:
    """(the pipeline, the stage's name) of the one stage a built-in won / lost ``value``
    names (``Won``, an open stage of EU only), which a row of no pipeline cannot read
    (x50r9 F1: the mapping refuses it, ``compiler``); None for a word naming no stage,
    several, or its own pipeline (``EU > Won``), or no won / lost word at all."""
    text = tf.clean_text(value)
    if not text or tf.DEFAULT_STATUS_MAP.get(tf.norm_key(text)) not in ("won", "lost") \
            or catalog.with_its_pipeline(text) is not None:
        return None
    try:
        stage = catalog.stage(text, None)
    except InputError:
        return None
    return catalog.pipeline_by_id(stage.pipeline_id), stage.name


def blank_todo(words: MappingABC[str, tuple[Pipeline, str]]) -> list[str]:
    """The TODO of won / lost ``words`` (-> the pipeline and the stage each names) held by
    rows whose Pipeline cell is blank: the plan refuses those rows unless an entry maps
    the word (x50r9 F1: they were put in that open stage, silently), each spelling quoted
    as written (an invisible character escaped)."""
    def key(value: str) -> str:
        return json.dumps(value, ensure_ascii=not value.isprintable())
    return [f"# TODO: {value!r} is a stage of pipeline {home.name} and a status word, and "
            "rows whose Pipeline cell is blank hold it: no pipeline says which it is, so "
            "the plan refuses those rows, unless a deal.stage.map entry for it places them "
            f"(its stage, {tf.DEFAULT_STATUS_MAP[tf.norm_key(tf.clean_text(value) or '')]}); "
            f"give their Pipeline cell, or check that entry ({key(value)} = "
            f"{_quoted(f'{home.name} > {stage}')} puts them in {home.name}'s stage, "
            "open); then delete this line"
            for value, (home, stage) in words.items()]
