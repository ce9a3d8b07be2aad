"""The candidate edits a workload's traits point at: one edit per object, of the kind that
object takes.

=====================  =========================================================  ==========
edit                   what changes (model, and the line the user edits)           rules
=====================  =========================================================  ==========
require_imdsv2         ``http_tokens = "required"`` on the instance, launch        imdsv1
                       template or account default the IMDSv1 trait points at
                       (a template's users all inherit it); where the
                       declaration cannot set it (a spot instance request, a
                       launch specification), the text names what can
no_public_ip           ``associate_public_ip_address = false`` (instance, launch   public IP,
                       template, ENI) or ``map_public_ip_on_launch = false``       reachability
                       (subnet)
remove_eip             the Elastic IP or its association removed                   public IP,
                                                                                   reachability
remove_world_sources   the rule's whole-internet CIDRs (``0.0.0.0/0``, ``::/0``)   groups,
                       removed; a rule left with no source at all is removed       reachability
remove_rule            an ingress rule removed (a rule admitting a peer network)   groups,
                                                                                   reachability
remove_acl_entry       the NACL entry that lets the traffic in removed             reachability
remove_route           the route to the gateway removed                            reachability
remove_listener        the load balancer listener removed                          reachability
make_internal          the load balancer made internal                             reachability
detach_policy          the managed policy detached from the role                   roles
remove_statement       the policy statement that grants it removed (for an         roles
                       escalation: the one allowing its first action)
=====================  =========================================================  ==========

"rules": the trait rules whose answer the edit can change; every other trait of a workload
is kept as it is. ``CHANGE_SIZE`` orders edits of equal effect: narrowing a rule or
requiring IMDSv2 changes less than removing a route or a listener.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Literal

from scanner.analyses.network import sg_rule_ports
from scanner.copies import copy_with
from scanner.findings import Trait
from scanner.frozen import frozen
from scanner.model import (
    AclEntry,
    EipAssociation,
    ElasticIp,
    Instance,
    InstanceMetadataDefaults,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    MetadataOptions,
    NetworkInterface,
    Policy,
    PolicyAttachment,
    Resource,
    Route,
    SecurityGroupRule,
    Subnet,
    made_by_aws,
)
from scanner.rules import (
    admin_role,
    imdsv1,
    internet_reachable,
    open_security_group,
    privilege_escalation,
    public_ip,
    remote_access,
    service_admin_role,
    vpc_reachable,
)
from scanner.values import Span

EditKind = Literal[
    "require_imdsv2",
    "no_public_ip",
    "remove_eip",
    "remove_world_sources",
    "remove_rule",
    "remove_acl_entry",
    "remove_route",
    "remove_listener",
    "make_internal",
    "detach_policy",
    "remove_statement",
]

_GROUP_RULES = frozenset({open_security_group.ID, remote_access.ID, internet_reachable.ID, vpc_reachable.ID})
_REACHABILITY = frozenset({internet_reachable.ID, vpc_reachable.ID})
_PUBLIC = frozenset({public_ip.ID, internet_reachable.ID})
_ROLES = frozenset({admin_role.ID, service_admin_role.ID, privilege_escalation.ID})

CHANGES: dict[EditKind, frozenset[str]] = {
    "require_imdsv2": frozenset({imdsv1.ID}),
    "no_public_ip": _PUBLIC,
    "remove_eip": _PUBLIC,
    "remove_world_sources": _GROUP_RULES,
    "remove_rule": _GROUP_RULES,
    # ec2-vpc-reachable reads only the groups' rules and the VPC's CIDRs, never a route or a NACL
    "remove_acl_entry": frozenset({internet_reachable.ID}),
    "remove_route": frozenset({internet_reachable.ID}),
    "remove_listener": frozenset({internet_reachable.ID}),
    "make_internal": frozenset({internet_reachable.ID}),
    "detach_policy": _ROLES,
    "remove_statement": _ROLES,
}

# where in a workload's context the object each kind edits can be (scanner.fixes.substitute)
PARTS: dict[EditKind, frozenset[str]] = {
    "require_imdsv2": frozenset({"workload", "templates", "defaults"}),
    "no_public_ip": frozenset({"workload", "templates", "placements", "enis"}),
    "remove_eip": frozenset({"eips"}),
    "remove_world_sources": frozenset({"groups", "lb"}),
    "remove_rule": frozenset({"groups", "lb"}),
    "remove_acl_entry": frozenset({"placements", "lb"}),
    "remove_route": frozenset({"placements", "lb"}),
    "remove_listener": frozenset({"lb"}),
    "make_internal": frozenset({"lb"}),
    "detach_policy": frozenset({"roles"}),
    "remove_statement": frozenset({"roles"}),
}

CHANGE_SIZE: dict[EditKind, int] = {
    "remove_world_sources": 1,
    "require_imdsv2": 1,
    "no_public_ip": 2,
    "remove_eip": 2,
    "remove_statement": 2,
    "detach_policy": 3,
    "remove_rule": 3,
    "remove_acl_entry": 3,
    "remove_route": 4,
    "remove_listener": 5,
    "make_internal": 5,
}

WORLD = ("0.0.0.0/0", "::/0")

# path steps whose object an edit can cut
_CUTTABLE_STEPS = frozenset({"security_group_rule", "network_acl_entry", "route", "listener", "load_balancer"})


@frozen
class Edit:
    """One change at one place. ``address``: the object changed; ``span``: the line(s) the
    user edits; ``description``: the change in the template's own words; ``rule_id``: the
    trait it was found from (the fix is named for it); ``statement``: for
    ``remove_statement``, the statement's span."""

    kind: EditKind
    address: str
    span: Span
    description: str
    rule_id: str
    statement: Span | None = None

    @property
    def key(self) -> tuple[str, str, Span | None]:
        return (self.kind, self.address, self.statement)

    def apply(self, obj: Resource) -> Resource | None:
        """``obj`` (the object at ``address``, as a workload sees it) after the edit; None:
        removed."""
        return _APPLY[self.kind](self, obj)


def _require_imdsv2(edit: Edit, obj: Resource) -> Resource | None:
    if isinstance(obj, InstanceMetadataDefaults):
        return copy_with(obj, http_tokens="required")
    if isinstance(obj, (Instance, LaunchTemplate)):
        options = obj.metadata or MetadataOptions(span=obj.span)
        return copy_with(obj, metadata=copy_with(options, http_tokens="required"))
    return obj


def _no_public_ip(edit: Edit, obj: Resource) -> Resource | None:
    if isinstance(obj, (Instance, LaunchTemplate)):
        return copy_with(obj, associate_public_ip=False)
    if isinstance(obj, Subnet):
        return copy_with(obj, map_public_ip_on_launch=False)
    if isinstance(obj, NetworkInterface):
        return copy_with(obj, public_ip=False)
    return obj


def _remove(edit: Edit, obj: Resource) -> Resource | None:
    return None


def _remove_world_sources(edit: Edit, obj: Resource) -> Resource | None:
    if not isinstance(obj, SecurityGroupRule):
        return obj
    narrowed = copy_with(
        obj,
        cidrs=tuple(c for c in obj.cidrs if not _is_world(c)),
        ipv6_cidrs=tuple(c for c in obj.ipv6_cidrs if not _is_world(c)),
    )
    return narrowed if has_source(narrowed) else None


def _make_internal(edit: Edit, obj: Resource) -> Resource | None:
    return copy_with(obj, internal=True) if isinstance(obj, LoadBalancer) else obj


def _remove_statement(edit: Edit, obj: Resource) -> Resource | None:
    if not isinstance(obj, Policy):
        return obj
    return copy_with(obj, statements=tuple(s for s in obj.statements if s.span != edit.statement))


_APPLY: dict[EditKind, Callable[[Edit, Resource], Resource | None]] = {
    "require_imdsv2": _require_imdsv2,
    "no_public_ip": _no_public_ip,
    "remove_eip": _remove,
    "remove_world_sources": _remove_world_sources,
    "remove_rule": _remove,
    "remove_acl_entry": _remove,
    "remove_route": _remove,
    "remove_listener": _remove,
    "make_internal": _make_internal,
    "detach_policy": _remove,
    "remove_statement": _remove_statement,
}


def _is_world(cidr: object) -> bool:
    return isinstance(cidr, str) and cidr.strip() in WORLD


def has_source(rule: SecurityGroupRule) -> bool:
    return bool(rule.cidrs or rule.ipv6_cidrs or rule.source_groups or rule.prefix_lists or rule.self_source)


# --- candidates ------------------------------------------------------------------------------

Lookup = Callable[[str], Resource | None]


# The edits at one place for one rule: (rule id, address, span, what the trait says there).
EditsAt = dict[tuple[str, str, Span, str], tuple["Edit", ...]]


def candidate_edits(traits: Iterable[Trait], lookup: Lookup, known: EditsAt | None = None) -> list[Edit]:
    """Every edit the traits point at, once per (kind, object), in the order found: each
    trait's own location first, then the places on its paths and its related places.
    ``known``: the edits already found at each place, shared by the workloads of a run
    (workloads sharing a group meet its rules again and again)."""
    found: dict[tuple[str, str, Span | None], Edit] = {}
    known = {} if known is None else known
    for trait in traits:
        for edit in _trait_edits(trait, lookup, known):
            found.setdefault(edit.key, edit)
    return list(found.values())


def workload_edits(traits: Iterable[Trait], launch_template: LaunchTemplate | None) -> list[Edit]:
    """The edits of the workload's own declaration that no trait points at: a launch
    configuration that leaves ``associate_public_ip_address`` to the subnet (the subnet, or
    the default VPC's, gives the address) takes ``associate_public_ip_address = false``,
    which overrides the subnet for every instance launched from it. A launch template takes
    it in a network interface (``network_interfaces`` / ``NetworkInterfaces``), which must
    then carry the template's security groups too (EC2 refuses both): that edit is described,
    with no source patch."""
    if launch_template is None or launch_template.associate_public_ip is not None:
        return []
    if launch_template.kind not in _PUBLIC_ADDRESS_WORDS or launch_template.metadata_unsupported:
        return []
    if not any(t.rule_id == public_ip.ID for t in traits):
        return []
    words = _PUBLIC_ADDRESS_WORDS[launch_template.kind]
    return [Edit("no_public_ip", launch_template.address, launch_template.span, words, public_ip.ID)]


_PUBLIC_ADDRESS_WORDS = {
    "aws_launch_configuration": "set associate_public_ip_address = false",
    "AWS::AutoScaling::LaunchConfiguration": "set AssociatePublicIpAddress: false",
    "aws_launch_template": (
        "add network_interfaces { device_index = 0, associate_public_ip_address = false, security_groups = "
        "[...] } with the template's vpc_security_group_ids moved into it"
    ),
    "AWS::EC2::LaunchTemplate": (
        "add NetworkInterfaces [{DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [...]}] to "
        "LaunchTemplateData, with its SecurityGroupIds moved into it"
    ),
}


def _trait_edits(trait: Trait, lookup: Lookup, known: EditsAt) -> Iterator[Edit]:
    at = trait.location
    obj = lookup(at.address)
    if obj is not None:
        yield from _edits_at_once(trait.rule_id, obj, at.span, at.message, known)
    if trait.rule_id in _REACHABILITY:
        # a route's hop says where the route goes, as the graph resolved it: the edit says the same
        places = [
            (s.address, s.span, s.description if s.kind == "route" else "")
            for path in (trait.path, *trait.other_paths)
            for s in path
            if s.kind in _CUTTABLE_STEPS
        ]
        places += [(r.address, r.span, "") for r in trait.related]
        for address, span, said in places:
            other = lookup(address)
            if other is not None and span is not None:
                yield from _edits_at_once(trait.rule_id, other, span, said, known)


def _edits_at_once(rule_id: str, obj: Resource, span: Span, message: str, known: EditsAt) -> tuple[Edit, ...]:
    key = (rule_id, obj.address, span, message)
    found = known.get(key)
    if found is None:
        if len(known) >= _KNOWN_LIMIT:
            known.clear()
        found = known[key] = tuple(_edits_at(rule_id, obj, span, message))
    return found


_KNOWN_LIMIT = 65536  # places remembered (a 10,000-instance estate has some 30,000): a bound on memory


def _edits_at(rule_id: str, obj: Resource, span: Span, message: str) -> Iterator[Edit]:
    if obj.kind.startswith("implicit"):
        # AWS's own objects (the default VPC's route to its gateway, a default group's rules)
        # are not written anywhere the user edits: no line would take the edit.
        return
    cfn = obj.kind.startswith("AWS::")
    declaration = made_by_aws(obj.address)
    if rule_id == imdsv1.ID and isinstance(obj, (Instance, LaunchTemplate)) and obj.metadata_unsupported:
        # the declaration cannot carry the setting: the edit is to launch from one that can
        yield Edit("require_imdsv2", obj.address, span, _UNSUPPORTED_WORDS.get(obj.kind, _DEFAULTS_WORDS), rule_id)
    elif declaration is not None:
        yield from _made_by_aws_edits(rule_id, obj, span, declaration)
    elif rule_id == imdsv1.ID and isinstance(obj, (Instance, LaunchTemplate, InstanceMetadataDefaults)):
        words = "set MetadataOptions HttpTokens: required" if cfn else 'set http_tokens = "required"'
        yield Edit("require_imdsv2", obj.address, span, words, rule_id)
    elif rule_id in _PUBLIC and isinstance(obj, Instance) and obj.network_interfaces:
        # An instance launched with its own network interfaces takes no
        # associate_public_ip_address (EC2 rejects it beside them): the interface is edited.
        return
    elif rule_id in _PUBLIC and isinstance(obj, (Instance, LaunchTemplate, NetworkInterface)):
        words = "AssociatePublicIpAddress: false" if cfn else "associate_public_ip_address = false"
        yield Edit("no_public_ip", obj.address, span, f"set {words}", rule_id)
    elif rule_id in _PUBLIC and isinstance(obj, Subnet) and obj.address.startswith("data."):
        # a subnet read by a data source is set elsewhere (the default VPC's: by AWS): the
        # launch configuration's edit (``workload_edits``) or the instance's is the one to make
        return
    elif rule_id in _PUBLIC and isinstance(obj, Subnet) and obj.map_public_ip_on_launch is not False:
        words = "MapPublicIpOnLaunch: false" if cfn else "map_public_ip_on_launch = false"
        yield Edit(
            "no_public_ip",
            obj.address,
            obj.span_of("map_public_ip_on_launch"),
            f"set {words}",
            rule_id,
        )
    elif rule_id in _PUBLIC and isinstance(obj, (ElasticIp, EipAssociation)):
        what = "Elastic IP" if isinstance(obj, ElasticIp) else "Elastic IP association"
        yield Edit("remove_eip", obj.address, obj.span, f"remove the {what}", rule_id)
    elif rule_id in _GROUP_RULES and isinstance(obj, SecurityGroupRule) and obj.ingress:
        yield _rule_edit(rule_id, obj, span)
    elif rule_id in _REACHABILITY and isinstance(obj, AclEntry) and not obj.egress and obj.allow is not False:
        number = obj.rule_number if isinstance(obj.rule_number, int) else "?"
        yield Edit("remove_acl_entry", obj.address, obj.span, f"remove network ACL entry {number}", rule_id)
    elif rule_id in _REACHABILITY and isinstance(obj, Route):
        route = _route_text(obj, _door(obj, rule_id, message))
        yield Edit("remove_route", obj.address, obj.span, f"remove the route {route}", rule_id)
    elif rule_id == internet_reachable.ID and isinstance(obj, Listener):
        shown = f"{obj.protocol or ''} {obj.port if obj.port is not None else ''}".strip()
        yield Edit("remove_listener", obj.address, obj.span, f"remove the listener {shown}", rule_id)
    elif rule_id == internet_reachable.ID and isinstance(obj, LoadBalancer) and obj.internal is not True:
        words = "Scheme: internal" if cfn else "internal = true"
        yield Edit("make_internal", obj.address, obj.span_of("internal"), f"set {words}", rule_id)
    elif rule_id in _ROLES and isinstance(obj, PolicyAttachment):
        name = obj.policy.rsplit("/", 1)[-1] if isinstance(obj.policy, str) else obj.address
        yield Edit("detach_policy", obj.address, span, f"detach {name} from the role", rule_id)
    elif rule_id in _ROLES and isinstance(obj, Policy):
        statement = next((s for s in obj.statements if s.span == span), None)
        if statement is not None:
            what = f" {statement.sid}" if isinstance(statement.sid, str) and statement.sid else ""
            said = f" ({message})" if message else ""
            yield Edit(
                "remove_statement",
                obj.address,
                span,
                f"remove the statement{what}{said}",
                rule_id,
                span,
            )


# What to write in the declaration to change a rule AWS creates for it, by declaration type.
_RULE_SOURCES = {
    "aws_eks_node_group": "set source_security_group_ids in remote_access",
    "AWS::EKS::Nodegroup": "set RemoteAccess SourceSecurityGroups",
}


_BEANSTALK = frozenset({"aws_elastic_beanstalk_environment", "AWS::ElasticBeanstalk::Environment"})


def _made_by_aws_edits(rule_id: str, obj: Resource, span: Span, declaration: str) -> Iterator[Edit]:
    """The edits of an object AWS creates for ``declaration``: the user changes the
    declaration at ``span``, never the object (no source patch is offered for it)."""
    cfn = obj.kind.startswith("AWS::")
    beanstalk = obj.kind in _BEANSTALK
    if rule_id == imdsv1.ID and isinstance(obj, LaunchTemplate) and beanstalk:
        said = f"set the option aws:autoscaling:launchconfiguration DisableIMDSv1 to true on {declaration}"
        yield Edit("require_imdsv2", obj.address, span, said, rule_id)
    elif rule_id in _PUBLIC and isinstance(obj, LaunchTemplate) and beanstalk and "elastic_ip" not in obj.attr_spans:
        # a single instance always has an Elastic IP address (``elastic_ip``): no option drops it
        said = f"set the option aws:ec2:vpc AssociatePublicIpAddress to false on {declaration}"
        yield Edit("no_public_ip", obj.address, span, said, rule_id)
    elif rule_id == imdsv1.ID and isinstance(obj, LaunchTemplate):
        words = "MetadataOptions HttpTokens: required" if cfn else 'metadata_options http_tokens = "required"'
        yield Edit("require_imdsv2", obj.address, span, f"give {declaration} a launch template with {words}", rule_id)
    elif rule_id in _GROUP_RULES and isinstance(obj, SecurityGroupRule) and obj.ingress and beanstalk:
        # Beanstalk's SSH rule follows EC2KeyName / SSHSourceRestriction; its HTTP rules follow
        # the environment type, which no one-line edit changes with the same effect.
        if obj.from_port == 22 and obj.to_port == 22:
            edit = _rule_edit(rule_id, obj, span)
            said = (
                f"set the option SSHSourceRestriction to a narrower source (or remove EC2KeyName): without it, "
                f"Beanstalk opens tcp 22 of {declaration} to the internet"
            )
            yield replace(edit, description=said)
    elif rule_id in _GROUP_RULES and isinstance(obj, SecurityGroupRule) and obj.ingress:
        edit = _rule_edit(rule_id, obj, span)
        sources = _RULE_SOURCES.get(obj.kind)
        if edit.kind == "remove_world_sources" and sources is not None:
            ports = str(sg_rule_ports(obj)) or "every port"
            said = f"{sources}: without them, AWS opens {ports} of {declaration} to the internet"
            edit = replace(edit, description=said)
        yield edit


_DEFAULTS_WORDS = 'require IMDSv2 by default (aws_ec2_instance_metadata_defaults http_tokens = "required")'
_UNSUPPORTED_WORDS = {
    "aws_spot_instance_request": (
        'launch it as an aws_instance with instance_market_options { market_type = "spot" } and '
        'metadata_options { http_tokens = "required" } (a spot instance request cannot set them), '
        f"or {_DEFAULTS_WORDS}"
    ),
    "aws_spot_fleet_request": (
        "replace the launch_specification with a launch_template_config whose launch template sets "
        f'http_tokens = "required" (a launch specification cannot), or {_DEFAULTS_WORDS}'
    ),
    "AWS::EC2::SpotFleet": (
        "replace the LaunchSpecifications item with LaunchTemplateConfigs whose launch template sets "
        "MetadataOptions HttpTokens: required (a launch specification cannot), or require IMDSv2 by "
        "default in the account (ModifyInstanceMetadataDefaults)"
    ),
    # Beanstalk writes no metadata options until DisableIMDSv1 is set (scanner.adapters.beanstalk)
    "aws_elastic_beanstalk_environment": (
        'add a setting { namespace = "aws:autoscaling:launchconfiguration", name = "DisableIMDSv1", '
        f'value = "true" }}, or {_DEFAULTS_WORDS}'
    ),
    "AWS::ElasticBeanstalk::Environment": (
        "add the OptionSettings item Namespace: aws:autoscaling:launchconfiguration, OptionName: DisableIMDSv1, "
        'Value: "true", or require IMDSv2 by default in the account (ModifyInstanceMetadataDefaults)'
    ),
}


def _rule_edit(rule_id: str, rule: SecurityGroupRule, span: Span) -> Edit:
    ports = str(sg_rule_ports(rule)) or "every port"
    world = [c for c in (*rule.cidrs, *rule.ipv6_cidrs) if _is_world(c)]
    if not world:
        return Edit("remove_rule", rule.address, rule.span, f"remove the rule allowing {ports}", rule_id)
    sources = " and ".join(str(c).strip() for c in world)
    narrowed = _remove_world_sources(Edit("remove_world_sources", rule.address, span, "", rule_id), rule)
    if narrowed is None:
        return Edit(
            "remove_world_sources",
            rule.address,
            rule.span,
            f"remove the rule allowing {ports} from {sources}",
            rule_id,
        )
    return Edit(
        "remove_world_sources",
        rule.address,
        rule.span_of("cidrs", "ipv6_cidrs"),
        f"remove {sources} from {ports}",
        rule_id,
    )


_TARGET_WORDS = {
    "internet_gateway": "internet gateway",
    "egress_only_gateway": "egress-only internet gateway",
    "vpn_gateway": "virtual private gateway",
    "vpc_peering": "peering connection",
    "transit_gateway": "transit gateway",
    "nat_gateway": "NAT gateway",
    "gateway": "virtual private gateway",
}


def _door(route: Route, rule_id: str, hop: str) -> str:
    """What the route leads to: as the path's hop says ("route 0.0.0.0/0 -> tgw-1
    (transit_gateway)"), else as the route is written (``gateway_id`` on the internet trait's
    path is its internet gateway)."""
    said = re.search(r"\((\w+)\)$", hop)
    if said is not None and said.group(1) in _TARGET_WORDS:
        return said.group(1)
    if route.target_kind == "gateway" and rule_id == internet_reachable.ID:
        return "internet_gateway"
    return route.target_kind


def _route_text(route: Route, target_kind: str) -> str:
    written = route.destination if route.destination is not None else route.ipv6_destination
    destination = written if isinstance(written, str) else "?"
    return f"{destination} to the {_TARGET_WORDS.get(target_kind, 'gateway')}"
