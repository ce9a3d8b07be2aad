"""Elastic Beanstalk environments as workloads, and what Beanstalk creates for them: one
behaviour for ``aws_elastic_beanstalk_environment`` (``setting`` blocks) and
``AWS::ElasticBeanstalk::Environment`` (``OptionSettings``). The format adapters read the
option settings; the functions here build the model objects.

What Beanstalk does, as its documentation states it
(https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html):

* A web server environment runs its instances in an Auto Scaling group
  (``AutoScalingGroup`` with ``capacity="elastic_beanstalk_environment"``) launched from a
  launch template or configuration Beanstalk writes from the option settings; it is
  synthesized here (``<environment>/launch_template``), each field at the line of the option
  setting it comes from (``aws:autoscaling:launchconfiguration``):
  - ``IamInstanceProfile``: the instance profile (a name or an ARN);
  - ``SecurityGroups``: groups added to the instances, comma-separated;
  - ``DisableIMDSv1``: ``true`` requires IMDSv2 tokens, ``false`` allows IMDSv1. When it is
    not set, the default depends on the platform version (Beanstalk changed it for newer
    platforms), which is not known offline: the IMDSv1 trait is *possible*, and says why
    (``DEFAULT_IMDS_UNKNOWN``);
  - ``EC2KeyName`` with ``SSHSourceRestriction``: with a key pair, Beanstalk's default EC2
    security group admits SSH, from ``SSHSourceRestriction``'s source ("tcp, 22, 22,
    10.0.0.0/8") or, without one, from anywhere (0.0.0.0/0); the rule is at the
    ``EC2KeyName`` setting (where a restriction is added);
  - ``DisableDefaultEC2SecurityGroup``: ``true`` leaves the default EC2 group out (the
    instances then have only ``SecurityGroups``).
  https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.managing.ec2.namespace.html
* ``aws:ec2:vpc``: ``Subnets`` (comma-separated; none: the default VPC), ``ELBSubnets``,
  ``AssociatePublicIpAddress`` (not set: the subnet decides), ``ELBScheme`` (``internal``;
  otherwise the load balancer is internet-facing).
* ``aws:elasticbeanstalk:environment`` ``EnvironmentType``: ``SingleInstance`` runs one
  instance with an Elastic IP address and no load balancer, and the default EC2 group admits
  HTTP (tcp 80) from anywhere; ``LoadBalanced`` (the default) puts a load balancer in front,
  listening on HTTP port 80 and forwarding to port 80 of the instances
  (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-clb.html), with a
  load balancer security group admitting tcp 80 from anywhere, and the default EC2 group
  admitting tcp 80 from that group only. The balancer is synthesized as a classic one
  (``<environment>/load_balancer``) whichever ``LoadBalancerType`` is chosen: for who
  reaches the instances on which port, an application load balancer with Beanstalk's
  defaults is the same path.
* An option setting whose value is not known offline (a variable, a parameter, a reference)
  stays Unknown and is named; never read as set or unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from scanner.model import (
    AutoScalingGroup,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    MetadataOptions,
    Ref,
    Resource,
    SecurityGroup,
    SecurityGroupRule,
)
from scanner.values import Origin, ResourceRef, Span, Unknown

CAPACITY = "elastic_beanstalk_environment"
LAUNCH = "aws:autoscaling:launchconfiguration"
VPC = "aws:ec2:vpc"
ENVIRONMENT = "aws:elasticbeanstalk:environment"
DEFAULT_IMDS_UNKNOWN = (
    "DisableIMDSv1 is not set, and Beanstalk's default for it depends on the platform version, not known offline"
)
_WORLD = "0.0.0.0/0"


class Setting(NamedTuple):
    """One option setting as written: its value (a string, or Unknown) and its line."""

    value: Any
    span: Span


Settings = Mapping[tuple[str, str], Setting]  # (namespace, option name) -> the setting


def _text(settings: Settings, namespace: str, name: str) -> Any:
    found = settings.get((namespace, name))
    return None if found is None else found.value


def _is(value: Any, word: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == word


def _items(value: Any) -> tuple[Ref, ...]:
    """A comma-separated list (security groups, subnets) as references."""
    if isinstance(value, Unknown):
        return (value,)
    if not isinstance(value, str):
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _metadata(settings: Settings, address: str, span: Span) -> MetadataOptions:
    found = settings.get((LAUNCH, "DisableIMDSv1"))
    if found is None:
        why = Unknown(
            DEFAULT_IMDS_UNKNOWN,
            origins=(Origin("attribute", f"{address}: DisableIMDSv1 (the platform's default)", span),),
        )
        return MetadataOptions(span=span, http_tokens=why)
    value = found.value
    tokens: Any = value
    if _is(value, "true"):
        tokens = "required"
    elif _is(value, "false"):
        tokens = "optional"
    elif not isinstance(value, Unknown):
        tokens = Unknown(f"DisableIMDSv1 is {value!r}, not true or false")
    return MetadataOptions(span=found.span, attr_spans={"http_tokens": found.span}, http_tokens=tokens)


def _ssh_sources(settings: Settings) -> tuple[Any, int, int] | None:
    """The SSH rule of the default EC2 group: (source, from port, to port), None without a
    key pair."""
    key = settings.get((LAUNCH, "EC2KeyName"))
    if key is None or key.value in ("", None):
        return None
    restriction = _text(settings, LAUNCH, "SSHSourceRestriction")
    if restriction is None:
        return (_WORLD, 22, 22)
    if isinstance(restriction, Unknown):
        return (restriction, 22, 22)
    parts = [p.strip() for p in str(restriction).split(",")]
    if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
        return (parts[3], int(parts[1]), int(parts[2]))
    return (Unknown(f"SSHSourceRestriction {restriction!r} is not 'protocol, from, to, source'"), 22, 22)


def environment_objects(fields: Mapping[str, Any], settings: Settings) -> list[Resource]:
    """The environment's workload and what Beanstalk creates for it (see the docstring).
    ``fields``: the environment's base model fields."""
    address, span = fields["address"], fields["span"]
    inherited = {
        "kind": fields["kind"],
        "shown_span": fields.get("shown_span"),
        "existence": fields.get("existence"),
        "assumptions": fields.get("assumptions", ()),
    }

    def at(namespace: str, name: str) -> Span:
        found = settings.get((namespace, name))
        return found.span if found is not None else span

    kind_of_environment = _text(settings, ENVIRONMENT, "EnvironmentType")
    single = _is(kind_of_environment, "singleinstance")
    balanced = dict(inherited)  # what the load balancer is made with
    if isinstance(kind_of_environment, Unknown) and inherited["existence"] is None:
        # the load balancer exists only if the environment is load balanced
        balanced["existence"] = Unknown(
            f"EnvironmentType of {address} is not known offline (a load balancer only when LoadBalanced)",
            kind_of_environment.refs,
            kind_of_environment.origins,
        )
    found: list[Resource] = []
    lb_group: SecurityGroup | None = None
    if not single:
        lb_group = _group(f"{address}/load_balancer_security_group", span, inherited, [(_WORLD, 80, 80, span)], ())
        found.append(lb_group)
    groups: list[Ref] = list(_items(_text(settings, LAUNCH, "SecurityGroups")))
    if not _is(_text(settings, LAUNCH, "DisableDefaultEC2SecurityGroup"), "true"):
        cidr_rules: list[tuple[Any, int, int, Span]] = []
        from_groups: tuple[Ref, ...] = ()
        if single:
            cidr_rules.append((_WORLD, 80, 80, span))
        elif lb_group is not None:
            from_groups = (ResourceRef(lb_group.address),)
        ssh = _ssh_sources(settings)
        if ssh is not None:
            cidr_rules.append((*ssh, at(LAUNCH, "EC2KeyName")))
        default = _group(f"{address}/default_ec2_security_group", span, inherited, cidr_rules, from_groups)
        found.append(default)
        groups.append(ResourceRef(default.address))
    profile = _text(settings, LAUNCH, "IamInstanceProfile")
    public = _text(settings, VPC, "AssociatePublicIpAddress")
    template = LaunchTemplate(
        address=f"{address}/launch_template",
        span=span,
        attr_spans={
            "security_groups": at(LAUNCH, "SecurityGroups"),
            "instance_profile": at(LAUNCH, "IamInstanceProfile"),
            "associate_public_ip": at(ENVIRONMENT, "EnvironmentType")
            if single
            else at(VPC, "AssociatePublicIpAddress"),
        },
        metadata=_metadata(settings, address, span),
        security_groups=tuple(groups),
        instance_profile=profile.rsplit("/", 1)[-1] if isinstance(profile, str) else profile,
        # a single instance always gets an Elastic IP address
        associate_public_ip=True if single or _is(public, "true") else False if _is(public, "false") else public,
        **inherited,
    )
    found.append(template)
    load_balancers: tuple[Ref, ...] = ()
    if lb_group is not None:
        scheme = _text(settings, VPC, "ELBScheme")
        lb_address = f"{address}/load_balancer"
        listener = Listener(
            address=f"{lb_address}.listener[0]", span=span, port=80, protocol="HTTP", instance_port=80, **balanced
        )
        lb_subnets = _items(_text(settings, VPC, "ELBSubnets")) or _items(_text(settings, VPC, "Subnets"))
        balancer = LoadBalancer(
            address=lb_address,
            span=span,
            attr_spans={"internal": at(VPC, "ELBScheme")},
            lb_type="classic",
            internal=True if _is(scheme, "internal") else scheme if isinstance(scheme, Unknown) else None,
            subnets=lb_subnets,
            security_groups=(ResourceRef(lb_group.address),),
            listeners=(listener,),
            **balanced,
        )
        found.append(balancer)
        load_balancers = (ResourceRef(balancer.address),)
    workload_fields = dict(fields)
    workload_fields["attr_spans"] = {**fields["attr_spans"], "subnets": at(VPC, "Subnets")}
    workload = AutoScalingGroup(
        **workload_fields,
        capacity=CAPACITY,
        launch_template=ResourceRef(template.address),
        subnets=_items(_text(settings, VPC, "Subnets")),
        load_balancers=load_balancers,
    )
    return [workload, *found]


def _group(
    address: str,
    span: Span,
    inherited: Mapping[str, Any],
    cidr_rules: list[tuple[Any, int, int, Span]],
    from_groups: tuple[Ref, ...],
) -> SecurityGroup:
    """A group Beanstalk creates: tcp rules from CIDRs (each at its line), tcp 80 from
    ``from_groups``, and all egress."""
    rules: list[SecurityGroupRule] = []
    for number, (source, low, high, line) in enumerate(cidr_rules):
        rules.append(
            SecurityGroupRule(
                address=f"{address}.ingress[{number}]",
                span=line,
                attr_spans={"cidrs": line, "from_port": line},
                protocol="6",
                from_port=low,
                to_port=high,
                cidrs=(source,),
                **inherited,
            )
        )
    if from_groups:
        rules.append(
            SecurityGroupRule(
                address=f"{address}.ingress[{len(rules)}]",
                span=span,
                protocol="6",
                from_port=80,
                to_port=80,
                source_groups=from_groups,
                **inherited,
            )
        )
    rules.append(
        SecurityGroupRule(
            address=f"{address}.egress[0]",
            span=span,
            ingress=False,
            protocol="-1",
            from_port=0,
            to_port=65535,
            cidrs=(_WORLD,),
            **inherited,
        )
    )
    return SecurityGroup(address=address, span=span, rules=tuple(rules), **inherited)
