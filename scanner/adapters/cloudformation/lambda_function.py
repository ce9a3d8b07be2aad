"""CloudFormation ``AWS::Lambda::Function`` -> model (``scanner.model_lambda`` states what AWS
does): its ``FunctionName`` (None when not written: CloudFormation generates one) and execution
``Role`` (a function is counted as compute that is not analysed: it is no workload)."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import Fields, as_ref, base_fields
from scanner.adapters.raw import RawResource
from scanner.model import Resource
from scanner.model_lambda import LambdaFunction


def map_function(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    role = as_ref(fields.take("role", "Role"))
    return [LambdaFunction(role=role, **base_fields(raw, fields, "FunctionName"))]
