"""x21r2 F6: "--max-tokens ... at least N runs" counts the re-read each resume spends
before it writes again (2,945 tokens at a cap of 1,000 with a 50-token re-read said "at
least 3 runs" and took 4)."""

from __future__ import annotations

from bulk.plans import Limits
from jobs.import_load import _resume_reread
from jobs.planning import estimate, runs_under_cap

GROWTH = Limits(burst=40, window=2.0, daily_tokens=60_000)


def test_runs_count_each_resume_s_re_read() -> None:
    # 589 creates at 5 tokens: 2,945 tokens
    plan = estimate("import", {"addDeal": 589}, GROWTH, rows=589, bad_rows=0,
                    tokens_left_today=None, max_tokens=1000, resume_reread=50)
    assert plan.tokens == 2945
    (note,) = [n for n in plan.notes if "--max-tokens" in n]
    assert "at least 4 runs" in note and "about 50 tokens" in note, note
    assert runs_under_cap(2945, 1000, 0) == 3
    assert runs_under_cap(900, 1000, 50) == 1
    assert runs_under_cap(2945, 1000, 1000) is None  # the re-read takes the whole cap
    never = estimate("import", {"addDeal": 589}, GROWTH, rows=589, bad_rows=0,
                     tokens_left_today=None, max_tokens=40, resume_reread=50)
    assert any("never finish" in n for n in never.notes), never.notes


def test_an_import_plan_prices_its_resumes_re_read() -> None:
    # creates that add persons: the deals and archived deals added since, the persons
    assert _resume_reread({"addDeal": 200, "addPerson": 189}) == 50
    assert _resume_reread({"updateDeal": 10}) == 0
