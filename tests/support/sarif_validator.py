"""Runs Microsoft's SARIF validator (the Sarif.Multitool of @microsoft/sarif-multitool,
pinned in tests/sarif-validator/package.json) with the SARIF and GitHub rule sets.

``find_validator()`` looks in ``tests/sarif-validator/node_modules`` and, when missing,
runs ``npm install`` there once (tests only; the scanner never runs a subprocess).
``validate(path)`` returns the errors and warnings it reports, parsed from its own SARIF
output. The binary is self-contained .NET; without libicu it needs invariant globalization.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO

TOOLS = REPO / "tests" / "sarif-validator"  # package.json pinning the validator
_PLATFORM_PACKAGE = {
    "Linux": "sarif-multitool-linux",
    "Darwin": "sarif-multitool-darwin",
    "Windows": "sarif-multitool-win32",
}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.level} {self.rule_id}: {self.message}"


def _binary_path() -> Path | None:
    package = _PLATFORM_PACKAGE.get(platform.system())
    if package is None:
        return None
    name = "Sarif.Multitool.exe" if platform.system() == "Windows" else "Sarif.Multitool"
    return TOOLS / "node_modules" / "@microsoft" / package / name


def find_validator(install: bool = True) -> Path | None:
    """The validator binary, installing the pinned npm package if needed; None if impossible."""
    binary = _binary_path()
    if binary is None:
        return None
    if not binary.exists() and install and shutil.which("npm") and (TOOLS / "package.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS, capture_output=True, timeout=600, check=False
        )
    if not binary.exists():
        return None
    if not os.access(binary, os.X_OK):  # npm may skip the package's chmod postinstall script
        binary.chmod(binary.stat().st_mode | 0o100)
    return binary


def validate(sarif_file: Path, binary: Path | None = None) -> tuple[list[Finding], list[Finding]]:
    """(errors, warnings) the validator reports for ``sarif_file``. Raises RuntimeError when
    the validator itself fails."""
    binary = binary or find_validator()
    if binary is None:
        raise RuntimeError("Sarif.Multitool is not installed (npm install in the repository root)")
    env = dict(os.environ)
    env.setdefault("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "validation.sarif"
        completed = subprocess.run(
            [str(binary), "validate", "--rule-kind", "Sarif;Gh", "--output", str(output), str(sarif_file)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            check=False,
        )
        if not output.exists():
            raise RuntimeError(
                f"validator produced no output (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
            )
        log = json.loads(output.read_text(encoding="utf-8"))
    errors: list[Finding] = []
    warnings: list[Finding] = []
    for run in log.get("runs", []):
        rule_levels = {
            r["id"]: r.get("defaultConfiguration", {}).get("level", "warning")
            for r in run.get("tool", {}).get("driver", {}).get("rules", [])
        }
        for result in run.get("results", []):
            rule_id = result.get("ruleId", "")
            level = result.get("level") or rule_levels.get(rule_id, "warning")
            message = _message_text(result.get("message", {}))
            (errors if level == "error" else warnings if level == "warning" else []).append(
                Finding(rule_id, level, message)
            )
        for invocation in run.get("invocations", []):
            if not invocation.get("executionSuccessful", True):
                errors.append(Finding("execution", "error", "validator run failed"))
            for key in ("toolExecutionNotifications", "toolConfigurationNotifications"):
                for note in invocation.get(key, []):
                    if note.get("level", "warning") == "error":
                        errors.append(Finding(key, "error", _message_text(note.get("message", {}))))
    return errors, warnings


def _message_text(message: dict[str, object]) -> str:
    text = message.get("text")
    if isinstance(text, str):
        return text
    parts = [str(message.get("id", ""))]
    arguments = message.get("arguments")
    if isinstance(arguments, list):
        parts += [str(a) for a in arguments]
    return " ".join(parts)
