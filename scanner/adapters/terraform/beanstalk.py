"""Terraform Elastic Beanstalk -> model: ``aws_elastic_beanstalk_environment`` as a workload,
from its ``setting`` blocks (``scanner.adapters.beanstalk`` states what Beanstalk does)."""

from __future__ import annotations

from scanner.adapters import beanstalk
from scanner.adapters.common import APPLY
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import Resource
from scanner.values import Unknown


def map_environment(raw: RawResource, body: Body) -> list[Resource]:
    settings: dict[tuple[str, str], beanstalk.Setting] = {}
    hidden: beanstalk.Setting | None = None
    for block in body.blocks("setting"):
        namespace, name = block.get("namespace"), block.get("name")
        if isinstance(namespace, str) and isinstance(name, str):
            settings[(namespace, name)] = beanstalk.Setting(
                beanstalk.setting_value(block.get("value"), APPLY), block.span
            )
        elif hidden is None and isinstance(namespace, Unknown | str) and isinstance(name, Unknown | str):
            # a dynamic "setting" over a value not known offline: it may set any option
            unknown = name if isinstance(name, Unknown) else namespace
            hidden = beanstalk.Setting(unknown, block.span)
    return beanstalk.environment_objects(base_fields(raw, body), settings, hidden)
