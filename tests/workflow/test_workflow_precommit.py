"""The pre-commit hook, run by the real tool: `pre-commit try-repo` installs iacscan from a
committed copy of this repository into a hook environment and runs it on a temporary git
repository. A changed file is checked with its whole configuration (the security group in
another file of the module counts), and only configurations holding changed files are
reported.

Slow on first run (pre-commit pip-installs iacscan and its dependencies into the hook
environment); the hook environment is cached for the session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.readme_snippets import (
    PROJECT,
    PUBLISHED_REPO,
    PUBLISHED_REV,
    precommit_config,
    precommit_try_repo_args,
)

FIXTURE = PROJECT / "fixtures" / "workflow" / "precommit-repo"
SKIPPED = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "build",
    "dist",
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def project_files() -> list[Path]:
    """This repository's files as a clean checkout would have them: tracked and new files,
    without what .gitignore leaves out (virtualenvs, caches, node_modules)."""
    if (PROJECT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=PROJECT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return sorted({Path(name) for name in listed.split("\0") if name and (PROJECT / name).is_file()})
    found = []
    for folder, folders, files in os.walk(PROJECT):
        folders[:] = [f for f in folders if f not in SKIPPED and not f.endswith(".egg-info")]
        found += [(Path(folder) / name).relative_to(PROJECT) for name in files]
    return sorted(found)


@pytest.fixture(scope="session")
def git_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("GIT_", "PRE_COMMIT")):
            del env[key]
    env.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),  # hook environments, once per session
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",  # no user hooks, signing or templates
        GIT_AUTHOR_NAME="iacscan tests",
        GIT_AUTHOR_EMAIL="tests@iacscan.invalid",
        GIT_COMMITTER_NAME="iacscan tests",
        GIT_COMMITTER_EMAIL="tests@iacscan.invalid",
        COLUMNS="250",
    )
    return env


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, git_env: dict[str, str]) -> Path:
    """A committed copy of this repository as it is on disk. try-repo on the project itself
    would leave out files not yet committed; in CI (a clean checkout) the two are the same."""
    copy = tmp_path_factory.mktemp("hook-repo") / "iacscan"
    for relative in project_files():
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / relative, copy / relative)
    git(copy, "init", "--quiet", env=git_env)
    git(copy, "add", "--all", env=git_env)
    git(copy, "commit", "--quiet", "--no-verify", "-m", "iacscan under test", env=git_env)
    return copy


@pytest.fixture
def work(tmp_path: Path, git_env: dict[str, str]) -> Path:
    """A user's repository: Terraform in infra/ (instance in main.tf, its SSH-open security
    group in network.tf), a clean CloudFormation template in app/, everything committed."""
    repo = tmp_path / "work"
    shutil.copytree(FIXTURE, repo)
    git(repo, "init", "--quiet", env=git_env)
    git(repo, "add", "--all", env=git_env)
    git(repo, "commit", "--quiet", "-m", "infrastructure", env=git_env)
    return repo


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return done.returncode, done.stdout + done.stderr


def try_repo(work: Path, hook_repo: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    return pre_commit(work, env, "try-repo", str(hook_repo), "iacscan", *args)


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def fix_ssh_rule(work: Path, env: dict[str, str]) -> None:
    network = work / "infra" / "network.tf"
    network.write_text(network.read_text(encoding="utf-8").replace('["0.0.0.0/0"]', '["10.0.0.0/8"]'), encoding="utf-8")
    git(work, "commit", "--quiet", "--no-verify", "-am", "ssh from the corporate network only", env=env)


# try-repo builds a fresh hook environment on every call (about a minute): two calls only.
def test_try_repo_failing_files_then_passing_all_files(work: Path, hook_repo: Path, git_env: dict[str, str]) -> None:
    code, out = try_repo(work, hook_repo, git_env, "--files", "infra/main.tf")
    assert code == 1, out
    assert "iacscan (EC2 exposure scan)" in out and "Failed" in out
    # the rule that opens SSH is in network.tf, which was not passed: the module was loaded
    rule_line = line_of(work / "infra" / "network.tf", 'cidr_blocks = ["0.0.0.0/0"]')
    assert f"infra/network.tf:{rule_line}" in out
    assert "ec2-remote-access" in out and "aws_instance.web" in out
    assert "1 exposure (1 low) in 1 configuration" in out  # app/ was not changed: not scanned

    fix_ssh_rule(work, git_env)
    args = precommit_try_repo_args()  # the README's command, with this repository for the published one
    assert args[1] == PUBLISHED_REPO and "--all-files" in args
    code, out = pre_commit(work, git_env, *[str(hook_repo) if a == PUBLISHED_REPO else a for a in args])
    assert code == 0, out
    assert "iacscan (EC2 exposure scan)" in out and "Passed" in out


def test_readme_config(work: Path, hook_repo: Path, git_env: dict[str, str]) -> None:
    """The README's .pre-commit-config.yaml, pointed at the local copy, in `pre-commit run`
    (its hook environment is built once per session)."""
    config = precommit_config()
    head = git(hook_repo, "rev-parse", "HEAD", env=git_env).strip()
    assert config.count(f"repo: {PUBLISHED_REPO}\n") == 1 and config.count(f"rev: {PUBLISHED_REV}\n") == 1
    local = config.replace(f"repo: {PUBLISHED_REPO}\n", f"repo: {hook_repo}\n").replace(
        f"rev: {PUBLISHED_REV}\n", f"rev: {head}\n"
    )
    (work / ".pre-commit-config.yaml").write_text(local, encoding="utf-8")
    git(work, "add", ".pre-commit-config.yaml", env=git_env)
    git(work, "commit", "--quiet", "--no-verify", "-m", "pre-commit", env=git_env)

    code, out = pre_commit(work, git_env, "run", "--files", "app/template.yaml", "README.md")
    assert code == 0, out
    assert "Passed" in out

    # a commit touching only a CI workflow: the hook's files pattern passes it, and it is not IaC
    code, out = pre_commit(work, git_env, "run", "--verbose", "--files", ".github/workflows/ci.yml")
    assert code == 0, out
    assert "Passed" in out and ".github/workflows/ci.yml: not Terraform or CloudFormation; not scanned" in out

    code, out = pre_commit(work, git_env, "run", "--all-files")
    assert code == 1, out
    assert "ec2-remote-access" in out and "1 exposure (1 low) in 2 configurations" in out

    fix_ssh_rule(work, git_env)
    code, out = pre_commit(work, git_env, "run", "--files", "infra/network.tf")
    assert code == 0, out
