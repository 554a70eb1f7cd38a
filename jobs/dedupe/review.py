"""``review.html``: a static page (no server, no script) showing each group side by side.

Every group is a table: one column per deal (survivor first), one row per field
— title, organization, person, value, stage, status, pipeline, owner, added,
updated, expected close — with the cells of fields that differ within the group
marked ``class="diff"`` (highlighted), and the group's band, score, reasons and
survivor reasons above it. Custom fields are rows named by the field's name in the
account (``fields``: key -> name, from ``dealFields``), never by its 40-character key
(the key stays in the row's ``data-field`` attribute). A reviewer decides by editing the ``decision`` column
of groups.csv (``merge`` / ``keep-separate``); the page says so. All text is
HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

from ..field_text import amount_text, field_text
from .model import DealRecord, Group
from .planfiles import (
    added_before,
    field_label,
    older_drop,
    patch_shown,
    policy_changes,
    shown_value,
)

REVIEW = "review.html"

Names = Mapping[str, Mapping[int, str]]  # kind (person, owner, stage, pipeline) -> id -> name


def _named(name: str | None, i: int | None) -> str:
    """``Name (#id)``, or ``#id`` when the name is not known; empty without an id."""
    if i is None:
        return ""
    return f"{name} (#{i})" if name else f"#{i}"


def _rows(names: Names) -> tuple[tuple[str, str, Callable[[DealRecord], object]], ...]:
    def look(kind: str, i: int | None) -> str | None:
        return None if i is None else (names.get(kind) or {}).get(i)
    return (
        ("title", "Title", lambda r: r.title),
        ("org_id", "Organization", lambda r: _named(r.org_name, r.org_id)),
        ("person_id", "Person", lambda r: _named(look("person", r.person_id), r.person_id)),
        ("value", "Value", lambda r: "" if r.value is None
         else amount_text(r.value, r.currency or None)),
        ("stage_id", "Stage", lambda r: _named(look("stage", r.stage_id), r.stage_id)
         + (f" (order {r.stage_order})" if r.stage_id and r.stage_order is not None else "")),
        ("status", "Status", lambda r: r.status),
        ("pipeline_id", "Pipeline", lambda r: _named(look("pipeline", r.pipeline_id),
                                                     r.pipeline_id)),
        ("owner_id", "Owner", lambda r: _named(look("owner", r.owner_id), r.owner_id)),
        ("add_time", "Added", lambda r: r.add_time),
        ("update_time", "Updated", lambda r: r.update_time),
        ("expected_close_date", "Expected close", lambda r: r.expected_close_date),
    )
# differing-field names that highlight a row other than their own
_SAME_ROW = {"org_name": "org_id", "currency": "value", "stage_order": "stage_id"}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em} h2{font-size:1.1em;margin:1.6em 0 .3em}
.group{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin-bottom:1.2em}
.band-duplicate h2 .band{background:#c8e6c9} .band-review h2 .band{background:#ffe0b2}
.band{padding:.1em .5em;border-radius:4px;font-weight:normal}
table{border-collapse:collapse;margin:.5em 0} th,td{border:1px solid #ddd;padding:.25em .6em;
text-align:left;vertical-align:top} th.field{background:#f6f6f6}
td.diff{background:#fff59d;font-weight:600} .survivor{background:#e3f2fd}
.reasons{font-size:.9em;color:#444} .score{font-weight:600}
"""


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Mapping | list):  # a monetary field as its amount and currency, whole
        return field_text(v)  # and grouped, as the drops say it (x45r7 F2: a Python dict)
    if isinstance(v, int | float | Decimal) and not isinstance(v, bool):
        # grouped, every digit and no spurious ".0", as groups.csv and the terminal say a
        # number (``planfiles.dropped_value``; a custom number field showed 1000000.0)
        return amount_text(v)
    return str(v)


def _group_html(g: Group, records: Mapping[int, DealRecord], names: Names,
                fields: Mapping[str, str], options: Mapping[str, Mapping[int, str]],
                say: Callable[[str], str] = str, policy: Mapping[str, str] | None = None
                ) -> str:
    members = [records[i] for i in g.member_ids if i in records]
    diff = {_SAME_ROW.get(name, name) for name in g.differing}
    head = "".join(
        f'<th class="{"survivor" if r.id == g.survivor_id else "merged"}">deal {r.id}'
        f'{" — survivor" if r.id == g.survivor_id else " — merged away"}</th>' for r in members)
    rows = []
    for name, label, get in _rows(names):
        cls = ' class="diff"' if name in diff else ""
        cells = "".join(f"<td{cls}>{escape(_text(get(r)))}</td>" for r in members)
        rows.append(f'<tr data-field="{name}"><th class="field">{label}</th>{cells}</tr>')
    for key in sorted({k for r in members for k in r.fields}):
        cls = ' class="diff"' if key in diff else ""
        cells = "".join(f"<td{cls}>{escape(_text(_option(key, r.fields.get(key), options)))}"
                        "</td>" for r in members)
        rows.append(f'<tr data-field="{escape(key)}"><th class="field">'
                    f"{escape(field_label(key, fields))}</th>{cells}</tr>")
    reasons = escape(", ".join(map(say, g.reasons)))
    why = escape(", ".join(g.survivor_reasons))
    survivor = records.get(g.survivor_id)
    # a merged deal added before the survivor takes its id and age with it (x30r1 M1), as
    # groups.csv's drops say
    older = [older_drop(r) for r in members
             if survivor is not None and r.id != survivor.id and added_before(r, survivor)]
    lost = (f'<p class="reasons">the merge drops {escape("; ".join(older))}</p>'
            if older else "")
    # the field-policy PATCH's new values, as groups.csv's policy_fields says (x33r1 L2)
    changes = policy_changes(g, records, policy or {}) if survivor is not None else {}
    if changes and survivor is not None:
        sets = patch_shown(changes, survivor, fields, options,
                           {**names, "organization": {}})
        lost += (f'<p class="reasons">the survivor is set to: {escape("; ".join(sets))} '
                 "(field policy)</p>")
    return (f'<section class="group band-{g.band}" id="{escape(g.id)}">'
            f'<h2>{escape(g.id)} <span class="band">{g.band}</span> '
            f'score <span class="score">{g.score:.3f}</span></h2>'
            f'<p class="reasons">reasons: {reasons}</p>'
            f'<p class="reasons">survivor {g.survivor_id}: {why}</p>{lost}'
            f'<p class="reasons">differing: '
            f'{escape(", ".join(field_label(k, fields) for k in g.differing)) or "none"}</p>'
            f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table></section>")


def _option(key: str, v: object, options: Mapping[str, Mapping[int, str]]) -> object:
    """An option field's value by its labels (``planfiles.shown_value``); others as they are."""
    return v if v is None or key not in options else shown_value(key, v, options)


def render_review(groups: Sequence[Group], records: Mapping[int, DealRecord], *,
                  title: str = "pdbulk dedupe plan", names: Names | None = None,
                  fields: Mapping[str, str] | None = None,
                  options: Mapping[str, Mapping[int, str]] | None = None,
                  say: Callable[[str], str] = str,
                  policy: Mapping[str, str] | None = None) -> str:
    """The whole page as a string (review band first: those need a person). ``policy``:
    the plan's field policy (its PATCH's new values are shown per group). ``names``:
    person/owner/stage/pipeline names by id (``records.review_names``); organization
    names come with the records. A name not known shows as ``#id``. ``fields``: custom
    field key -> name (``records.field_names``); a key with no name there shows as itself."""
    ordered = sorted(groups, key=lambda g: (g.band != "review", g.score, g.id))
    dup = sum(1 for g in groups if g.band == "duplicate")
    body = ("".join(_group_html(g, records, names or {}, fields or {}, options or {}, say,
                                policy) for g in ordered)
            or "<p>No duplicates found.</p>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1><p>{len(groups)} groups: {dup} duplicate, "
            f"{len(groups) - dup} review. Highlighted cells differ within their group. "
            "Decide in <code>groups.csv</code>, column <code>decision</code>: "
            "<code>merge</code> or <code>keep-separate</code>; then "
            "<code>pdbulk dedupe apply PLAN_DIR</code>.</p>"
            f"{body}</body></html>")


def write_review(directory: Path, groups: Sequence[Group],
                 records: Mapping[int, DealRecord], *, names: Names | None = None,
                 fields: Mapping[str, str] | None = None,
                 options: Mapping[str, Mapping[int, str]] | None = None,
                 say: Callable[[str], str] = str,
                 policy: Mapping[str, str] | None = None) -> Path:
    """Write review.html into ``directory``; its path (``say``: a reason as the page names
    it, ``reason_names.ReasonNames``). OSError when it cannot be written."""
    path = directory / REVIEW
    path.write_text(render_review(groups, records, names=names, fields=fields,
                                  options=options, say=say, policy=policy), encoding="utf-8")
    return path


__all__ = ["REVIEW", "render_review", "write_review"]
