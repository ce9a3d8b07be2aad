"""Evaluating Terraform expressions the way Terraform does before apply.

The face of the package: ``Evaluator`` (``evaluator``), the values references yield while
evaluating (``objects``), the value operations the loader shares (``operations``) and the
built-in functions (``functions``).
"""

from __future__ import annotations

from scanner.loaders.terraform.eval.evaluator import Evaluator, ModuleScope
from scanner.loaders.terraform.eval.objects import (
    DataObject,
    EvalError,
    ModuleObject,
    Namespace,
    ObjectValue,
    ResourceObject,
    UnloadedModule,
)
from scanner.loaders.terraform.eval.operations import finalize, get_attr, index_value

__all__ = [
    "DataObject",
    "EvalError",
    "Evaluator",
    "ModuleObject",
    "ModuleScope",
    "Namespace",
    "ObjectValue",
    "ResourceObject",
    "UnloadedModule",
    "finalize",
    "get_attr",
    "index_value",
]
