"""Every `--json` of every command prints exactly one JSON object on stdout — when it
works and when it ends in an error — and everything else on stderr."""

from __future__ import annotations

import inspect
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import COMMANDS, app, plan_app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "cli-json-token"
FAST = ["--plan", "ultimate", "--oauth"]


def _one_object(stdout: str) -> dict[str, object]:
    """stdout is one JSON object and nothing else."""
    data = orjson.loads(stdout)
    assert isinstance(data, dict), stdout
    return data


def test_every_json_output_is_one_object_on_stdout(tmp_path: Path) -> None:
    """Each command with --json, run once to success and once to an error (no token):
    stdout parses as one JSON object; the error object says status, exit_code, error."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\nk1,Deal one\nk2,\n")  # row 2 fails: exit 3
    mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                       'pipeline = { default = "Sales" }\n')
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n1,2\n")
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=10,
                                       seed=3)) as sb:
        url = ["--url", sb.url, *FAST]
        mapped = [str(manifest), "--mapping", str(mapping), "--create-key-field"]
        runs: dict[tuple[str, str], list[str]] = {
            ("", "import"): ["import", *mapped, *url, "--job-dir", str(jobs)],
            ("plan", "import"): ["plan", "import", *mapped, *url,
                                 "--failed-csv", str(tmp_path / "pf.csv")],
            ("", "status"): ["status", "JOB", "--job-dir", str(jobs)],
            # x14r3 6: cron had only the exit code of these
            ("", "jobs"): ["jobs", "--job-dir", str(jobs)],
            ("", "resume"): ["resume", "JOB", "--job-dir", str(jobs)],
            ("", "retry"): ["retry", "JOB", "--job-dir", str(jobs)],
            ("plan", "update"): ["plan", "update", str(manifest), "--mapping", str(mapping), *url],
            ("plan", "move-stage"): ["plan", "move-stage", "--to-stage", "Qualified",
                                     "--status", "open", *url],
            ("plan", "merge"): ["plan", "merge", str(pairs), *url],
            ("plan", "undo"): ["plan", "undo", "JOB", *url, "--job-dir", str(jobs)],
            ("plan", "dedupe"): ["plan", "dedupe", *url, "--job-dir", str(jobs)],
            ("dedupe", "run"): ["dedupe", "run", *url, "--job-dir", str(jobs)],
            # the jobs themselves too (x12r4 F4: cron had only the exit code); undo last
            ("", "update"): ["update", str(manifest), "--mapping", str(mapping), "--yes", *url,
                             "--job-dir", str(jobs)],
            ("", "move-stage"): ["move-stage", "--to-stage", "Qualified", "--status", "open",
                                 "--yes", *url, "--job-dir", str(jobs)],
            ("", "merge"): ["merge", str(pairs), "--yes", *url, "--job-dir", str(jobs)],
            ("", "undo"): ["undo", "JOB", "--yes", *url, "--job-dir", str(jobs)],
        }
        with_json = {("plan" if g is plan_app else "" if g is app else "dedupe", name)
                     for g, name, command in COMMANDS
                     if "as_json" in inspect.signature(command).parameters}
        assert with_json == set(runs)  # a new --json command needs its line here
        job = ""
        for (group, name), args in runs.items():  # import first: status and undo use its job
            args = [a.replace("JOB", job) for a in args] + ["--json"]
            ok = CliRunner().invoke(app, args, env={"PIPEDRIVE_API_TOKEN": TOKEN})
            assert ok.exit_code in (0, 1, 3), (args, ok.output)
            data = _one_object(ok.stdout)
            if (group, name) == ("", "import"):
                assert ok.exit_code == 3 and data["rows"]["failed"] == 1  # type: ignore[index]
                job = next(jobs.iterdir()).name
                # job, job_dir and status, as every job's summary (README; x18r4 3)
                assert data["job"] == job and data["status"], data
                assert Path(str(data["job_dir"])) == jobs / job, data
                assert "rows:" in ok.stderr  # the summary lines: on stderr
            elif name == "jobs":
                (listed,) = data["jobs"]  # type: ignore[misc]
                assert listed["job"] == job and listed["counts"] == {"done": 1, "failed": 1}
            elif name in ("resume", "retry"):  # the import's summary, as the run left it
                assert data["job"] == job and Path(str(data["job_dir"])).is_dir(), data
                assert data["rows"]["failed"] == 1, data  # type: ignore[index]
                assert ok.exit_code == 3, ok.output  # its failed row: still failed
            elif group == "" and name != "status":  # a job's summary, named
                assert str(data["job"]).split("-")[2] == name.split("-")[0], data
                assert Path(str(data["job_dir"])).is_dir(), data
            bad = CliRunner().invoke(app, args, env={"PIPEDRIVE_API_TOKEN": ""})
            if name == "undo":  # undone wholly: "nothing to undo" needs no token (exit 0);
                # with --contacts there is something left, so the token is asked for
                bad = CliRunner().invoke(app, [*args, "--contacts"],
                                         env={"PIPEDRIVE_API_TOKEN": ""})
            if name in ("status", "resume", "retry"):  # the job comes first: an unknown one
                bad = CliRunner().invoke(app, [a.replace(job, "nope") for a in args])
            if name == "jobs":  # reads no token: a --job-dir that is a file
                bad = CliRunner().invoke(app, [a.replace(str(jobs), str(manifest))
                                               for a in args])
            err = _one_object(bad.stdout)
            # no such job, a --job-dir that is a file (x22r2 F1): usage errors
            code = 2 if name in ("status", "resume", "retry", "jobs") else 1
            assert bad.exit_code == code and err["status"] == "error", (args, bad.output)
            assert err["exit_code"] == code and err.get("error"), (args, err)
            assert ("Invalid value for '--job-dir'" if name == "jobs" else "pdbulk:") \
                in bad.stderr


def test_a_usage_error_with_json_prints_the_error_object(tmp_path: Path) -> None:
    """A usage error (exit 2: a missing file, a missing argument) with --json still prints
    one JSON error object on stdout; click's own message stays on stderr."""
    for args in (["import", str(tmp_path / "none.csv"), "--mapping", "x.toml", "--json"],
                 ["plan", "import", "--json"], ["status", "--json"]):
        res = CliRunner().invoke(app, args, env={"PIPEDRIVE_API_TOKEN": TOKEN})
        err = _one_object(res.stdout)
        assert res.exit_code == 2 and err["exit_code"] == 2 and err["error"], res.output
