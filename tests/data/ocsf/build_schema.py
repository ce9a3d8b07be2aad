"""Builds ``detection_finding-<version>.schema.json`` (a JSON Schema, draft 2020-12, for OCSF
class 2004 Detection Finding) from a compiled OCSF schema.

Run by hand when moving to another OCSF version; the test reads only the JSON it writes.
The compiled schema is what ``python -m ocsf.compile --ignore-extension linux win windows
--no-prefix-extensions OCSF_SCHEMA_CHECKOUT`` (``ocsf-lib`` 0.10.4 from PyPI) prints for a
release of https://github.com/ocsf/ocsf-schema (1.6.0 here, tag ``1.6.0``; Apache-2.0:
LICENSE and NOTICE beside this file):

    python tests/data/ocsf/build_schema.py compiled.json tests/data/ocsf

Each OCSF object becomes a ``$defs`` entry: its attributes as properties (no others:
``additionalProperties`` false, so an attribute the version does not define fails), the
``required`` ones required, integer enums as ``enum``, the ``at_least_one`` / ``just_one``
constraints as ``anyOf`` / ``oneOf``; attributes of profiles other than cloud and datetime
left out; OCSF types map to JSON types (``timestamp_t`` a long
integer of milliseconds, ``json_t`` anything, the object ``object`` any object).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CLASS = "detection_finding"
PROFILES = {"cloud", "datetime"}  # what iacscan's findings declare in metadata.profiles
JSON_TYPES = {
    "boolean_t": {"type": "boolean"},
    "integer_t": {"type": "integer"},
    "long_t": {"type": "integer"},
    "timestamp_t": {"type": "integer"},
    "port_t": {"type": "integer", "minimum": 0, "maximum": 65535},
    "float_t": {"type": "number"},
    "json_t": {},
}


def attribute_schema(attribute: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]:
    kind = attribute["type"]
    if kind not in types:  # an object's name
        item: dict[str, Any] = {"$ref": f"#/$defs/{kind}"}
    else:
        base = kind if kind in JSON_TYPES else types.get(kind, {}).get("type") or kind
        item = dict(JSON_TYPES[base]) if base in JSON_TYPES else {"type": "string"}
        if attribute.get("enum") and item.get("type") == "integer":
            item["enum"] = sorted(int(k) for k in attribute["enum"])
    return {"type": "array", "items": item} if attribute.get("is_array") else item


def object_schema(definition: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]:
    if definition["name"] == "object":  # OCSF's "Object": any attributes (unmapped, ...)
        return {"type": "object"}
    attributes = own_attributes(definition)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: attribute_schema(a, types) for name, a in sorted(attributes.items())},
        "required": sorted(n for n, a in attributes.items() if a.get("requirement") == "required"),
        "additionalProperties": False,
    }
    constraints = definition.get("constraints") or {}
    if constraints.get("at_least_one"):
        schema["anyOf"] = [{"required": [n]} for n in constraints["at_least_one"]]
    if constraints.get("just_one"):
        schema["oneOf"] = [{"required": [n]} for n in constraints["just_one"]]
    return schema


def own_attributes(definition: dict[str, Any]) -> dict[str, Any]:
    """The attributes of the core schema and of the profiles in ``PROFILES`` (a profile's
    attributes belong to an event only when it declares the profile)."""
    return {n: a for n, a in definition["attributes"].items() if a.get("profile") in (None, *PROFILES)}


def referenced(definition: dict[str, Any], types: dict[str, Any]) -> set[str]:
    return {a["type"] for a in own_attributes(definition).values() if a["type"] not in types}


def build(compiled: dict[str, Any]) -> dict[str, Any]:
    types, objects = compiled["types"], compiled["objects"]
    event = compiled["classes"][CLASS]
    pending, seen = referenced(event, types), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending |= referenced(objects[name], types) - seen
    schema = object_schema(event, types)
    schema["properties"]["class_uid"] = {"const": event["uid"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://schema.ocsf.io/{compiled['version']}/classes/{CLASS}",
        "title": f"OCSF {compiled['version']} {event['caption']} (class {event['uid']})",
        "x-ocsf-version": compiled["version"],
        **schema,
        "$defs": {name: object_schema(objects[name], types) for name in sorted(seen)},
    }


def main() -> None:
    compiled = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = Path(sys.argv[2]) / f"{CLASS}-{compiled['version']}.schema.json"
    out.write_text(json.dumps(build(compiled), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(out)


if __name__ == "__main__":
    main()
