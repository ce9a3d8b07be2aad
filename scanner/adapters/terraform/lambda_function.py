"""Terraform ``aws_lambda_function`` -> model (``scanner.model_lambda`` states what AWS does):
its ``function_name`` and execution ``role`` (a function is counted as compute that is not
analysed: it is no workload)."""

from __future__ import annotations

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import Resource
from scanner.model_lambda import LambdaFunction


def map_function(raw: RawResource, body: Body) -> list[Resource]:
    fields = base_fields(raw, body)
    fields["name"] = body.text("function_name", "name")
    return [LambdaFunction(role=body.ref("role", "role"), **fields)]
