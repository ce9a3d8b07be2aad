"""Elastic Beanstalk environments as workloads, and what Beanstalk creates for them: one
behaviour for ``aws_elastic_beanstalk_environment`` (``setting`` blocks) and
``AWS::ElasticBeanstalk::Environment`` (``OptionSettings``). The format adapters read the
option settings; the functions here build the model objects. Every object Beanstalk makes
is synthesized at an address under the environment (``model.made_by_aws``): fixes name the
option setting to change, never a source patch.

Beanstalk's defaults, as its option reference states them
(https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html):

* A web server environment runs its instances in an Auto Scaling group
  (``AutoScalingGroup`` with ``capacity="elastic_beanstalk_environment"``) launched from a
  launch template or launch configuration Beanstalk writes from the option settings; it is
  synthesized here (``<environment>/launch_template``), each field at the line of the option
  setting it comes from (``aws:autoscaling:launchconfiguration``):
  - ``IamInstanceProfile``: the instance profile, by name or ARN (default: none);
  - ``SecurityGroups``: groups added to the instances, comma-separated names or ids;
  - ``DisableIMDSv1``: ``true`` requires IMDSv2 tokens, ``false`` allows IMDSv1. Default
    ``false``: "By default, your environment's instances enable both IMDSv1 and IMDSv2".
    Not set, Beanstalk writes no metadata options (setting it is what moves an environment
    to launch templates), so the account default applies, else EC2's (tokens optional):
    the IMDSv1 trait holds and names Beanstalk's default (``DEFAULT_IMDS``), at the
    environment (where the setting is added);
  - ``EC2KeyName`` with ``SSHSourceRestriction``: with a key pair, Beanstalk's default EC2
    security group admits SSH from ``SSHSourceRestriction``'s source ("tcp, 22, 22,
    10.0.0.0/8"), or, without one, from anywhere (0.0.0.0/0); the rule is at the
    ``EC2KeyName`` setting (where a restriction is added);
  - ``DisableDefaultEC2SecurityGroup``: ``true`` leaves the default EC2 group out (the
    instances then have only ``SecurityGroups``); default ``false``.
  https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.managing.ec2.namespace.html
* ``aws:ec2:vpc``: ``Subnets`` (comma-separated; none: the default VPC), ``ELBSubnets`` (none:
  the instances' subnets), ``AssociatePublicIpAddress`` (default none: the subnet decides; no
  effect on a single instance, which always has an Elastic IP address), ``ELBScheme``
  (default ``public``; ``internal`` makes the load balancer internal).
* ``aws:elasticbeanstalk:environment`` ``EnvironmentType``: default ``LoadBalanced``;
  ``SingleInstance`` runs one instance with an Elastic IP address and no load balancer, and
  the default EC2 group admits HTTP (tcp 80) from anywhere
  (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features-managing-env-types.html).
* A load-balanced environment gets a load balancer of ``LoadBalancerType`` (same namespace;
  default ``classic``: the option reference's default, what the API, CloudFormation and
  Terraform get; only the console picks ``application``), listening on port 80 and
  forwarding to port 80 of the instances (the default process):
  - ``classic``: an HTTP listener on 80 to instance port 80
    (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-clb.html);
  - ``application``: an HTTP listener on 80 forwarding to a target group on port 80 the
    Auto Scaling group registers with
    (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-alb.html);
  - ``network``: a TCP listener on 80 to a target group on port 80; the balancer has no
    security group ("ManagedSecurityGroup and SecurityGroups ... don't apply to a Network
    Load Balancer", https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-nlb.html),
    so the default EC2 group admits the clients themselves (the page does not state the
    rule; a network load balancer passes the clients' addresses through, so nothing
    narrower would let them in): tcp 80 from anywhere, at the ``LoadBalancerType`` setting.
  Classic and application balancers get a security group Beanstalk makes
  (``<environment>/load_balancer_security_group``) admitting tcp 80 from anywhere; the
  default EC2 group then admits tcp 80 from that group only. Their lines: the
  ``LoadBalancerType`` setting, else the environment.
* An option setting whose value is not known offline (a variable, a parameter, a reference)
  stays Unknown and is named, never read as set or unset: an unknown ``EnvironmentType``
  leaves the load balancer possibly absent, an unknown ``DisableDefaultEC2SecurityGroup``
  the default group, an unknown ``EC2KeyName`` its SSH rule; an unknown
  ``LoadBalancerType`` is modelled as ``classic`` (every type admits tcp 80 from anywhere
  by default) and says so. A setting whose namespace or option name is not known offline (a
  ``dynamic "setting"`` over a variable, an ``Fn::If`` item) may set any option: every
  option above that is not written is then unknown at that setting's line, not its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from scanner.adapters.common import Phase, as_ref, made_for
from scanner.model import (
    AutoScalingGroup,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    LoadBalancerType,
    MetadataOptions,
    Ref,
    Resource,
    SecurityGroup,
    SecurityGroupRule,
    TargetGroup,
)
from scanner.values import ResourceRef, Span, Unknown

CAPACITY = "elastic_beanstalk_environment"
LAUNCH = "aws:autoscaling:launchconfiguration"
VPC = "aws:ec2:vpc"
ENVIRONMENT = "aws:elasticbeanstalk:environment"
DEFAULT_IMDS = "DisableIMDSv1 is not set, and Beanstalk's default is false (instances enable both IMDSv1 and IMDSv2)"
_WORLD = "0.0.0.0/0"
_HTTP = 80
_LB_TYPES: dict[str, LoadBalancerType] = {"classic": "classic", "application": "application", "network": "network"}


class Setting(NamedTuple):
    """One option setting as written: its value (a string, or Unknown) and its line."""

    value: Any
    span: Span


Settings = Mapping[tuple[str, str], Setting]  # (namespace, option name) -> the setting


class _Ingress(NamedTuple):
    """One ingress rule of a group Beanstalk makes: tcp ``low``-``high`` from ``source`` (a
    CIDR or Unknown; a security group when ``from_group``), at ``span``; ``existence`` not
    None: it may not exist (an unknown key pair)."""

    source: Any
    low: int
    high: int
    span: Span
    existence: Unknown | None = None
    from_group: bool = False


def _text(settings: Settings, namespace: str, name: str) -> Any:
    found = settings.get((namespace, name))
    return None if found is None else found.value


def _is(value: Any, word: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == word


def _items(value: Any) -> tuple[Ref, ...]:
    """A comma-separated list (security groups, subnets) as references."""
    if isinstance(value, (Unknown, ResourceRef)):
        return (value,)
    if not isinstance(value, str):
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _flag(value: Any, name: str) -> Any:
    """A true/false option: True, False, None (not set), else Unknown naming it."""
    if value is None or isinstance(value, Unknown):
        return value
    if _is(value, "true") or _is(value, "false"):
        return _is(value, "true")
    refs = (value,) if isinstance(value, ResourceRef) else ()
    return Unknown(f"{name} is {value!s}, not known offline to be true or false", refs)


def _maybe(value: Any, why: str) -> Unknown | None:
    """An existence that depends on the unknown option ``value`` (None: ``value`` is known)."""
    if not isinstance(value, Unknown):
        return None
    return Unknown(f"{why} ({value.reason})", value.refs, value.origins)


def _metadata(settings: Settings) -> MetadataOptions | None:
    """The metadata options Beanstalk writes: none when ``DisableIMDSv1`` is not set (the
    docstring says why)."""
    found = settings.get((LAUNCH, "DisableIMDSv1"))
    if found is None:
        return None
    value = found.value
    tokens: Any = value
    if _is(value, "true"):
        tokens = "required"
    elif _is(value, "false"):
        tokens = "optional"
    elif not isinstance(value, Unknown):
        tokens = Unknown(f"DisableIMDSv1 is {value!r}, not true or false")
    return MetadataOptions(span=found.span, attr_spans={"http_tokens": found.span}, http_tokens=tokens)


def _ssh(settings: Settings) -> _Ingress | None:
    """The SSH rule of the default EC2 group, None without a key pair."""
    key = settings.get((LAUNCH, "EC2KeyName"))
    if key is None or key.value in ("", None):
        return None
    existence = _maybe(key.value, "EC2KeyName is not known offline: SSH is opened only with a key pair")
    restriction = _text(settings, LAUNCH, "SSHSourceRestriction")
    if restriction is None:
        return _Ingress(_WORLD, 22, 22, key.span, existence)
    if isinstance(restriction, Unknown):
        return _Ingress(restriction, 22, 22, key.span, existence)
    parts = [p.strip() for p in str(restriction).split(",")]
    if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
        # the source is a CIDR, else a security group (its id or name)
        source = parts[3]
        return _Ingress(source, int(parts[1]), int(parts[2]), key.span, existence, not _is_cidr(source))
    why = Unknown(f"SSHSourceRestriction {restriction!r} is not 'protocol, from, to, source'")
    return _Ingress(why, 22, 22, key.span, existence)


def _is_cidr(text: str) -> bool:
    address, _, bits = text.partition("/")
    return bits.isdigit() and all(c in "0123456789abcdefABCDEF.:" for c in address)


def _public(kind_of_environment: Any, public: Any) -> Any:
    """Whether the instances get public addresses: an environment type not known offline may
    be a single instance (always an Elastic IP address)."""
    if isinstance(kind_of_environment, Unknown) and public is not True:
        said = (
            f"EnvironmentType is not known offline; a single instance has an Elastic IP ({kind_of_environment.reason})"
        )
        return Unknown(said, kind_of_environment.refs, kind_of_environment.origins)
    return public


def _lb_type(value: Any) -> LoadBalancerType:
    if isinstance(value, str):
        return _LB_TYPES.get(value.strip().lower(), "classic")
    return "classic"


# The options that decide a trait: when a setting whose option is not known offline may set
# one of them (``hidden``), an option not written is unknown, not its default.
_DECIDING = (
    (LAUNCH, "DisableIMDSv1"),
    (LAUNCH, "EC2KeyName"),
    (LAUNCH, "SSHSourceRestriction"),
    (LAUNCH, "DisableDefaultEC2SecurityGroup"),
    (LAUNCH, "IamInstanceProfile"),
    (VPC, "AssociatePublicIpAddress"),
    (VPC, "ELBScheme"),
    (ENVIRONMENT, "EnvironmentType"),
    (ENVIRONMENT, "LoadBalancerType"),
)


def with_hidden(settings: Settings, hidden: Setting | None) -> Settings:
    """``settings`` where a setting whose namespace or option name is not known offline
    (``hidden``: its value Unknown naming why, its line) may set every deciding option not
    written: each becomes Unknown at that setting's line."""
    if hidden is None:
        return settings
    why = hidden.value if isinstance(hidden.value, Unknown) else Unknown("an option setting not known offline")
    merged = dict(settings)
    for namespace, name in _DECIDING:
        if (namespace, name) not in merged:
            said = f"{name} may be set by an option setting not known offline ({why.reason})"
            merged[(namespace, name)] = Setting(Unknown(said, why.refs, why.origins), hidden.span)
    return merged


def setting_value(value: Any, phase: Phase) -> Any:
    """A setting's value as the format gives it: text (a boolean or number as Beanstalk reads
    it), a reference (kept, so the graph resolves it), or Unknown."""
    if isinstance(value, bool):
        return str(value).lower()
    return None if value is None else as_ref(value, phase)


def environment_objects(fields: Mapping[str, Any], settings: Settings, hidden: Setting | None = None) -> list[Resource]:
    """The environment's workload and what Beanstalk creates for it (see the docstring).
    ``fields``: the environment's base model fields; ``hidden``: a setting whose option is
    not known offline (``with_hidden``)."""
    settings = with_hidden(settings, hidden)
    address, span = fields["address"], fields["span"]
    inherited = made_for(fields)

    def at(namespace: str, name: str) -> Span:
        found = settings.get((namespace, name))
        return found.span if found is not None else span

    kind_of_environment = _text(settings, ENVIRONMENT, "EnvironmentType")
    single = _is(kind_of_environment, "singleinstance")
    written_type = _text(settings, ENVIRONMENT, "LoadBalancerType")
    lb_type = None if single else _lb_type(written_type)
    lb_span = at(ENVIRONMENT, "LoadBalancerType")
    balanced = dict(inherited)  # what the load balancer is made with
    if inherited["existence"] is None:
        # the load balancer exists only if the environment is load balanced
        balanced["existence"] = _maybe(
            kind_of_environment,
            f"EnvironmentType of {address} is not known offline (a load balancer only when LoadBalanced)",
        )
    if isinstance(written_type, Unknown):
        balanced["assumptions"] = (
            *inherited["assumptions"],
            f"LoadBalancerType of {address} is not known offline ({written_type.reason}): modelled as classic",
        )
    found: list[Resource] = []
    lb_group: SecurityGroup | None = None
    if lb_type in ("classic", "application"):
        world = [_Ingress(_WORLD, _HTTP, _HTTP, lb_span)]
        lb_group = _group(f"{address}/load_balancer_security_group", lb_span, balanced, world)
        found.append(lb_group)
    groups: list[Ref] = list(_items(_text(settings, LAUNCH, "SecurityGroups")))
    disable_default = _text(settings, LAUNCH, "DisableDefaultEC2SecurityGroup")
    if not _is(disable_default, "true"):
        ingress: list[_Ingress] = []
        if single:
            ingress.append(_Ingress(_WORLD, _HTTP, _HTTP, at(ENVIRONMENT, "EnvironmentType")))
        elif lb_group is not None:
            ingress.append(_Ingress(ResourceRef(lb_group.address), _HTTP, _HTTP, lb_span, balanced["existence"], True))
        elif lb_type == "network":
            ingress.append(_Ingress(_WORLD, _HTTP, _HTTP, lb_span, balanced["existence"]))
        if isinstance(kind_of_environment, Unknown):
            # a single instance's group admits HTTP from anywhere: only if it is one
            maybe = _maybe(kind_of_environment, f"EnvironmentType of {address} is not known offline (SingleInstance)")
            ingress.append(_Ingress(_WORLD, _HTTP, _HTTP, at(ENVIRONMENT, "EnvironmentType"), maybe))
        ssh = _ssh(settings)
        if ssh is not None:
            ingress.append(ssh)
        default_fields = dict(inherited)
        if inherited["existence"] is None:
            default_fields["existence"] = _maybe(
                disable_default,
                "DisableDefaultEC2SecurityGroup is not known offline: the default EC2 group only when false",
            )
        default = _group(
            f"{address}/default_ec2_security_group",
            at(LAUNCH, "DisableDefaultEC2SecurityGroup"),
            default_fields,
            ingress,
        )
        found.append(default)
        groups.append(ResourceRef(default.address))
    profile = _text(settings, LAUNCH, "IamInstanceProfile")
    public = _text(settings, VPC, "AssociatePublicIpAddress")
    metadata = _metadata(settings)
    template = LaunchTemplate(
        address=f"{address}/launch_template",
        span=span,
        attr_spans={
            "security_groups": at(LAUNCH, "SecurityGroups"),
            "instance_profile": at(LAUNCH, "IamInstanceProfile"),
            "associate_public_ip": at(ENVIRONMENT, "EnvironmentType")
            if single
            or (isinstance(kind_of_environment, Unknown) and (VPC, "AssociatePublicIpAddress") not in settings)
            else at(VPC, "AssociatePublicIpAddress"),
            # a single instance's address is an Elastic IP Beanstalk attaches (no option removes it)
            **({"elastic_ip": at(ENVIRONMENT, "EnvironmentType")} if single else {}),
        },
        metadata=metadata,
        metadata_unsupported="" if metadata is not None else DEFAULT_IMDS,
        security_groups=tuple(groups),
        instance_profile=profile.rsplit("/", 1)[-1] if isinstance(profile, str) else profile,
        # a single instance always gets an Elastic IP address
        associate_public_ip=True if single else _public(kind_of_environment, _flag(public, "AssociatePublicIpAddress")),
        **inherited,
    )
    found.append(template)
    load_balancers: tuple[Ref, ...] = ()
    target_groups: tuple[Ref, ...] = ()
    if lb_type is not None:
        made = _balancer(address, settings, lb_type, lb_span, balanced, lb_group, at(VPC, "ELBScheme"))
        found.extend(made)
        load_balancers = tuple(
            ResourceRef(o.address) for o in made if isinstance(o, LoadBalancer) and lb_type == "classic"
        )
        target_groups = tuple(ResourceRef(o.address) for o in made if isinstance(o, TargetGroup))
    workload_fields = dict(fields)
    workload_fields["attr_spans"] = {**fields["attr_spans"], "subnets": at(VPC, "Subnets")}
    workload = AutoScalingGroup(
        **workload_fields,
        capacity=CAPACITY,
        launch_template=ResourceRef(template.address),
        subnets=_items(_text(settings, VPC, "Subnets")),
        load_balancers=load_balancers,
        target_groups=target_groups,
    )
    return [workload, *found]


def _balancer(
    address: str,
    settings: Settings,
    lb_type: LoadBalancerType,
    span: Span,
    made_with: Mapping[str, Any],
    lb_group: SecurityGroup | None,
    scheme_span: Span,
) -> list[Resource]:
    """The load balancer Beanstalk makes for a load-balanced environment, its listener on
    port 80 and (application, network) its target group on port 80."""
    scheme = _text(settings, VPC, "ELBScheme")
    lb_address = f"{address}/load_balancer"
    subnets = _items(_text(settings, VPC, "ELBSubnets")) or _items(_text(settings, VPC, "Subnets"))
    common = {"span": span, **made_with}
    internal = True if _is(scheme, "internal") else scheme if isinstance(scheme, Unknown) else None
    groups = (ResourceRef(lb_group.address),) if lb_group is not None else ()
    if lb_type == "classic":
        listener = Listener(
            address=f"{lb_address}.listener[0]", port=_HTTP, protocol="HTTP", instance_port=_HTTP, **common
        )
        balancer = LoadBalancer(
            address=lb_address,
            attr_spans={"internal": scheme_span},
            lb_type="classic",
            internal=internal,
            subnets=subnets,
            security_groups=groups,
            listeners=(listener,),
            **common,
        )
        return [balancer]
    protocol = "HTTP" if lb_type == "application" else "TCP"
    target_group = TargetGroup(
        address=f"{address}/target_group", port=_HTTP, protocol=protocol, target_type="instance", **common
    )
    balancer = LoadBalancer(
        address=lb_address,
        attr_spans={"internal": scheme_span},
        lb_type=lb_type,
        internal=internal,
        subnets=subnets,
        security_groups=groups,
        **common,
    )
    listener = Listener(
        address=f"{lb_address}/listener",
        load_balancer=ResourceRef(lb_address),
        port=_HTTP,
        protocol=protocol,
        target_groups=(ResourceRef(target_group.address),),
        **common,
    )
    return [balancer, listener, target_group]


def _group(address: str, span: Span, inherited: Mapping[str, Any], ingress: list[_Ingress]) -> SecurityGroup:
    """A group Beanstalk creates: tcp rules (each at its line), and all egress."""
    rules: list[SecurityGroupRule] = []
    for number, rule in enumerate(ingress):
        from_group = rule.from_group
        rule_fields = dict(inherited)
        if rule.existence is not None and rule_fields.get("existence") is None:
            rule_fields["existence"] = rule.existence
        rules.append(
            SecurityGroupRule(
                address=f"{address}.ingress[{number}]",
                span=rule.span,
                attr_spans={"cidrs": rule.span, "source_groups": rule.span, "from_port": rule.span},
                protocol="6",
                from_port=rule.low,
                to_port=rule.high,
                cidrs=() if from_group else (rule.source,),
                source_groups=(rule.source,) if from_group else (),
                **rule_fields,
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
