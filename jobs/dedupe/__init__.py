"""Dedupe: find duplicate deals, pick survivors, review, merge — on demand and nightly.

Matching (pure, no I/O): ``find_duplicates(records, DedupeConfig)`` →
``MatchResult`` (model.py, config.py, matching.py and its helpers). Around it:
``make_plan`` reads the account and writes a plan directory (planfiles.py,
review.py), ``prepare_apply`` + ``DedupeJob`` merge it through the merge job's
machinery (apply.py, merge_job.py), ``DealIndex`` keeps the nightly index and the
keep-separate decisions (index.py); api.py is the library's door (plan_dedupe, apply_dedupe,
run_dedupe), on which pdbulk/cli_dedupe.py builds the ``pdbulk dedupe``
commands.
"""

from __future__ import annotations

from .apply import ApplyOptions, prepare_apply
from .config import DedupeConfig, DedupeConfigError
from .index import DealIndex, load_keep_separate, remember_keep_separate
from .job import PlanOutcome, make_plan
from .matching import find_duplicates
from .merge_job import DedupeJob
from .model import DealRecord, Group, MatchResult, ScoredPair

__all__ = ["ApplyOptions", "DealIndex", "DealRecord", "DedupeConfig", "DedupeConfigError",
           "DedupeJob", "Group", "MatchResult", "PlanOutcome", "ScoredPair", "find_duplicates",
           "load_keep_separate", "make_plan", "prepare_apply", "remember_keep_separate"]
