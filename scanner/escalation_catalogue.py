"""The privilege-escalation catalogue, as data: ``scanner/data/escalation_paths.json``.

One entry per path of DataDog's public catalogue pathfinding.cloud (its AWS paths as of the
commit and date the file's ``source`` names), under the catalogue's own id so a user can look
the path up (``https://pathfinding.cloud/paths/<id>``). The ids, names and required actions
are the catalogue's; the rest is written here, for this scanner:

- ``family``: how the search reads the path. ``self`` changes the actor's own permissions
  (admin at once); ``pass`` creates a compute resource with a passed role (``service`` is the
  service principal the passed role's trust policy must admit); ``existing`` takes over a
  compute resource that already runs with a role (an EC2 instance or a Lambda function of the
  configuration, matched to its role; of other services, or in a configuration defining none,
  which resource runs with which role is not read: possible); ``assume`` assumes another role
  whose trust policy admits the actor; ``trust`` rewrites another role's trust policy;
  ``modify-target`` changes another role's permissions and takes it over (admin at once);
  ``user`` reaches an IAM user (users are not read from the configuration: possible);
  ``user-only`` is open only to an IAM user acting on itself or its group (never to an
  instance role).
- ``actions``: each required action and the resource it must be allowed on: ``*`` (every
  resource), ``passed_role`` / ``target_role`` (the other role's ARN), ``self_role`` (the
  actor's ARN), ``self_policy`` / ``target_policy`` (a customer managed policy attached to the
  actor / the other role), ``user`` (an IAM user), ``instance`` / ``function`` (an existing EC2
  instance / Lambda function of the configuration: the role it runs with is the target).
- ``reachable_in_configuration``: ``yes`` (the search can find it for sure), ``possible``
  (at best possible, ``why`` says why) or ``no`` (never, for an instance role).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from scanner.frozen import frozen

Family = Literal["self", "pass", "existing", "assume", "trust", "modify-target", "user", "user-only"]
On = Literal[
    "*", "passed_role", "target_role", "self_role", "self_policy", "target_policy", "user", "instance", "function"
]

_FILE = "escalation_paths.json"


@frozen
class Required:
    """One required action (``action`` lower case, ``name`` as AWS writes it) and what it
    must be allowed on."""

    action: str
    on: On
    name: str = ""


@frozen
class EscalationPath:
    id: str
    name: str
    family: Family
    actions: tuple[Required, ...]
    reaches: str
    description: str
    url: str
    reachable_in_configuration: Literal["yes", "possible", "no"]
    service: str = ""  # the service principal a passed / existing role's trust must admit
    why: str = ""

    def first(self, on: On) -> Required | None:
        return next((r for r in self.actions if r.on == on), None)


@frozen
class Catalogue:
    """The paths, where they come from, and ``actions``: every action some path requires
    (lower case)."""

    paths: tuple[EscalationPath, ...]
    source: str
    source_url: str
    as_of: str
    actions: frozenset[str]


@cache
def catalogue() -> Catalogue:
    """The catalogue, read once (the first time an escalation question is asked)."""
    text = resources.files("scanner").joinpath(f"data/{_FILE}").read_text(encoding="utf-8")
    doc = json.loads(text)
    paths = tuple(
        EscalationPath(
            id=entry["id"],
            name=entry["name"],
            family=entry["family"],
            actions=tuple(Required(a["action"].lower(), a["on"], a["action"]) for a in entry["actions"]),
            reaches=entry["reaches"],
            description=entry["description"],
            url=entry["url"],
            reachable_in_configuration=entry["reachable_in_configuration"],
            service=entry.get("service", ""),
            why=entry.get("why", ""),
        )
        for entry in doc["paths"]
    )
    source = doc["source"]
    actions = frozenset(r.action for p in paths for r in p.actions)
    return Catalogue(paths, source["name"], source["url"], source["date"], actions)
