"""The configuration as a graph, and the resolved view of each workload.

``build_graph`` turns a ``Configuration`` into a ``networkx.MultiDiGraph``: one node per
model object (keyed by its address, attribute ``obj``), one typed edge per reference
(attribute ``kind``, and ``span``: where the reference is written). Implicit AWS behaviour
becomes explicit here, and only here:

* an instance with no subnet (none on its ENIs or launch template either) runs in the
  default VPC: node ``default-vpc`` (public subnets, main table routes 0.0.0.0/0 to the
  default internet gateway, default NACL allows all);
* a subnet with no route table association uses its VPC's main table
  (aws_default_route_table / aws_main_route_table_association, else the implicit
  ``<vpc>#main-route-table`` with only the local route);
* a subnet with no NACL association uses its VPC's default NACL (aws_default_network_acl,
  else the implicit ``<vpc>#default-nacl`` that allows everything);
* a workload in a VPC with no security group gets the VPC's default group
  (aws_default_security_group as written, else ``<vpc>#default-sg``: inbound from itself
  only, all egress);
* a launch template's groups, subnet and profile apply to the instances and ASGs that use
  it (the instance's own values win); an Auto Scaling group whose mixed instances policy's
  overrides bring their own templates runs with what each of them gives;
* standalone SG rules, ACL entries and routes join their group, ACL and table; route
  propagation adds the VGW as a route target for the VPN's CIDRs.

``workload_contexts`` reads the graph back into one ``WorkloadContext`` per workload.

The modules: ``edges`` (which reference becomes which edge: the tables), ``resolve``
(finding the objects a reference names), ``build`` (the builder), ``defaults`` (AWS's
implicit behaviour), ``read`` (workload contexts), ``export`` (dot / json / graphml),
``core`` (node and edge primitives shared by the others).
"""

from scanner.graph.build import build_graph
from scanner.graph.core import INTERNET
from scanner.graph.defaults import DEFAULT_VPC
from scanner.graph.export import export_graph
from scanner.graph.read import context_reader, route_target_kind, workload_contexts, workloads_of
from scanner.graph.resolve import Resolved, Resolver

__all__ = [
    "DEFAULT_VPC",
    "INTERNET",
    "Resolved",
    "Resolver",
    "build_graph",
    "context_reader",
    "export_graph",
    "route_target_kind",
    "workload_contexts",
    "workloads_of",
]
