"""The foreign-ids rule against two labelled oracles (``jobs.foreign_ids``): x48r2's 20
scenarios over deals 200-239 of two sandboxes (another account's export under the same
ids; this account's own deals edited) and 12 more (x47r10's legit set, numbered and short
titles, a file without a title column, a colleague's changes the plan keeps). Before
x48r2 F2/F3: 4 of 9 foreign exports warned, and 2 legit edits were refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bulk.clock import SystemClock
from bulk.sandbox import SandboxConfig
from bulk.sandbox.state import Account
from jobs.foreign_ids import ForeignIds, related

Row = dict[str, Any]
FULL = ("title", "value", "currency", "owner_id", "pipeline_id", "stage_id")


def _deals(seed: int) -> list[Row]:
    acct = Account(SandboxConfig(deals=240, seed=seed, company_id=4242 + seed), SystemClock())
    return [dict(acct.deals.rows[i]) for i in range(200, 240)]


HERE, THERE = _deals(7), _deals(8)
EUROPE = {"pipeline_id": 3, "stage_id": 14}  # another pipeline and one of its stages


def _rows(source: list[Row], edit: Callable[[Row, int], Row] | None = None,
          columns: tuple[str, ...] = FULL) -> list[Row]:
    out = []
    for n, deal in enumerate(source):
        row = {name: deal[name] for name in columns if name in deal}
        out.append({**row, **(edit(deal, n) if edit else {})})
    return [{k: v for k, v in r.items() if k in (*columns, *FULL)} for r in out]


def _other(owner: int) -> int:
    return owner % 3 + 1


def _tally(rows: list[Row], deals: list[Row] | None = None,
           kept: list[frozenset[str]] | None = None) -> ForeignIds:
    tally = ForeignIds()
    for n, (row, deal) in enumerate(zip(rows, deals or HERE, strict=False)):
        tally.see(n + 2, deal, row, kept=(kept or [frozenset()] * len(rows))[n])
    return tally


def _warns(rows: list[Row], deals: list[Row] | None = None,
           kept: list[frozenset[str]] | None = None) -> bool:
    return _tally(rows, deals, kept).warning() is not None


def _colleague() -> tuple[list[Row], list[Row], list[frozenset[str]]]:
    """x48r2 L12 (F3 a): this account's export renamed ``<old> (2027)``; a colleague moved
    value and stage of 25 deals since the plan, which the plan keeps (not sent)."""
    moved = [{**d, "value": d["value"] + 5000, "stage_id": 1, "pipeline_id": 1}
             if n < 25 else d for n, d in enumerate(HERE)]
    rows = _rows(HERE, lambda d, n: {"title": f"{d['title']} (2027)"})
    return rows, moved, [frozenset({"value", "stage_id", "pipeline_id"}) if n < 25
                         else frozenset() for n in range(40)]


def _numbered(deals: list[Row], shift: int) -> list[Row]:
    return [{**d, "title": f"Deal {d['id'] + shift}"} for d in deals]


def _retitled(deals: list[Row], title: Callable[[Row], str]) -> list[Row]:
    return [{**d, "title": title(d)} for d in deals]


def _company(deal: Row) -> str:
    return str(deal["title"]).split(" - ")[0]


# x48r7 F2: this account's titles carrying a year, an FY, a hyphen, an order number
YEAR = _retitled(HERE, lambda d: f"{_company(d)} \u2013 Renewal 2026")
FY = _retitled(HERE, lambda d: f"{_company(d)} FY26 maintenance")
HYPHEN = _retitled(HERE, lambda d: f"{_company(d)} \u2013 On-boarding")
ORDERS = _retitled(HERE, lambda d: f"SO-{1000 + d['id']}")


def _bumped(deals: list[Row], old: str, new: str, **more: Any) -> list[Row]:
    """x48r7 F2: this account's deals, each title's ``old`` written ``new``, and ``more``."""
    return _rows(deals, lambda d, n: {"title": d["title"].replace(old, new), **{
        k: v(d) if callable(v) else v for k, v in more.items()}}, ("title", *more))


# name -> (rows, this account's deals as read, kept fields, warns?); L7/L8 were "judge":
# a rename that keeps the old title, with a re-value or a move, is this account's (no)
SCENARIOS: dict[str, tuple[list[Row], list[Row] | None, list[frozenset[str]] | None, bool]] = {
    "L1_rename": (_rows(HERE, lambda d, n: {"title": "2027 " + d["title"]}), None, None, False),
    "L2_owner": (_rows(HERE, lambda d, n: {"owner_id": 3}), None, None, False),
    "L3_rename_owner": (_rows(HERE, lambda d, n: {
        "title": d["title"].upper() + " (new)", "owner_id": _other(d["owner_id"])}),
        None, None, False),
    "L4_revalue_eur": (_rows(HERE, lambda d, n: {
        "value": round(d["value"] * 0.92), "currency": "EUR"}), None, None, False),
    "L5_move_pipeline": (_rows(HERE, lambda d, n: EUROPE), None, None, False),
    "L6_rename_move": (_rows(HERE, lambda d, n: {"title": d["title"] + " [EU]", **EUROPE}),
                       None, None, False),
    "L7_rename_revalue_eur": (_rows(HERE, lambda d, n: {
        "title": d["title"] + " (EU)", "value": round(d["value"] * 0.92),
        "currency": "EUR"}), None, None, False),
    "L8_reorg_rename_owner_pipeline": (_rows(HERE, lambda d, n: {
        "title": "EU: " + d["title"], "owner_id": 2, **EUROPE}), None, None, False),
    "L9_rename_thousands": (_rows(HERE, lambda d, n: {
        "title": d["title"] + " 2027", "value": float(d["value"])}), None, None, False),
    "L10_rename_only_cols": (_rows(HERE, lambda d, n: {"title": "X " + d["title"]},
                                   ("title", "owner_id")), None, None, False),
    "L11_owner_case_title_case": (_rows(HERE, lambda d, n: {
        "title": d["title"].lower(), "currency": "usd"}), None, None, False),
    "L12_colleague_kept": (*_colleague(), False),
    "F1_full_export": (_rows(THERE), None, None, True),
    "F2_title_value_currency": (_rows(THERE, columns=("title", "value", "currency")),
                                None, None, True),
    "F3_title_owner_stage": (_rows(THERE, columns=("title", "owner_id", "pipeline_id",
                                                   "stage_id")), None, None, True),
    "F4_title_value": (_rows(THERE, columns=("title", "value")), None, None, True),
    "F5_title_stage_only": (_rows(THERE, columns=("title", "stage_id")), None, None, True),
    "F5b_title_pipestage_cell": (_rows(THERE, columns=("title", "pipeline_id", "stage_id")),
                                 None, None, True),
    "F6_title_value_owner": (_rows(THERE, columns=("title", "value", "owner_id")),
                             None, None, True),
    "F7_title_value_3rows": (_rows(THERE[:3]), None, None, True),
    "F8_no_title_value_owner_stage": (_rows(THERE, columns=(
        "value", "currency", "owner_id", "pipeline_id", "stage_id")), None, None, True),
    # f48g's: x47r10's legit set, and titles a threshold could get wrong
    "M1_typo_fix_new_owner": (_rows(HERE, lambda d, n: {
        "title": d["title"].replace(" - ", " \u2013 ").replace("a", "á", 1),
        "owner_id": _other(d["owner_id"])}), None, None, False),
    "M2_ltd_limited_revalue": (_rows(HERE, lambda d, n: {
        "title": d["title"].replace("Ltd", "Limited").replace("Corp", "Corporation"),
        "value": d["value"] + 100}), None, None, False),
    "M3_pipeline_currency": (_rows(HERE, lambda d, n: {"currency": "EUR"}), None, None,
                             False),
    "M4_no_title_new_owner": (_rows(HERE, lambda d, n: {"owner_id": _other(d["owner_id"])},
                                    ("owner_id",)), None, None, False),
    "M5_no_title_owner_and_stage": (_rows(HERE, lambda d, n: {
        "owner_id": _other(d["owner_id"]), **EUROPE}, ("owner_id", "pipeline_id",
                                                       "stage_id")), None, None, False),
    "M6_numbered_titles_here_foreign": (_rows(_numbered(THERE, 17), columns=(
        "title", "value")), _numbered(HERE, 0), None, True),
    "M7_numbered_titles_rename": (_rows(_numbered(HERE, 0), lambda d, n: {
        "title": f"{d['title']} renewal", "value": d["value"] + 1}), _numbered(HERE, 0), None,
        False),
    "M8_short_titles_foreign": (_rows(
        [{**d, "title": t} for d, t in zip(THERE, ["Pilot", "CRM", "Ops"] * 14, strict=False)],
        columns=("title", "owner_id")), None, None, True),
    "M9_title_org_person_foreign": (_rows(THERE, columns=("title", "org_id", "person_id")),
                                    None, None, True),
    "M10_half_foreign_half_own": (_rows(THERE[:19], columns=("title", "value"))
                                  + _rows(HERE[19:], lambda d, n: {"value": 1}),
                                  None, None, False),
    "M11_colleague_kept_foreign_titles": (_rows(THERE, columns=("title", "value")), None,
                                          [frozenset({"value"})] * 40, False),
    "M12_rename_all_new_owner_x47r10": (_rows(HERE, lambda d, n: {
        "title": f"{d['title']} - 2027 plan", "owner_id": 2}, ("title", "owner_id")),
        None, None, False),
    # x48r7 F1: another account's title beside fields outside the groups, or alone
    "N1_title_status_won_lost": (_rows(THERE, lambda d, n: {
        "status": "won" if n % 3 else "lost"}, ("title", "status")), None, None, True),
    "N2_title_close_date_probability": (_rows(THERE, lambda d, n: {
        "expected_close_date": f"2027-{n % 12 + 1:02d}-15", "probability": n * 7 % 100},
        ("title", "expected_close_date", "probability")), None, None, True),
    "N3_title_only": (_rows(THERE, columns=("title",)), None, None, True),
    "N4_title_custom_field": (_rows(THERE, lambda d, n: {
        "custom_fields": {"6d42c72d8f50425670a86829989b3e9aea64406e": f"OTHER-{n}"}},
        ("title", "custom_fields")), None, None, True),
    "N5_no_title_value_owner": (_rows(THERE, columns=("value", "currency", "owner_id")),
                                None, None, False),  # two groups: untellable, unwarned
    "N6_unrelated_title_rest_agrees": (_rows(THERE, lambda d, n: {
        "value": HERE[n]["value"]}, ("title", "value")), None, None, False),
    # x49r4 F3: another account's titles beside what most deals share, agreeing (every
    # deal open; the currency of a column, or of a mapping's default): titles alone
    "N6b_title_status_agreeing": (_rows(THERE, lambda d, n: {
        "status": HERE[n]["status"]}, ("title", "status")), None, None, True),
    "N6c_title_default_currency": (_rows(THERE, lambda d, n: {
        "currency": HERE[n]["currency"]}, ("title", "currency")), None, None, True),
    # x49r4 F8: another account's rows padded with this account's rows written unchanged
    "N6d_foreign_padded_with_unchanged": (_rows(THERE[:8]) + _rows(HERE[8:17]), None, None,
                                          True),
    # x49r6 F1: another account's title + value + owner, every other title blank
    "N6e_every_other_title_blank": (_rows(THERE, lambda d, n: {"title": ""} if n % 2 else {},
                                          ("title", "value", "owner_id")), None, None, True),
    # x50r4 F1: another account's title + value + owner on 9 rows, 31 without a title
    # (under a quarter titled): 9 of 9 titled rows unrelated ran unwarned
    "N6f_few_titled_many_untitled": (_rows(THERE, lambda d, n: {} if n < 9 else {"title": ""},
                                           ("title", "value", "owner_id")), None, None, True),
    # … and padded with this account's titled rows written unchanged
    "N6g_few_titled_padded": (_rows(THERE[:6], columns=("title", "value", "owner_id"))
                              + _rows(HERE[6:12])
                              + _rows(THERE[12:], lambda d, n: {"title": ""},
                                      ("title", "value", "owner_id")), None, None, True),
    # this account's own: 5 deals renamed to new words, 35 re-valued without a title
    "N6h_five_new_titles_many_revalued": (_rows(HERE, lambda d, n: (
        {"title": f"Renewal contract {n}"} if n < 5 else {"title": ""}) | {
        "value": d["value"] + 9}, ("title", "value")), None, None, False),
    # x48r7 F2: renames of this account's numbered / hyphenated titles, 7 of 19 refused
    "N7_year_bump_revalue": (_bumped(YEAR, "2026", "2027", value=lambda d: d["value"] + 9),
                             YEAR, None, False),
    "N8_fy_bump_revalue": (_bumped(FY, "FY26", "FY27", value=lambda d: d["value"] + 9),
                           FY, None, False),
    "N9_hyphen_fix_revalue": (_bumped(HYPHEN, "On-boarding", "Onboarding",
                                      value=lambda d: d["value"] + 9), HYPHEN, None, False),
    "N10_order_no_dash_new_owner": (_bumped(ORDERS, "SO-", "SO", owner_id=lambda d: _other(
        d["owner_id"])), ORDERS, None, False),
    "N11_order_zero_padded_revalue": (_bumped(ORDERS, "SO-", "SO-0",
                                              value=lambda d: d["value"] + 9), ORDERS, None,
                                      False),
    "N12_order_year_prefix_new_owner": (_bumped(ORDERS, "SO-", "SO-2027-", owner_id=lambda d:
                                                _other(d["owner_id"])), ORDERS, None, False),
    "N13_orders_of_another_account": (_rows(_retitled(THERE, lambda d: f"SO-{1300 + d['id']}"),
                                            columns=("title", "value")), ORDERS, None, True),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_scenario_warns_as_labelled(name: str) -> None:
    rows, deals, kept, expected = SCENARIOS[name]
    assert _warns(rows, deals, kept) is expected, name


# the warned scenarios that look like a whole export of another account (an unrelated title
# and two other fields): refused without --yes; the others (a title with one other field,
# or alone; no title and three groups: x49r4 F9, an ordinary re-valuation, move and
# re-assignment of 8 of 8 own deals was refused) are warned of and run, as a rename and a
# re-valuation of this account's deals read the same (an ordinary mass update)
REFUSED = {"F1_full_export", "F3_title_owner_stage", "F6_title_value_owner",
           "F7_title_value_3rows", "N6d_foreign_padded_with_unchanged",
           "N6e_every_other_title_blank",
           "M9_title_org_person_foreign", "N2_title_close_date_probability"}


@pytest.mark.parametrize("name", sorted(n for n, s in SCENARIOS.items() if s[3]))
def test_a_whole_export_is_refused_a_title_and_one_field_only_warned(name: str) -> None:
    rows, deals, kept, _ = SCENARIOS[name]
    tally = _tally(rows, deals, kept)
    assert tally.refuses is (name in REFUSED), name
    assert (tally.refusal() is not None) is (name in REFUSED), name
    assert ("refuses to start" in (tally.warning() or "")) is (name in REFUSED), name


@pytest.mark.parametrize(("title", "other", "same"), [
    ("Acme Corp - Pilot", "2027 Acme Corp - Pilot", True), ("ACME CORP - PILOT (new)",
                                                             "Acme Corp - Pilot", True),
    ("EU: Acme Corp - Pilot", "Acme Corp - Pilot", True), ("Acme Corp \u2013 Pilót", "acme corp - pilot", True),
    ("Acme Limited - Pilot", "Acme Ltd - Pilot", True), ("Deal 17", "Deal 23", False),
    ("Deal 1", "Deal 11", False), ("Deal 17 2026", "Deal 17 2027", True),
    ("Pilot", "Hooli Ltd - Migration", False), ("Acme Corp - Pilot", "Wayne Inc - Pilot", False),
    ("", "", True), ("", "Acme", False),
    # x48r7 F2: a year / FY bump, a hyphen fix, an order number's format
    ("Acme Corp \u2013 Renewal 2026", "Acme Corp \u2013 Renewal 2027", True),
    ("Acme FY26 maintenance", "Acme FY27 maintenance", True),
    ("Acme \u2013 On-boarding", "Acme \u2013 Onboarding", True),
    ("Acme on boarding", "Acme On-boarding", True), ("SO-1001", "SO1001", True),
    ("SO-1001", "SO-01001", True), ("SO-1021", "SO-2027-1021", True),
    ("Order 1001", "Order 1007", False), ("Acme 2026", "Acme 2029", False)])
def test_related_titles(title: str, other: str, same: bool) -> None:
    assert related(title, other) is same


def test_a_field_the_plan_keeps_is_not_the_rows() -> None:
    deal = {"title": "Acme Corp - Pilot", "value": 100, "stage_id": 3, "pipeline_id": 1}
    tally = ForeignIds()
    for row in range(4):  # the title foreign-looking, its only other field kept
        tally.see(row, deal, {"title": "Wayne Inc - Migration", "value": 900},
                  kept=frozenset({"value"}))
    assert (tally.compared, tally.foreign) == (4, 0)
    for row in range(4, 9):
        tally.see(row, deal, {"title": "Wayne Inc - Migration", "value": 900, "stage_id": 4},
                  kept=frozenset({"value"}))
    assert tally.foreign == 5 and tally.fields == {"title": 5, "stage": 5}


def test_the_warning_says_what_the_rows_have_and_names_them() -> None:
    """x48r7 F5: no "(no title: …)" without such rows, no "unrelated title" without a
    title, the first rows named with the file's title beside the deal's."""
    tally = ForeignIds()
    for n, (row, deal) in enumerate(zip(_rows(THERE, columns=("title", "value")), HERE,
                                        strict=True)):
        tally.see(n + 2, deal, row)
    said = tally.warning() or ""
    assert "no title" not in said and "organization" not in said
    assert f"row 2: {THERE[0]['title']!r} vs deal 200 {HERE[0]['title']!r}" in said
    n = tally.foreign  # 39: one deal of the other account's is alike
    assert n > 30 and tally.to_json() == {"count": n, "compared": 40, "rows": tally.rows,
                                          "groups": {"amount": n, "title": n}}
    blind = ForeignIds()
    for n, (row, deal) in enumerate(zip(_rows(THERE, columns=(
            "value", "currency", "owner_id", "pipeline_id", "stage_id")), HERE, strict=True)):
        blind.see(n + 2, deal, row)
    said = blind.warning() or ""
    assert "unrelated title" not in said and "no title" in said and "row 2: deal 200" in said
    alone = ForeignIds()
    for n, (row, deal) in enumerate(zip(_rows(THERE, columns=("title",)), HERE, strict=True)):
        alone.see(n + 2, deal, row)
    assert "--yes runs it" in (alone.warning() or "")
