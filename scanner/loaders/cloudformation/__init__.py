"""CloudFormation templates -> RawResources -> ``scanner.model`` objects: the input format.

``detect(path)`` tells discovery whether a file is a template; ``load(job, options)`` loads
all the templates of a scan together (nested stacks and ``Fn::ImportValue`` cross files).
A CDK cloud assembly (``cdk.out``) is its own format, in ``cdk``.
"""

from __future__ import annotations

from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.cloudformation.decode import is_cloudformation_template
from scanner.loaders.cloudformation.stack import load_templates
from scanner.loaders.formats import LoadJob
from scanner.options import ScanOptions


def detect(path: Path) -> bool:
    """Whether ``path`` looks like a CloudFormation template (a cheap look at its head)."""
    return is_cloudformation_template(path)


def load(job: LoadJob, options: ScanOptions) -> list[Configuration]:
    """One Configuration per top-level template of the job."""
    return load_templates(list(job.paths), options)
