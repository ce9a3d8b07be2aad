"""An unknown is still itself: a reference that is exactly one open input's value links to the
resource named by that same unknown, in any format; an unknown computed from it does not."""

from __future__ import annotations

from dataclasses import replace

from scanner.graph import build_graph, workload_contexts
from scanner.graph.resolve import Resolver
from scanner.loaders.cloudformation.imports import load_templates
from scanner.model import InstanceProfile, Role
from scanner.options import ScanOptions
from scanner.values import Origin, Unknown
from scanner.workload import WorkloadContext
from tests.support.model_builders import config, instance, make, public_network, span
from tests.support.paths import REPO

NAME = Unknown("variable role_name has no value", origins=(Origin("variable", "var.role_name", span(3)),))


def contexts(*resources: object) -> dict[str, WorkloadContext]:
    cfg = config(*resources)  # type: ignore[arg-type]
    return {c.address: c for c in workload_contexts(build_graph(cfg), cfg)}


def test_profile_role_that_is_the_role_names_unknown_links_to_it() -> None:
    role = make(Role, "aws_iam_role.admin", name=NAME)
    profile = make(InstanceProfile, "aws_iam_instance_profile.p", roles=(NAME,))
    web = replace(instance(groups=()), instance_profile=profile.address)
    resolved = Resolver([role, profile]).resolve(NAME, (Role,), profile.address, "roles")
    assert resolved.objects == (role,) and resolved.unresolved is None
    ctx = contexts(*public_network(), role, profile, web)["aws_instance.web"]
    assert [r.role.address for r in ctx.roles] == ["aws_iam_role.admin"]


def test_unknowns_of_other_inputs_or_computed_ones_do_not_link() -> None:
    role = make(Role, "aws_iam_role.admin", name=NAME)
    resolver = Resolver([role])
    other_input = Unknown("variable role_name has no value", origins=(Origin("variable", "var.other", span(4)),))
    computed = Unknown("'${var.role_name}-x' depends on an unknown value", origins=NAME.origins)
    two_inputs = Unknown(NAME.reason, origins=(*NAME.origins, Origin("variable", "var.env")))
    attribute = Unknown("x is only known after apply", origins=(Origin("attribute", "aws_iam_role.admin.name"),))
    for ref in (other_input, computed, two_inputs, attribute):
        resolved = resolver.resolve(ref, (Role,), "aws_iam_instance_profile.p", "roles")
        assert resolved.objects == () and resolved.unresolved is not None, ref


def test_cloudformation_role_name_parameter_links_profile_to_admin_role() -> None:
    root = REPO / "fixtures" / "unknowns"
    for parameters in ({}, {"RoleName": "web-admin"}):
        [cfg] = load_templates(
            [root / "same-unknown-role-name" / "template.yaml"], ScanOptions(root=root, parameters=parameters)
        )
        [ctx] = workload_contexts(build_graph(cfg), cfg)
        assert [r.role.address for r in ctx.roles] == ["AdminRole"], parameters
        [role_ctx] = ctx.roles
        assert any(p.arn == "arn:aws:iam::aws:policy/AdministratorAccess" for p in role_ctx.policies)
