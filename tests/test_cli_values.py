"""Option values are checked when the command line is parsed: a bad value or a bad
combination of options is a usage error (exit 2) in one line naming the option, before
the token, the account or any file is read; the values the README promises are taken."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bulk.plans import plan_limits
from pdbulk.cli import app

ENV = {"PIPEDRIVE_API_TOKEN": "tok"}
LEGACY_PLANS = {"essential": "lite", "advanced": "growth", "power": "premium",
                "enterprise": "ultimate"}
URL = ["--url", "http://127.0.0.1:9"]  # loopback, nothing listens: never reached here


def test_legacy_plan_names_are_taken_and_shown() -> None:
    """--plan advanced / essential / power / enterprise (README: "legacy names too") are
    the current plans' presets, in every command's --plan, and help lists them."""
    for old, new in LEGACY_PLANS.items():
        assert plan_limits(old.upper()) == plan_limits(new)
        res = CliRunner().invoke(app, ["plan", "undo", "nope", "--plan", old, *URL], env=ENV)
        # parsed: the command itself then finds no job (exit 2 for that, not for --plan)
        assert "no job 'nope'" in res.output and "--plan" not in res.output, res.output
    shown = CliRunner().invoke(app, ["update", "--help"], env={"COLUMNS": "200"}).output
    assert all(f"{old} = {new}" in shown for old, new in LEGACY_PLANS.items()), shown


def _files(tmp: Path) -> dict[str, str]:
    (tmp / "deals.csv").write_text("deal_id,title\n1,A\n", encoding="utf-8")
    (tmp / "m.toml").write_text('[update]\ndeal_id = "deal_id"\n', encoding="utf-8")
    (tmp / "pairs.csv").write_text("merge_id,survivor_id\n2,1\n", encoding="utf-8")
    (tmp / "a-file").write_text("x", encoding="utf-8")
    return {"csv": str(tmp / "deals.csv"), "toml": str(tmp / "m.toml"),
            "pairs": str(tmp / "pairs.csv"), "file": str(tmp / "a-file"),
            "nowhere": str(tmp / "nowhere" / "x.csv")}


MOVE = ["move-stage", "--to-stage", "Qualified"]
SELECT = [*MOVE, "--pipeline", "Sales"]


def bad_invocations(f: dict[str, str]) -> list[tuple[list[str], str]]:
    """(command line, the option its one error line names): every command's options."""
    imp = [f["csv"], "-m", f["toml"]]
    return [
        # x22r2 F1, as found
        ([*SELECT, "--limit", "-1"], "--limit"),
        ([*SELECT, "--limit", "0"], "--limit"),
        ([*MOVE, "--updated-before", "2024-13-45"], "--updated-before"),
        ([*SELECT, "--status-to", "won", "--lost-reason", "x"], "--lost-reason"),
        ([*SELECT, "--lost-reason", "x"], "--lost-reason"),
        (MOVE, "--manifest"),  # no selection at all
        ([*SELECT, "--manifest", f["csv"]], "--manifest"),  # both
        (["plan", "import", *imp, "--encoding", "nonsense"], "--encoding"),
        (["plan", "import", f["toml"], "-m", f["toml"]], "manifest"),
        # the same classes, every command
        (["import", *imp, "--encoding", "nonsense"], "--encoding"),
        (["import", f["toml"], "-m", f["toml"]], "manifest"),
        (["import", f["csv"], "-m", f["csv"]], "--mapping"),
        (["init-mapping", f["csv"], "--encoding", "nonsense"], "--encoding"),
        (["init-mapping", f["toml"]], "manifest"),
        (["init-mapping", f["csv"], "-o", f["nowhere"]], "--output"),
        (["init-mapping", f["csv"], "-o", f["file"]], "--output"),  # exists, no --force
        (["update", f["toml"], "-m", f["toml"]], "manifest"),
        (["update", f["csv"], "-m", f["csv"]], "--mapping"),
        (["plan", "update", *imp, "--encoding", "x-nope"], "--encoding"),
        (["plan", "update", *imp, "--failed-csv", f["nowhere"]], "--failed-csv"),
        (["plan", "import", *imp, "--failed-csv", f["nowhere"]], "--failed-csv"),
        (["merge", f["toml"]], "pairs"),
        (["plan", "merge", f["pairs"], "--encoding", "nonsense"], "--encoding"),
        ([*SELECT, "--filter-id", "0"], "--filter-id"),
        ([*MOVE, "--manifest", f["toml"]], "--manifest"),
        ([*SELECT, "--id-column", "deal_id"], "--id-column"),
        ([*SELECT, "--key-column", "key"], "--key-column"),
        ([*MOVE, "--manifest", f["csv"], "--id-column", "a", "--key-column", "b"],
         "--key-column"),
        (["plan", *SELECT, "--updated-before", "soon"], "--updated-before"),
        ([*SELECT, "--plan", "platinum"], "--plan"),
        ([*SELECT, "--seats", "0"], "--seats"),
        ([*SELECT, "--workers", "0"], "--workers"),
        ([*SELECT, "--max-tokens", "0"], "--max-tokens"),
        ([*SELECT, "--budget-share", "2"], "--budget-share"),
        ([*SELECT, "--window-share", "0"], "--window-share"),
        (["plan", *SELECT, "--window-share", "1.5"], "--window-share"),
        (["resume", "x", "--window-share", "nan"], "--window-share"),
        ([*SELECT, "--job-dir", f["file"]], "--job-dir"),
        (["jobs", "--job-dir", f["file"]], "--job-dir"),
        (["status", "x", "--job-dir", f["file"]], "--job-dir"),
        (["resume", "x", "--max-tokens", "-5"], "--max-tokens"),
        (["retry", "x", "--max-tokens", "0"], "--max-tokens"),
        (["dedupe", "run", "--max-merges", "-1"], "--max-merges"),
        (["dedupe", "run", "--auto-apply-above", "1.5"], "--auto-apply-above"),
        (["dedupe", "plan", "--config", f["csv"]], "--config"),
        (["dedupe", "plan", "--state-dir", f["file"]], "--state-dir"),
        (["plan", "dedupe", "--max-merges", "-1"], "--max-merges"),
        (["sandbox", "--port", "70000"], "--port"),
        (["sandbox", "--latency-ms", "-1"], "--latency-ms"),
        (["sandbox", "--deals", "-3"], "--deals"),
        (["sandbox", "--time-scale", "0"], "--time-scale"),
        (["sandbox", "--daily-tokens", "-1"], "--daily-tokens"),
        (["sandbox", "--faults", "error=2"], "--faults"),
        (["sandbox", "--faults", "bogus"], "--faults"),
        (["sandbox", "--port", "18949", "--state-file", f["nowhere"]], "--state-file"),
        (["sandbox", "--host", "10.1.2.3"], "--allow-remote"),
    ]


_NO_ACCOUNT = ("jobs", "status", "resume", "retry", "sandbox")


def test_every_bad_option_value_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    """A bad option value or combination, in any command, is exit 2 with a line naming the
    option, before the token or the account is read (x22r2 F1: exit 1 for half of them),
    and no job folder is made."""
    f = _files(tmp_path)
    jobs = tmp_path / "jobs"
    wrong = []
    for args, option in bad_invocations(f):
        extra = [] if args[0] in _NO_ACCOUNT else list(URL)
        if args[0] not in ("sandbox", "init-mapping") and "--job-dir" not in args:
            extra += ["--job-dir", str(jobs)]
        res = CliRunner().invoke(app, [*args, *extra], env={**ENV, "COLUMNS": "200"})
        named = [line for line in res.output.splitlines() if option in line]
        if res.exit_code != 2 or not named or "Traceback" in res.output \
                or "Value error" in res.output:  # pydantic's prefix (x27r3 6)
            wrong.append((args, option, res.exit_code, res.output[-300:]))
    assert not wrong, "\n".join(map(str, wrong))
    assert not jobs.exists() or not any(jobs.iterdir())
