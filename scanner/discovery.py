"""Which configurations a set of paths holds.

Each Terraform root module (a folder with ``.tf`` / ``.tf.json`` files that no other
scanned module calls as a local module), each ``terraform show -json`` plan, each
CloudFormation template (found by content, not by extension) and each CDK ``cdk.out``
is its own configuration. Nothing outside ``options.root`` is read, symlink loops are
cut, and the walk order does not depend on the file system's listing order.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from scanner.findings import LoadError
from scanner.loaders.formats import LoadJob
from scanner.loaders.registry import CDK, FILE_FORMATS, FORMATS, TERRAFORM
from scanner.loaders.terraform.file_names import TERRAFORM_SUFFIXES, TFVARS_SUFFIXES
from scanner.options import ScanOptions

SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".terraform",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        ".idea",
        ".vscode",
    }
)
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
LOCAL_MODULE_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.MULTILINE)
LOCAL_MODULE_SOURCE_JSON = re.compile(r'"source"\s*:\s*"(\.{1,2}/[^"]*)"')


@dataclass
class Discovered:
    """The paths of each input format (by its name: Terraform root module folders, plan
    files, cdk.out folders, templates), and what could not be walked."""

    paths: dict[str, list[Path]] = field(default_factory=lambda: {f.name: [] for f in FORMATS})
    errors: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def terraform_modules(self) -> list[Path]:
        return self.paths[TERRAFORM.name]

    def jobs(self) -> list[LoadJob]:
        """One job per path, or one for all of a format that loads its paths together."""
        jobs: list[LoadJob] = []
        for input_format in FORMATS:
            paths = self.paths[input_format.name]
            if input_format.one_job:
                jobs += [LoadJob(input_format.name, tuple(paths))] if paths else []
            else:
                jobs += [LoadJob(input_format.name, (path,)) for path in paths]
        return jobs


def is_excluded(path: Path, options: ScanOptions, excludes: tuple[str, ...]) -> bool:
    shown = options.display_path(path)
    return any(fnmatch.fnmatch(shown, pattern) or fnmatch.fnmatch(path.name, pattern) for pattern in excludes)


def discover(paths: list[Path], options: ScanOptions, excludes: tuple[str, ...] = ()) -> Discovered:
    """Walk ``paths`` (files or folders). A file stands for the configuration it belongs
    to: a ``.tf`` / ``.tfvars`` file for its whole module folder (a changed file is checked
    with its context), a template or plan for itself."""
    found = Discovered()
    tf_folders: set[Path] = set()
    explicit_tf_folders: set[Path] = set()
    candidate_files: list[Path] = []
    named_files: set[Path] = set()  # files named on the command line: one that is not IaC is said
    cdk_outs: set[Path] = set()

    for given in paths:
        if not given.exists():
            found.errors.append(LoadError(str(given), 0, "no such file or folder"))
            continue
        if not options.inside_root(given):
            found.errors.append(LoadError(str(given), 0, f"outside the scanned root {options.root}; not read"))
            continue
        if given.is_file():
            if is_excluded(given, options, excludes):
                continue
            name = given.name
            if name.endswith(TERRAFORM_SUFFIXES) or name.endswith(TFVARS_SUFFIXES):
                explicit_tf_folders.add(given.resolve().parent)
            elif given.parent.name == "cdk.out":
                cdk_outs.add(given.resolve().parent)
            else:
                candidate_files.append(given.resolve())
                named_files.add(given.resolve())
            continue
        for folder, files in _walk(given.resolve(), options, found):
            if is_excluded(folder, options, excludes) and folder != given.resolve():
                continue
            if CDK.detect(folder):
                cdk_outs.add(folder)
                continue
            if any(TERRAFORM.detect(folder / f) for f in files):
                tf_folders.add(folder)
            for name in files:
                if name.endswith(TEMPLATE_SUFFIXES):
                    path = folder / name
                    if not is_excluded(path, options, excludes):
                        candidate_files.append(path)

    found.paths[TERRAFORM.name] = sorted(
        _root_modules(tf_folders, options) | _roots_containing(explicit_tf_folders, options, found)
    )
    found.paths[CDK.name] = sorted(cdk_outs)
    for path in sorted(set(candidate_files)):
        if any(_is_relative_to(path, out) for out in cdk_outs):
            continue
        claimed = next((f for f in FILE_FORMATS if f.detect(path)), None)
        if claimed is not None:
            found.paths[claimed.name].append(path)
        elif path in named_files:
            # what pre-commit passes for a commit touching only ci.yml: nothing to check, not a failure
            found.notices.append(f"{options.display_path(path)}: not Terraform or CloudFormation; not scanned")
    return found


def _walk(top: Path, options: ScanOptions, found: Discovered) -> list[tuple[Path, list[str]]]:
    """Folders below ``top`` (itself included) with their file names, sorted; symlinks that
    leave the root or loop are not followed."""
    result: list[tuple[Path, list[str]]] = []
    seen: set[Path] = set()
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            real = folder.resolve()
        except (OSError, RuntimeError):
            found.notices.append(f"{options.display_path(folder)}: cannot resolve this folder (symlink loop?); skipped")
            continue
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            found.errors.append(LoadError(options.display_path(folder), 0, f"cannot list folder: {error.strerror}"))
            continue
        files: list[str] = []
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = path.resolve(strict=True)
                    if not options.inside_root(target):
                        found.notices.append(
                            f"{_link_path(path, options)}: symlink points outside the scanned root; not followed"
                        )
                        continue
                if entry.is_dir():
                    if entry.name not in SKIPPED_FOLDERS:
                        subfolders.append(path)
                elif entry.is_file():
                    files.append(entry.name)
            except (OSError, RuntimeError):
                found.notices.append(
                    f"{_link_path(path, options)}: cannot follow this link (a loop, or its target is missing); skipped"
                )
        result.append((folder, files))
        stack.extend(reversed(subfolders))
    return sorted(result)


def _link_path(path: Path, options: ScanOptions) -> str:
    """Where a symlink itself sits (its folder resolved, not the link): resolving the link
    would name its target, or fail on a loop."""
    return f"{options.display_path(path.parent)}/{path.name}".removeprefix("./")


def _root_modules(folders: set[Path], options: ScanOptions) -> set[Path]:
    """Folders no other scanned module calls with a local ``source = "./x"``: a called
    module is loaded through its caller, with its inputs, not on its own. Modules that
    only call each other in a cycle would have no root at all; the first of each such
    group (by path) becomes one, so no folder is silently left out."""
    calls = {folder: _local_module_calls(folder, folders, options) for folder in sorted(folders)}
    called = set().union(*calls.values()) if calls else set()
    roots = folders - called
    reached = _reachable(roots, calls)
    for folder in sorted(folders):
        if folder not in reached:
            roots.add(folder)
            reached |= _reachable({folder}, calls)
    return roots


def _roots_containing(folders: set[Path], options: ScanOptions, found: Discovered) -> set[Path]:
    """For each module folder named by a changed file, the root modules that call it
    (directly or through other local modules): a changed child module is checked with the
    inputs its callers give it. A folder nobody calls is its own root."""
    if not folders:
        return set()
    everything = {
        folder
        for folder, files in _walk(options.root.resolve(), options, Discovered())
        if any(f.endswith(TERRAFORM_SUFFIXES) for f in files)
    } | folders
    calls = {folder: _local_module_calls(folder, everything, options) for folder in sorted(everything)}
    roots = _root_modules(everything, options)
    result: set[Path] = set()
    for folder in folders:
        callers = {root for root in roots if folder in _reachable({root}, calls)}
        result |= callers or {folder}
        if callers and folder not in callers:
            found.notices.append(
                f"{options.display_path(folder)} is a module: checked through "
                f"{', '.join(sorted(options.display_path(c) for c in callers))}"
            )
    return result


def _local_module_calls(folder: Path, folders: set[Path], options: ScanOptions) -> set[Path]:
    """Scanned folders that ``folder`` calls as local modules (itself excluded)."""
    called: set[Path] = set()
    for path in sorted(folder.iterdir()):
        try:
            if not path.name.endswith(TERRAFORM_SUFFIXES) or not path.is_file():
                continue
            if path.stat().st_size > options.max_file_bytes:  # the loader reports it; do not read it twice
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except (OSError, RuntimeError):
            continue
        pattern = LOCAL_MODULE_SOURCE_JSON if path.name.endswith(".json") else LOCAL_MODULE_SOURCE
        for source in pattern.findall(text):
            try:
                target = (folder / source.split("//")[0]).resolve()
            except (OSError, RuntimeError):
                continue
            if target != folder and target in folders:
                called.add(target)
    return called


def _reachable(start: set[Path], edges: dict[Path, set[Path]]) -> set[Path]:
    seen = set(start)
    pending = sorted(start)
    while pending:
        for target in sorted(edges.get(pending.pop(), set())):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _is_relative_to(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
