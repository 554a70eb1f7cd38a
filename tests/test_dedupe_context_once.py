"""A plan reads a pair's record evidence (``evidence._context``) once: a pair at two
companies is kept out by ``different_org`` alone, without the rest of its context, and a
pair that is scored takes the context ``_against_keeps_out`` read (f41d 4: a full plan
read it for every pair past the title cutoff and again for each scored one, +10-20 % CPU
since the x40r3 F4 recall fix). The shortcut says what ``_context`` says, and the groups,
pairs and held pairs are the same with it (checked on the bench generator, seeds 5 and 11)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from benchmarks.dedupe_data import generate
from jobs.dedupe import scoring
from jobs.dedupe.blocking import candidate_pairs
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import _context, different_org
from jobs.dedupe.matching import find_duplicates

CFG = DedupeConfig.default()


def test_different_org_is_what_context_says() -> None:
    prepared = [scoring.prepare(d, CFG) for d in generate(11, companies=120).deals]
    vocab = Counter(t for p in prepared for t in set(p.title.tokens))
    prepared = [replace(p, vocab=vocab) for p in prepared]
    pairs = candidate_pairs(prepared, max_block_size=CFG.max_block_size, window=CFG.window,
                            focus=None)
    seen = Counter()
    for i, j in pairs:
        a, b = sorted((prepared[i], prepared[j]), key=lambda p: p.deal.id)
        reasons: list[str] = []
        _context(a, b, reasons)
        said = "different org" in reasons
        assert different_org(a, b) is said, (a.deal, b.deal, reasons)
        seen[said] += 1
    assert seen[True] > 100 and seen[False] > 100  # both kinds were compared


def test_a_plan_reads_a_pairs_context_at_most_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """150 companies: 14,331 candidate pairs; 7,225 ``_context`` reads before, 2,591 after."""
    calls = Counter()
    real = scoring._context

    def counted(*args: object) -> object:
        calls["n"] += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(scoring, "_context", counted)
    result = find_duplicates(generate(5, companies=150).deals, CFG)
    assert result.groups
    assert calls["n"] <= 0.3 * result.compared, (calls["n"], result.compared)
