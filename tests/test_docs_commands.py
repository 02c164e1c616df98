"""Every command README.md and docs/ci.md show works as written, from a clone, on a fresh machine.

The commands are read from the Markdown itself: the lines of `sh` blocks, the `run:` and
`script:` entries of the CI examples, the pre-commit configuration, and the inline commands of
the prose. Those that build and test the repository are `.ci/run`'s own lines; the few that
would take long as written are run by the test named for them in RUN_ELSEWHERE; every other
one runs here (a slow test): README's in a fresh clone, docs/ci.md's in a plan repository of
the kind the page describes, with nap-rules installed from a wheel built from the clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "docs/ci.md")
CI_RUN = ROOT / ".ci" / "run"

# run by another test, in a shorter form
RUN_ELSEWHERE = {
    "python benchmarks/run.py": "tests/test_benchmark_runner.py runs it on one small size",
    "python benchmarks/workbook.py": "test_the_workbook_benchmark_runs below runs it on a small plan",
}
# names of commands in the prose, not invocations
NAMES = {"nap-rules", "nap-rules check", "nap-rules diff", "nap-rules rules test"}
# docs/ci.md commands that run in the clone of nap-rules rather than in the plan's repository
IN_THE_CLONE = {"python3 -m pip wheel --no-deps --wheel-dir dist/ .", "python3 -m pip install ."}
# the exit code a command ends with where it is not 0: the bundled plan has errors
EXIT = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/nap-rules check plan/"): 1,
    ("README.md", "nap-rules check plan/ --progress examples/monitoring --as-of 2023-07-01"): 1,
    ("docs/ci.md", "nap-rules check plan/"): 1,
    ("README.md", "nap-rules check plan/"): 1,
    ("README.md", "nap-rules check annex.xlsx"): 1,
}
COMMAND_WORDS = re.compile(r"(nap-rules|python3?|pip|pre-commit|git|\.venv/bin/)(\s|$)")


def fenced(doc: str) -> list[tuple[str, str]]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)


def _ci_entries(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["run"]] if isinstance(node.get("run"), str) else []
        for key in ("script", "after_script"):
            found += [s for s in node.get(key) or [] if isinstance(s, str)]
        return found + [c for key, value in node.items() if key not in ("run", "script", "after_script")
                        for c in _ci_entries(value)]
    if isinstance(node, list):
        return [c for item in node for c in _ci_entries(item)]
    return []


def commands(doc: str) -> list[str]:
    """The commands of `doc`, in order: shell lines, CI steps, and whole inline commands."""
    found = []
    for lang, body in fenced(doc):
        if lang == "sh":
            for line in body.splitlines():
                line = re.sub(r"\s+#.*$", "", line).strip()
                if line and not line.startswith("#"):
                    found.append(line)
        elif lang == "yaml":
            data = yaml.safe_load(body)
            if isinstance(data, dict) and "repos" in data:
                found.append("pre-commit run --all-files")
            found += [c.strip() for c in _ci_entries(data)]
    prose = re.sub(r"^```.*?^```", "", (ROOT / doc).read_text(encoding="utf-8"), flags=re.S | re.M)
    for span in re.findall(r"`([^`\n]+)`", prose):
        placeholder = re.search(r"\b[A-Z][A-Z_]+\b|\\\||\[|…", span)
        if COMMAND_WORDS.match(span) and not placeholder and span not in NAMES:
            found.append(span)
    return list(dict.fromkeys(found))


def ci_run_lines() -> list[str]:
    return [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def run_by_ci(command: str) -> bool:
    return command in ci_run_lines() or "pytest" in command


# --- quick: what the docs say can be run at all ---------------------------------------------------

def test_the_test_commands_of_the_readme_are_lines_of_ci_run():
    tests = [c for c in commands("README.md") if "pytest" in c]
    assert tests and all(c in ci_run_lines() for c in tests), tests


def test_the_report_the_readme_shows_is_what_check_prints():
    """Each line of README's excerpt of the published plan's report ("it begins:") is a line of
    what `nap-rules check plan/` prints ("…" stands for lines left out)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = text.split("it begins:\n\n```text\n", 1)[1].split("```", 1)[0].splitlines()
    run = subprocess.run([sys.executable, "-m", "nap_rules", "check", "plan/"], cwd=ROOT, capture_output=True,
                         text=True, encoding="utf-8")
    assert run.returncode == 1, run.stderr
    printed = run.stdout.splitlines()
    assert shown[0] == printed[0]
    assert [line for line in shown if line != "…" and line not in printed] == []


def test_commands_run_elsewhere_are_still_in_the_docs():
    everything = {c for doc in DOCS for c in commands(doc)}
    assert set(RUN_ELSEWHERE) <= everything
    assert {command for _, command in EXIT} <= everything


def test_no_command_installs_from_an_index_or_names_a_placeholder():
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert not re.search(r"pip install\s+['\"]?nap-rules", text), doc
        assert not re.search(r"repo:\s*<", text), doc
        assert "<a release tag>" not in text, doc


def test_the_pre_commit_configuration_of_the_docs_matches_the_hook_file():
    (config,) = [yaml.safe_load(body) for lang, body in fenced("docs/ci.md") if lang == "yaml" and "repos:" in body]
    (local,) = config["repos"][0]["hooks"]
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for key in ("id", "name", "entry", "pass_filenames", "files"):
        assert local[key] == hook[key], key
    assert config["repos"][0]["repo"] == "local" and local["language"] == "system"


# --- slow: running them ---------------------------------------------------------------------------

def _sh(command: str, cwd: Path, env: dict, expect: int = 0) -> str:
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output[-3000:]
    assert done.returncode == expect, f"{command}\n{output[-3000:]}"
    return output


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Plan Team", "-c", "user.email=plans@example.org", *args],
                   cwd=cwd, check=True, capture_output=True)


def _environment(venv_bin: Path, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    # the documented venv first, then this interpreter's (where pre-commit is installed)
    env["PATH"] = os.pathsep.join([str(venv_bin), str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PRE_COMMIT_HOME"] = str(tmp / "pre-commit-home")
    env["GITHUB_STEP_SUMMARY"] = str(tmp / "step-summary.md")
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone of this repository (its committed state)."""
    where = tmp_path_factory.mktemp("fresh") / "nap-rules"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(where)], check=True)
    return where


def _plan_repository(tmp_path: Path) -> Path:
    """A git repository holding a copy of the published plan in plan/, staged, not committed."""
    repo = tmp_path / "plans"
    shutil.copytree(ROOT / "plan", repo / "plan")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    return repo


@pytest.mark.slow
def test_the_readme_commands_work_from_a_fresh_clone(clone, tmp_path):
    env = _environment(clone / ".venv" / "bin", tmp_path)
    for command in commands("README.md"):
        if run_by_ci(command) or command in RUN_ELSEWHERE:
            continue
        _sh(command, clone, env, EXIT.get(("README.md", command), 0))


@pytest.mark.slow
def test_the_ci_page_commands_work_in_a_plan_repository(clone, tmp_path):
    # a plan's repository: the plan, released as v2023.1, then revised once
    repo = _plan_repository(tmp_path)
    _git(repo, "commit", "-q", "-m", "the plan as published")
    _git(repo, "tag", "v2023.1")
    shutil.copytree(repo / "plan", repo / "old-plan")
    goal = repo / "plan" / "goals" / "PG1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "a revision")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    env = _environment(tmp_path / "venv" / "bin", tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(clone / ".venv")], check=True)
    clone_env = _environment(clone / ".venv" / "bin", tmp_path)
    (repo / ".pre-commit-config.yaml").write_text(
        next(body for lang, body in fenced("docs/ci.md") if lang == "yaml" and "repos:" in body), encoding="utf-8")

    for command in commands("docs/ci.md"):
        if command in IN_THE_CLONE:
            _sh(command, clone, clone_env)
            if "wheel" in command:
                (repo / "tools").mkdir(exist_ok=True)
                for wheel in (clone / "dist").glob("*.whl"):
                    shutil.copy(wheel, repo / "tools")
            continue
        if command.startswith("pre-commit"):
            _git(repo, "add", ".pre-commit-config.yaml", "plan")
        command = command.replace("${{ github.base_ref }}", "main")
        _sh(command, repo, env, EXIT.get(("docs/ci.md", command), 0))
    assert (repo / "nap-rules.sarif").is_file() and (repo / "nap-rules-junit.xml").is_file()
    assert "nap-thb-2021-2023" in (tmp_path / "step-summary.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_hook_file_works_through_pre_commit(clone, tmp_path):
    """`.pre-commit-hooks.yaml` as a hook repository would serve it: pre-commit installs nap-rules from the clone."""
    repo = _plan_repository(tmp_path)
    _git(clone, "add", "-A")
    _git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree")
    env = _environment(Path(sys.executable).parent, tmp_path)
    output = _sh(f"pre-commit try-repo {clone} nap-rules --all-files", repo, env, expect=1)
    assert "nap-rules check" in output and "NAP-REF-001" in output


@pytest.mark.slow
def test_the_workbook_benchmark_runs():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "workbook.py"), "--measures", "200"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
