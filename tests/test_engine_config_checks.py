"""EngineConfig, BudgetPolicy and normalize_base_url refuse a bad setting when it is made,
with a ConfigError that names it, never later with a TypeError or at ``Engine.open``;
the CLI's checks are the same ones (review of x15r3's config checks)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from bulk.client import PipedriveClient, normalize_base_url
from bulk.engine import EngineConfig
from bulk.errors import ConfigError, InputError
from bulk.scheduler import BudgetPolicy
from pdbulk import options

ROOT = Path(__file__).resolve().parent.parent


def make_config(**kwargs: Any) -> EngineConfig:
    return EngineConfig(**kwargs)


def make_budget(**kwargs: Any) -> BudgetPolicy:
    return BudgetPolicy(**kwargs)


@pytest.mark.parametrize("name", ["seats", "max_workers", "tokens_spent_today"])
def test_none_is_refused_where_the_type_is_not_optional(name: str) -> None:
    """seats / max_workers / tokens_spent_today = None: a ConfigError naming the field."""
    with pytest.raises(ConfigError, match=name) as info:
        make_config(**{name: None})
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_none_is_taken_where_the_type_is_optional() -> None:
    """burst and daily_tokens are ``int | None``: None means the plan's own."""
    cfg = EngineConfig(burst=None, daily_tokens=None, plan="growth")
    assert cfg.limits().burst > 0 and cfg.limits().daily_tokens > 0


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"share": 2.0}, "share"), ({"share": 0}, "share"), ({"share": -0.5}, "share"),
    ({"share": math.nan}, "share"), ({"share": "0.5"}, "share"), ({"share": True}, "share"),
    ({"max_tokens": -5}, "max_tokens"), ({"max_tokens": 2.5}, "max_tokens"),
    ({"reserve_tokens": -1}, "reserve_tokens"), ({"reserve_tokens": None}, "reserve_tokens"),
    ({"wait_for_reset": "yes"}, "wait_for_reset"),
])
def test_budget_policy_refuses_a_bad_setting_when_made(kwargs: dict[str, Any],
                                                       name: str) -> None:
    """A share outside (0, 1] or a negative cap / reserve: ConfigError from BudgetPolicy
    itself (so EngineConfig refuses it too), not at Engine.open."""
    with pytest.raises(ConfigError, match=name):
        make_budget(**kwargs)
    with pytest.raises(ConfigError, match=name):
        EngineConfig.from_json({**EngineConfig().to_json(), "budget": kwargs})


def test_budget_share_message_says_the_range() -> None:
    """The message names the setting and the allowed range, as ConfigError's docstring says."""
    with pytest.raises(ConfigError) as info:
        BudgetPolicy(share=2.0)
    assert "share" in str(info.value) and "(0, 1]" in str(info.value)


@pytest.mark.parametrize("kwargs", [
    {}, {"share": 1.0}, {"share": 1}, {"share": 0.001}, {"max_tokens": 0},
    {"max_tokens": 10, "reserve_tokens": 0, "wait_for_reset": True},
])
def test_budget_policy_takes_a_good_setting(kwargs: dict[str, Any]) -> None:
    """The edges of the ranges are allowed; a config round-trips through JSON."""
    cfg = EngineConfig(budget=BudgetPolicy(**kwargs))
    assert EngineConfig.from_json(cfg.to_json()) == cfg


@pytest.mark.parametrize("url", [
    "https://api.pipedrive.com/\tv1", "https://api.pipe\ndrive.com", "https://api.pipedrive.com\r\n",
    "\thttps://api.pipedrive.com", "https://api.pipedrive.com/\x7f", "https://api.pipedrive.com/\x00",
])
def test_control_characters_are_refused_by_every_caller(url: str) -> None:
    """urlsplit drops \\t \\r \\n: normalize_base_url refuses them (ConfigError), so the
    client, EngineConfig and the CLI's --url check all do."""
    with pytest.raises(ConfigError, match="control character"):
        normalize_base_url(url)
    with pytest.raises(ConfigError, match="control character"):
        PipedriveClient(url, "tok")
    with pytest.raises(ConfigError, match="control character"):
        EngineConfig(base_url=url)
    with pytest.raises(typer.Exit):
        options.check_url(url)


@pytest.mark.parametrize("url", ["https://api.pipedrive.com:abc", "https://[::1",
                                 "https://api.pipedrive.com:99999"])
def test_malformed_host_or_port_is_a_config_error(url: str) -> None:
    """urlsplit's plain ValueError (it echoes part of the URL) becomes a ConfigError."""
    with pytest.raises(ConfigError) as info:
        EngineConfig(base_url=url)
    assert "abc" not in str(info.value) and "99999" not in str(info.value)


def test_cli_engine_config_refuses_through_config_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """engine_config has no second check of its own: a bad setting (here 0 workers) is
    EngineConfig's ConfigError, which the CLI turns into one line, exit 1 (PDBULK_WINDOW,
    an environment variable, is checked in ``sandbox_window``: test_window_variable.py)."""
    monkeypatch.delenv("PDBULK_WINDOW", raising=False)
    with pytest.raises(ConfigError, match="max_workers"):
        options.engine_config(url="https://api.pipedrive.com", plan="growth", seats=1,
                              oauth=False, job_dir=tmp_path, share=None, max_tokens=None,
                              wait_for_reset=False, workers=0)
    assert options.exit_code_for(ConfigError("x")) == options.EXIT_INPUT


def test_workers_option_is_bounded_by_max_workers() -> None:
    """--workers' upper bound is bulk.engine.MAX_WORKERS itself, not a copy of its value
    (in a fresh interpreter, with MAX_WORKERS changed before pdbulk.options is imported)."""
    code = ("import typing, bulk.engine as e; e.MAX_WORKERS = 7; "
            "import pdbulk.options as o; print(typing.get_args(o.Workers)[1].max)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=60)
    assert out.stdout.strip() == "7"


@pytest.mark.parametrize("url", ["https://exa mple.com", "https://x.pipedrive.com/\u200b",
                                 "https://x.pipedrive\u00a0.com"])
def test_a_url_with_a_space_or_an_invisible_character_is_refused(url: str) -> None:
    """x16r3 3: a space in the host passed the checks, then read as "the account is not
    answering" (exit 4)."""
    from bulk.client import normalize_base_url

    with pytest.raises(ConfigError, match="spaces or invisible"):
        normalize_base_url(url)


def test_an_infinite_window_is_refused() -> None:
    """x16r3 3: window=inf was accepted where 0, negative and NaN raise."""
    with pytest.raises(ConfigError, match="finite"):
        EngineConfig(window=math.inf)
