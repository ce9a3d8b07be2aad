"""``[tool.iacscan]`` in ``pyproject.toml`` or ``.iacscan.toml`` at the scanned root.

Command-line flags win over the file. An unknown key is an error that names the key, so
a typo never silently turns a check off.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from scanner.frozen import frozen

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

KNOWN_KEYS = frozenset(
    {
        "fail-on",
        "authorized-ports",
        "skip-rules",
        "var-files",
        "parameters",
        "exclude",
        "sboms",
        "inspector-exports",
        "vuln-db",
        "kev",
        "epss",
        "epss-threshold",
        "format",
        "assume-worst",
        "max-instances",
        "template-urls",
        "criticality",
        "aws-account",
        "aws-region",
        "source-url-base",
    }
)
SEVERITY_NAMES = ("low", "medium", "high", "critical", "none")


class SettingsError(ValueError):
    """A configuration file that cannot be used; the message names the file and key."""


@frozen
class FileSettings:
    source: Path | None = None
    fail_on: str | None = None
    authorized_ports: tuple[int, ...] | None = None
    skip_rules: tuple[str, ...] = ()
    var_files: tuple[Path, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    sboms: dict[str, Path] = field(default_factory=dict)
    inspector_exports: tuple[Path, ...] = ()
    vuln_db: Path | None = None
    kev: Path | None = None
    epss: Path | None = None
    epss_threshold: float | None = None
    format: str | None = None
    assume_worst: bool = False
    max_instances: int | None = None
    template_urls: dict[str, Path] = field(default_factory=dict)  # URL prefix -> folder (--template-url)
    # (high, low) criticality rules, each None where the defaults stay; criticality_off: criticality = false
    criticality_high: tuple[str, ...] | None = None
    criticality_low: tuple[str, ...] | None = None
    criticality_off: bool = False
    aws_account: str | None = None  # --aws-account (ASFF)
    aws_region: str | None = None  # --aws-region (ASFF)
    source_url_base: str | None = None  # --source-url-base (ASFF SourceUrl)


def find_settings_file(root: Path) -> Path | None:
    """``.iacscan.toml`` wins over ``pyproject.toml``; a pyproject without
    ``[tool.iacscan]`` does not count."""
    dedicated = root / ".iacscan.toml"
    if dedicated.is_file():
        return dedicated
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        if isinstance(data.get("tool"), dict) and "iacscan" in data["tool"]:
            return pyproject
    return None


def load_settings(path: Path) -> FileSettings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from error
    table: Any = data
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("iacscan", {})
    elif "tool" in data and isinstance(data["tool"], dict) and "iacscan" in data["tool"]:
        table = data["tool"]["iacscan"]
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.iacscan] must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise SettingsError(
            f"{path}: unknown key {unknown[0]!r} in iacscan settings (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    base = path.parent

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SettingsError(f"{path}: {key} must be a string")
        return value

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{path}: {key} must be a list of strings")
        return tuple(value)

    def mapping(key: str) -> dict[str, str]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise SettingsError(f"{path}: {key} must be a table")
        return {str(k): str(v) for k, v in value.items()}

    fail_on = text("fail-on")
    if fail_on is not None and fail_on not in SEVERITY_NAMES:
        raise SettingsError(f"{path}: fail-on must be one of {', '.join(SEVERITY_NAMES)}, not {fail_on!r}")
    ports_value = table.get("authorized-ports")
    ports: tuple[int, ...] | None = None
    if ports_value is not None:
        if not isinstance(ports_value, list) or not all(isinstance(p, int) and 0 <= p <= 65535 for p in ports_value):
            raise SettingsError(f"{path}: authorized-ports must be a list of port numbers")
        ports = tuple(ports_value)
    threshold = table.get("epss-threshold")
    if threshold is not None and not isinstance(threshold, (int, float)):
        raise SettingsError(f"{path}: epss-threshold must be a number")
    assume_worst = table.get("assume-worst", False)
    if not isinstance(assume_worst, bool):
        raise SettingsError(f"{path}: assume-worst must be true or false")
    max_instances = table.get("max-instances")
    if max_instances is not None and (
        isinstance(max_instances, bool) or not isinstance(max_instances, int) or max_instances < 1
    ):
        raise SettingsError(f"{path}: max-instances must be a whole number of 1 or more")
    high, low, criticality_off = _criticality(path, table.get("criticality"))
    optional_path = {k: (base / v if v else None) for k in ("vuln-db", "kev", "epss") for v in [text(k)]}
    return FileSettings(
        source=path,
        fail_on=fail_on,
        authorized_ports=ports,
        skip_rules=strings("skip-rules"),
        var_files=tuple(base / p for p in strings("var-files")),
        parameters=mapping("parameters"),
        exclude=strings("exclude"),
        sboms={k: base / v for k, v in mapping("sboms").items()},
        inspector_exports=tuple(base / p for p in strings("inspector-exports")),
        vuln_db=optional_path["vuln-db"],
        kev=optional_path["kev"],
        epss=optional_path["epss"],
        epss_threshold=float(threshold) if threshold is not None else None,
        format=text("format"),
        assume_worst=assume_worst,
        max_instances=max_instances,
        template_urls={k: (base / v).resolve() for k, v in mapping("template-urls").items()},
        criticality_high=high,
        criticality_low=low,
        criticality_off=criticality_off,
        aws_account=text("aws-account"),
        aws_region=text("aws-region"),
        source_url_base=text("source-url-base"),
    )


def _criticality(path: Path, value: Any) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, bool]:
    """``criticality = false`` (off), or ``{ high = [...], low = [...] }`` (each list given
    replaces that level's default rules; ``scanner.criticality``)."""
    if value is None or value is True:
        return None, None, False
    if value is False:
        return None, None, True
    if not isinstance(value, dict) or set(value) - {"high", "low"}:
        raise SettingsError(f"{path}: criticality must be false or a table with the keys high and low")
    from scanner.criticality import RuleError, parse_rule

    lists: list[tuple[str, ...] | None] = []
    for level in ("high", "low"):
        rules = value.get(level)
        if rules is not None and (not isinstance(rules, list) or not all(isinstance(r, str) for r in rules)):
            raise SettingsError(f"{path}: criticality.{level} must be a list of strings")
        for rule in rules or ():
            try:
                parse_rule(rule)
            except RuleError as error:
                raise SettingsError(f"{path}: {error}") from None
        lists.append(tuple(rules) if rules is not None else None)
    return lists[0], lists[1], False
