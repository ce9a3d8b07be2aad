"""CloudFormation templates -> RawResources -> ``scanner.model`` objects: the input format.

``detect(path)`` tells discovery whether a file is a template; ``load(job, options)`` loads
all the templates of a scan together (nested stacks and ``Fn::ImportValue`` cross files),
one ``Configuration`` per top-level template, with its local nested stacks loaded into it.
What CloudFormation itself would know before a deployment is evaluated here. The pieces:

* ``sniff``: which files are templates (a look at their top-level keys); ``decode``:
  reading a template with cfn-lint's decoder, spans; ``repeated_keys``: a template whose
  mapping repeats a key, read with the later key winning; ``nodes``: the picklable marked
  nodes the parse cache keeps.
* ``stack``: one stack (parameters, resources, outputs); ``values``: evaluated values and
  pseudo parameters; ``conditions``: three-valued ``Conditions``; ``intrinsics``: the
  intrinsic functions; ``attributes``: the ``Fn::GetAtt`` attributes that echo a property;
  ``nested``: nested stacks (and child stacks whose location is only known at deploy time).
* ``configuration``: stacks -> one ``Configuration``; ``imports``: all templates of a scan,
  linked by ``Fn::ImportValue`` (an export name two templates export is ambiguous).
* ``cdk``: a CDK cloud assembly (``cdk.out``), a format of its own, with its own
  ``detect`` / ``load``.
"""

from __future__ import annotations

from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.cloudformation.sniff import is_cloudformation_template
from scanner.loaders.formats import LoadJob
from scanner.options import ScanOptions


def detect(path: Path) -> bool:
    """Whether ``path`` looks like a CloudFormation template (a cheap look at its head)."""
    return is_cloudformation_template(path)


def load(job: LoadJob, options: ScanOptions) -> list[Configuration]:
    """One Configuration per top-level template of the job."""
    return load_templates(list(job.paths), options)
