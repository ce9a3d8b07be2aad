"""The values a reference yields while evaluating that are not plain data: a resource
instance, a data source, a module call (loaded or not) and namespaces such as ``var``. Each
answers ``.name`` and ``[key]`` the way Terraform would before apply, and ``finalize``s into
an ordinary value (or ``Unknown``). ``EvalError`` is what Terraform would reject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.values import Origin, ResourceRef, Span, SpannedDict, SpannedList, Unknown


class EvalError(Exception):
    """Terraform would reject this expression; ``try``/``can`` catch it."""


class ObjectValue:
    """Something a reference yields that is not plain data (a resource, a module call...)."""

    def get_attr(self, name: str) -> Any:
        raise EvalError(f"{self.describe()} has no attribute {name!r}")

    def index(self, key: Any) -> Any:
        raise EvalError(f"{self.describe()} cannot be indexed")

    def describe(self) -> str:
        return type(self).__name__

    def finalize(self) -> Any:
        return Unknown(f"{self.describe()} is not a value")

    def attribute_names(self) -> list[str]:
        return []


class Namespace(ObjectValue):
    """``var``, ``local``, ``data``, ``data.aws_ami``, ``aws_instance`` ...: resolved on ``.name``."""

    def __init__(self, label: str, resolve: Callable[[str], Any]) -> None:
        self.label = label
        self.resolve = resolve

    def get_attr(self, name: str) -> Any:
        return self.resolve(name)

    def describe(self) -> str:
        return self.label


COMPUTED_IDENTITY = frozenset({"id", "arn", "unique_id"})
"""Attributes no resource takes as an argument: the provider assigns them at apply, so they
are always references to the resource."""

IDENTITY_ATTRIBUTES = COMPUTED_IDENTITY | {"name"}
"""Attributes a reference to a resource names it by (``name`` when the provider generates
it): a plan resolves a reference through one of these to the planned resource."""


class ResourceObject(ObjectValue):
    """One managed resource instance, as Terraform sees it while planning.

    An attribute that is also an argument the configuration sets (not null) is that
    argument's value: Terraform knows it before apply (``aws_vpc.main.cidr_block``,
    ``aws_subnet.a.vpc_id``, ``aws_security_group.web.name``). Attributes only the
    provider computes stay references: ``id``, ``arn`` and ``unique_id`` always, ``name``
    when it is not set (a generated name), and every other attribute the configuration does
    not set is Unknown with a reference to the resource (``public_ip``, ``ipv6_cidr_block``
    of a VPC that asks for an Amazon-provided block). A configured value known only after
    apply stays Unknown and gains the reference, so it still names the resource. An
    attribute only the provider knows names its origin (kind ``attribute``: nothing offline
    fills it in) at ``span``, the resource block. A ``collapsed`` resource (its count or
    for_each unknown) used as a whole names ``count_origins``: its count line and inputs."""

    def __init__(
        self,
        address: str,
        config: Callable[[], Any],
        collapsed: bool = False,
        span: Span | None = None,
        count_origins: tuple[Origin, ...] = (),
    ) -> None:
        self.address = address
        self.config = config
        self.collapsed = collapsed  # count/for_each unknown: one instance stands for all
        self.span = span
        self.count_origins = count_origins  # what decides how many instances there are, when collapsed

    def describe(self) -> str:
        return self.address

    def get_attr(self, name: str) -> Any:
        if name in COMPUTED_IDENTITY:
            return ResourceRef(self.address, name)
        config = self.config()
        value = config.get(name) if isinstance(config, dict) else None
        if value is None:
            if name == "name":
                return ResourceRef(self.address, name)
            return Unknown(
                f"{self.address}.{name} is known only after apply",
                (ResourceRef(self.address, name),),
                (Origin("attribute", f"{self.address}.{name}", self.span),),
            )
        if isinstance(value, Unknown):
            ref = ResourceRef(self.address, name)
            if ref not in value.refs:
                return Unknown(value.reason, (ref, *value.refs), value.origins)
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            blocks = [ResourceBlock.of(item, self, name) if isinstance(item, dict) else item for item in value]
            if isinstance(value, SpannedList):
                found = SpannedList(blocks, span=value.span, item_spans=value.item_spans)
                found.item_existence = value.item_existence
                return found
            return blocks
        return value

    def index(self, key: Any) -> Any:
        if self.collapsed:
            return self
        raise EvalError(f"{self.address} has no count or for_each; it cannot be indexed")

    def finalize(self) -> Any:
        return Unknown(f"the whole object {self.address}", (ResourceRef(self.address, "id"),))


class ResourceBlock(SpannedDict):
    """A nested block of a resource as configured (``aws_eks_cluster.x.vpc_config[0]``). An
    attribute the block does not set is one the provider computes in it
    (``cluster_security_group_id``): Unknown, still naming the resource, rather than the
    error a plain object without that attribute is."""

    __slots__ = ("block", "owner")

    def __init__(self, *args: Any, owner: ResourceObject, block: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.block = block

    @staticmethod
    def of(item: dict[str, Any], owner: ResourceObject, block: str) -> ResourceBlock:
        found = ResourceBlock(item, owner=owner, block=block)
        if isinstance(item, SpannedDict):
            found.span, found.key_spans, found.set_spans = item.span, item.key_spans, item.set_spans
        return found

    def computed(self, name: str) -> Unknown:
        where = f"{self.owner.address}.{self.block}[].{name}"
        return Unknown(
            f"{where} is known only after apply",
            (ResourceRef(self.owner.address, name),),
            (Origin("attribute", where, self.owner.span),),
        )


class DataObject(ObjectValue):
    """A data source instance: read at apply time, except what ``computed`` knows offline.
    What it reads is Unknown naming ``origin`` (the data source block, kind ``data_source``;
    ``remote_state`` for ``terraform_remote_state``)."""

    def __init__(
        self, address: str, computed: Callable[[str], Any] | None = None, origin: Origin | None = None
    ) -> None:
        self.address = address
        self.computed = computed
        self.origins = (origin,) if origin is not None else ()

    def describe(self) -> str:
        return self.address

    def get_attr(self, name: str) -> Any:
        if self.computed is not None:
            value = self.computed(name)
            if value is not None:
                return value
        return Unknown(f"{self.address}.{name} is read at apply time", (ResourceRef(self.address, name),), self.origins)

    def index(self, key: Any) -> Any:
        return self

    def finalize(self) -> Any:
        return Unknown(f"the whole object {self.address}", (ResourceRef(self.address, "id"),), self.origins)


class ModuleObject(ObjectValue):
    """A module call instance: ``module.x.out`` evaluates the child's output ``out``."""

    def __init__(self, label: str, outputs: Callable[[], list[str]], output: Callable[[str], Any]) -> None:
        self.label = label
        self.outputs = outputs
        self.output = output

    def describe(self) -> str:
        return self.label

    def attribute_names(self) -> list[str]:
        return self.outputs()

    def get_attr(self, name: str) -> Any:
        if name not in self.outputs():
            raise EvalError(f"{self.label} has no output {name!r}")
        return self.output(name)

    def finalize(self) -> Any:
        return SpannedDict({name: self.output(name) for name in self.outputs()})


class UnloadedModule(ObjectValue):
    """A module call whose source could not be read: every output is Unknown, naming
    ``origin`` (the module block, kind ``module``)."""

    def __init__(self, label: str, reason: str, origin: Origin | None = None) -> None:
        self.label = label
        self.reason = reason
        self.origins = (origin,) if origin is not None else ()

    def describe(self) -> str:
        return self.label

    def get_attr(self, name: str) -> Any:
        return Unknown(f"{self.label}.{name}: {self.reason}", (), self.origins)

    def index(self, key: Any) -> Any:
        return self

    def finalize(self) -> Any:
        return Unknown(f"{self.label}: {self.reason}", (), self.origins)
