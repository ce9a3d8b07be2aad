"""Offline validators for the Security Hub reports.

* ASFF: the ``AwsSecurityFinding`` shape of the ``securityhub`` service model botocore
  ships (required members, no unknown members, types, enums, list and length bounds the
  model states), then the limits the Security Hub documentation states and the model does
  not: Title 256, Description 1,024, Note.Text 512, Remediation.Recommendation.Text 512
  characters; at most 32 Resources; ProductFields at most 50 pairs, keys 128 and values
  2,048 characters; ``Details.Other`` keys and values under 128 / 1,024 characters;
  Severity.Label one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL; CreatedAt / UpdatedAt
  ISO 8601; at most 100 findings per BatchImportFindings call.
* OCSF: the JSON Schema of class 2004 Detection Finding built from the OCSF schema release
  bundled under ``tests/data/ocsf`` (``build_schema.py`` there says how).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from tests.support.paths import REPO

OCSF_SCHEMA = REPO / "tests" / "data" / "ocsf" / "detection_finding-1.6.0.schema.json"
LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@cache
def securityhub_shapes() -> dict[str, Any]:
    from botocore.loaders import Loader

    model = Loader().load_service_model("securityhub", "service-2")
    return dict(model["shapes"])


def shape_problems(value: Any, shape_name: str, where: str = "finding") -> Iterator[str]:
    """What in ``value`` does not fit the service model's shape ``shape_name``."""
    shape = securityhub_shapes()[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            yield f"{where}: {shape_name} must be an object"
            return
        members = shape.get("members", {})
        for required in shape.get("required", ()):
            if required not in value:
                yield f"{where}: {shape_name} lacks required {required}"
        for key, item in value.items():
            if key not in members:
                yield f"{where}: {key} is not a member of {shape_name}"
                continue
            yield from shape_problems(item, members[key]["shape"], f"{where}.{key}")
    elif kind == "list":
        if not isinstance(value, list):
            yield f"{where}: {shape_name} must be a list"
            return
        if "max" in shape and len(value) > shape["max"]:
            yield f"{where}: more than {shape['max']} items"
        if "min" in shape and len(value) < shape["min"]:
            yield f"{where}: fewer than {shape['min']} items"
        for index, item in enumerate(value):
            yield from shape_problems(item, shape["member"]["shape"], f"{where}[{index}]")
    elif kind == "map":
        if not isinstance(value, dict):
            yield f"{where}: {shape_name} must be a map"
            return
        for key, item in value.items():
            yield from shape_problems(key, shape["key"]["shape"], f"{where} key {key!r}")
            yield from shape_problems(item, shape["value"]["shape"], f"{where}[{key!r}]")
    elif kind == "string":
        if not isinstance(value, str):
            yield f"{where}: {shape_name} must be a string"
            return
        if "enum" in shape and value not in shape["enum"]:
            yield f"{where}: {value!r} is not one of {shape['enum']}"
        if "min" in shape and len(value) < shape["min"]:
            yield f"{where}: shorter than {shape['min']}"
        if "max" in shape and len(value) > shape["max"]:
            yield f"{where}: longer than {shape['max']}"
        if "pattern" in shape and not re.search(shape["pattern"], value):
            yield f"{where}: does not match {shape['pattern']}"
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            yield f"{where}: {shape_name} must be an integer"
        else:
            if "min" in shape and value < shape["min"]:
                yield f"{where}: below {shape['min']}"
            if "max" in shape and value > shape["max"]:
                yield f"{where}: above {shape['max']}"
    elif kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            yield f"{where}: {shape_name} must be a number"
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield f"{where}: {shape_name} must be true or false"
    elif kind == "timestamp":
        if not isinstance(value, str) or not ISO_8601.match(value):
            yield f"{where}: not an ISO 8601 timestamp"
    else:
        yield f"{where}: unchecked shape type {kind}"


def limit_problems(finding: dict[str, Any]) -> Iterator[str]:
    """The documented limits botocore's model does not state."""
    name = finding.get("Id", "?")
    for field, limit in (("Title", 256), ("Description", 1024)):
        if len(finding.get(field, "")) > limit:
            yield f"{name}: {field} longer than {limit}"
    if len(finding.get("Note", {}).get("Text", "")) > 512:
        yield f"{name}: Note.Text longer than 512"
    if len(finding.get("Remediation", {}).get("Recommendation", {}).get("Text", "")) > 512:
        yield f"{name}: Remediation.Recommendation.Text longer than 512"
    if not 1 <= len(finding.get("Resources", [])) <= 32:
        yield f"{name}: Resources must hold 1 to 32 resources"
    if finding.get("Severity", {}).get("Label") not in LABELS:
        yield f"{name}: Severity.Label not one of {sorted(LABELS)}"
    for field in ("CreatedAt", "UpdatedAt"):
        if not ISO_8601.match(str(finding.get(field, ""))):
            yield f"{name}: {field} is not ISO 8601"
    fields = finding.get("ProductFields", {})
    if len(fields) > 50:
        yield f"{name}: more than 50 ProductFields"
    for key, value in fields.items():
        if len(key) > 128 or len(value) > 2048:
            yield f"{name}: ProductFields {key!r} over 128 / 2,048 characters"
    for resource in finding.get("Resources", []):
        other = resource.get("Details", {}).get("Other", {})
        if len(other) > 50:
            yield f"{name}: more than 50 Details.Other pairs"
        for key, value in other.items():
            if len(key) >= 128 or len(value) >= 1024:
                yield f"{name}: Details.Other {key!r} not under 128 / 1,024 characters"


def asff_problems(findings: Sequence[dict[str, Any]], batch: int = 100) -> list[str]:
    problems = [p for f in findings for p in shape_problems(f, "AwsSecurityFinding", str(f.get("Id")))]
    problems += [p for f in findings for p in limit_problems(f)]
    if batch > 100:
        problems.append("more than 100 findings in one BatchImportFindings call")
    return problems


@cache
def ocsf_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(Path(OCSF_SCHEMA).read_text(encoding="utf-8")))


def ocsf_problems(findings: Sequence[dict[str, Any]]) -> list[str]:
    validator = ocsf_validator()
    return [
        f"{f.get('finding_info', {}).get('uid')}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for f in findings
        for e in validator.iter_errors(f)
    ]
