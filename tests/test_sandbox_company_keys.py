"""Custom field keys are per company (FACTS: random per company): two sandboxes started
with one --seed gave a new field the same 40-hex key and behaved as one company in the
claims file (x32r2 4). The key depends on the sandbox's company too; a company per
sandbox started by hand, random unless given; in-process sandboxes keep the seed's."""

from __future__ import annotations

from bulk.clock import SystemClock
from bulk.sandbox import SandboxConfig
from bulk.sandbox.__main__ import parse_args
from bulk.sandbox.state import Account


def _codes(**cfg: object) -> list[str]:
    acct = Account(SandboxConfig(**cfg), SystemClock())  # type: ignore[arg-type]
    return sorted(c for c, f in acct.fields.items() if len(c) == 40)


def test_one_seed_two_companies_two_sets_of_keys() -> None:
    one, other = _codes(seed=3, company_id=11), _codes(seed=3, company_id=12)
    assert one and len(one) == len(other)
    assert not set(one) & set(other)
    assert _codes(seed=3, company_id=11) == one  # deterministic per seed + company


def test_the_seed_s_own_company_keeps_the_keys_tests_pin() -> None:
    assert _codes(seed=3) == _codes(seed=3, company_id=7_700_003)
    acct = Account(SandboxConfig(seed=3), SystemClock())
    assert acct.company["id"] == 7_700_003


def test_a_sandbox_started_by_hand_plays_a_company_of_its_own() -> None:
    first, second = parse_args([]), parse_args([])
    assert first.company_id != second.company_id
    assert parse_args(["--company-id", "42"]).company_id == 42
