"""CloudFormation Elastic Beanstalk -> model: ``AWS::ElasticBeanstalk::Environment`` as a
workload, from its ``OptionSettings`` (``scanner.adapters.beanstalk`` states what Beanstalk
does)."""

from __future__ import annotations

from scanner.adapters import beanstalk
from scanner.adapters.cloudformation.fields import Fields, base_fields
from scanner.adapters.common import DEPLOYMENT
from scanner.adapters.raw import RawResource
from scanner.model import Resource
from scanner.values import SpannedDict, SpannedList, Unknown


def map_environment(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    written = raw.body.get("OptionSettings") if isinstance(raw.body, dict) else None
    settings: dict[tuple[str, str], beanstalk.Setting] = {}
    # a setting whose option is not known offline (an Fn::If item, a parameter as its name)
    hidden = beanstalk.Setting(written, raw.span) if isinstance(written, Unknown) else None
    for index, item in enumerate(written if isinstance(written, list) else []):
        span = item.span if isinstance(item, SpannedDict) else None
        if isinstance(written, SpannedList) and index < len(written.item_spans):
            span = written.item_spans[index] or span
        if isinstance(item, Unknown):
            hidden = hidden or beanstalk.Setting(item, span or raw.span)
            continue
        if not isinstance(item, dict):
            continue
        namespace, name = item.get("Namespace"), item.get("OptionName")
        if isinstance(namespace, str) and isinstance(name, str):
            settings[(namespace, name)] = beanstalk.Setting(
                beanstalk.setting_value(item.get("Value"), DEPLOYMENT), span or raw.span
            )
        elif isinstance(namespace, Unknown) or isinstance(name, Unknown):
            unknown = name if isinstance(name, Unknown) else namespace
            hidden = hidden or beanstalk.Setting(unknown, span or raw.span)
    return beanstalk.environment_objects(base_fields(raw, fields, "EnvironmentName"), settings, hidden)
