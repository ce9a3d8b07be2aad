"""The shape every loader hands to the model mappers."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.values import Span, SpannedDict, Unknown


@dataclass
class RawResource:
    """One resource after evaluation, before it becomes a model object.

    ``type``: ``aws_instance`` (Terraform HCL, .tf.json and plans alike; a data source the
    HCL loader hands over: ``data.aws_vpc``) or ``AWS::EC2::Instance``. ``body``: the
    evaluated arguments (Terraform: nested blocks are lists of SpannedDict, as in plan JSON)
    or Properties (CloudFormation), with lines.
    ``assumptions``: why its existence or count rests on an unknown. ``existence``: not
    None when the resource may not exist (its count / for_each / Condition is unknown).
    ``shown_span``: for a resource of a module Terraform downloaded (``.terraform/modules/``,
    not in the repository), the module call in the repository that stands for it."""

    address: str
    type: str
    body: SpannedDict
    span: Span
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    existence: Unknown | None = None
    shown_span: Span | None = None
