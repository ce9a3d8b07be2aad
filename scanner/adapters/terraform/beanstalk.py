"""Terraform Elastic Beanstalk -> model: ``aws_elastic_beanstalk_environment`` as a workload,
from its ``setting`` blocks (``scanner.adapters.beanstalk`` states what Beanstalk does)."""

from __future__ import annotations

from typing import Any

from scanner.adapters import beanstalk
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import Resource
from scanner.values import Unknown


def _value(value: Any) -> Any:
    if value is None or isinstance(value, (str, Unknown)):
        return value
    return str(value).lower() if isinstance(value, bool) else str(value)


def map_environment(raw: RawResource, body: Body) -> list[Resource]:
    settings: dict[tuple[str, str], beanstalk.Setting] = {}
    for block in body.blocks("setting"):
        namespace, name = block.get("namespace"), block.get("name")
        if isinstance(namespace, str) and isinstance(name, str):
            settings[(namespace, name)] = beanstalk.Setting(_value(block.get("value")), block.span)
    return beanstalk.environment_objects(base_fields(raw, body), settings)
