"""Values as loaders produce them: plain Python data, plus what is not known offline.

A loader turns every template into the same shapes: ``dict`` / ``list`` / ``str`` /
``int`` / ``float`` / ``bool`` / ``None``, plus two markers:

* ``ResourceRef``: a reference to another resource of the same configuration
  (``aws_security_group.web.id``, ``!Ref WebSG``). It becomes a graph edge.
* ``Unknown``: a value Terraform or CloudFormation only knows at apply time, or that
  comes from outside the configuration (a data source, remote state, a variable
  without a value). Never a guess: analyses that meet one say their result rests on it.

Mappings and lists that come from a template are ``SpannedDict`` / ``SpannedList``:
ordinary ``dict`` / ``list`` that also remember where they, and each key or item,
were written. ``span_of()`` reads that back.
"""

from __future__ import annotations

from typing import Any

from scanner.frozen import frozen


@frozen(order=True)
class Span:
    """Where something is written: a file (path relative to the scanned root, POSIX
    separators) and its first and last line, both 1-based and inclusive."""

    file: str
    line: int
    end_line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@frozen
class ResourceRef:
    """A reference to another resource in the same configuration.

    ``address`` is the referenced resource's address as the user sees it
    (``aws_subnet.public[0]``, ``module.net.aws_subnet.this["a"]``, ``PublicSubnet``);
    ``attribute`` the attribute read from it (``id``, ``arn``, ``name``, ``GroupId`` ...).
    """

    address: str
    attribute: str = "id"

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}"


@frozen(order=True)
class Origin:
    """An input the configuration leaves open, which decides an unknown value: what a user
    would fill in (or look up) to know it.

    ``kind``: variable | parameter | data_source | module | remote_state | import (a
    CloudFormation export no scanned template settles) | count | condition | attribute (a
    value the provider computes at apply). ``name`` is how the
    user writes it (``var.subnet_ids``, ``data.aws_subnets.private``, ``count of
    aws_eip.extra``, ``module.vpc (terraform-aws-modules/vpc/aws)``, ``!Ref SubnetIds``);
    ``span`` where it is declared or set; ``fill_in`` how to give it a value
    (``--var subnet_ids=...``, ``--parameter SubnetIds=...``; "" when nothing offline can)."""

    kind: str
    name: str
    span: Span | None = None
    fill_in: str = ""


UNKNOWN_PART = "${...}"  # an unknown part of a string, in ``Unknown.text``


@frozen
class Unknown:
    """A value that cannot be known offline.

    ``reason`` says why in words a user understands ("data.aws_ami.ubuntu.id is only
    known after apply", "variable allowed_cidr has no value"). ``refs`` lists resources
    the value was computed from, so edges are not lost (``"${aws_vpc.main.id}-x"``).
    ``origins``: the open inputs that decide it (a variable without a value, a data
    source ...), so a report can name them and say how to fill them in.
    ``text``: for a string built from known text and unknown parts, the string with each
    unknown part written ``${...}`` (``"http://${...}:8080/"``): the known parts (a port in
    a URL) can still be read; "" otherwise.
    """

    reason: str
    refs: tuple[ResourceRef, ...] = ()
    origins: tuple[Origin, ...] = ()
    text: str = ""

    def __str__(self) -> str:
        return f"(unknown: {self.reason})"


class SpannedDict(dict[str, Any]):
    """A mapping read from a template. ``span`` covers the whole mapping (a block, an
    object, a YAML map); ``key_spans[key]`` the line(s) of that key's entry.
    ``set_spans[key]`` (None when no key has one): where the value of that entry is *set*,
    when that is another place than the entry itself: the argument is a variable or a
    parameter, and the value comes from a module caller's argument, a ``.tfvars`` line,
    a variable's ``default`` or a CloudFormation parameter's ``Default`` (the line a user
    edits to change it)."""

    __slots__ = ("key_spans", "set_spans", "span")

    def __init__(
        self, *args: Any, span: Span | None = None, key_spans: dict[str, Span] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.span = span
        self.key_spans: dict[str, Span] = key_spans if key_spans is not None else {}
        self.set_spans: dict[str, Span] | None = None

    def set_at(self, key: str, span: Span) -> None:
        """Record that the value of ``key`` is set at ``span`` (see the class docstring)."""
        if self.set_spans is None:
            self.set_spans = {}
        self.set_spans[key] = span


class SpannedList(list[Any]):
    """A list read from a template. ``span`` covers the list; ``item_spans[i]`` item i
    (may be shorter than the list when an item's place is not known). ``item_existence[i]``:
    item i may not exist (a CloudFormation ``!If [c, item, !Ref AWS::NoValue]`` on a
    condition not known offline); an index not in it certainly exists."""

    __slots__ = ("item_existence", "item_spans", "span")

    def __init__(self, *args: Any, span: Span | None = None, item_spans: list[Span | None] | None = None) -> None:
        super().__init__(*args)
        self.span = span
        self.item_spans: list[Span | None] = item_spans if item_spans is not None else []
        self.item_existence: dict[int, Unknown] = {}


def span_of(container: Any, key: str | int | None = None, default: Span | None = None) -> Span | None:
    """The span of ``container[key]`` (or of ``container`` itself when key is None),
    falling back to the container's own span, then to ``default``."""
    if key is not None:
        if isinstance(container, SpannedDict) and isinstance(key, str):
            found = container.key_spans.get(key)
            if found is not None:
                return found
        if isinstance(container, SpannedList) and isinstance(key, int):
            if 0 <= key < len(container.item_spans):
                item = container.item_spans[key]
                if item is not None:
                    return item
    own = getattr(container, "span", None)
    if isinstance(own, Span):
        return own
    return default


def is_download(file: str) -> bool:
    """Whether a file (display path) is in a module Terraform downloaded under
    ``.terraform/modules/`` (a registry or git module): not part of the repository."""
    return file.startswith(".terraform/") or "/.terraform/" in file


def existence_of(container: Any, index: int) -> Unknown | None:
    """Why item ``index`` of ``container`` may not exist; None when it certainly does."""
    if isinstance(container, SpannedList):
        return container.item_existence.get(index)
    return None


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


class EncodedJson(str):
    """The text of ``jsonencode(...)`` or of an ``aws_iam_policy_document``'s ``json``,
    that still carries the spanned value it was encoded from (``decoded``), so a policy
    statement written as an HCL object keeps its own lines."""

    decoded: Any

    def __new__(cls, text: str, decoded: Any) -> EncodedJson:
        self = super().__new__(cls, text)
        self.decoded = decoded
        return self
